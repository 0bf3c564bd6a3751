package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.eval.BuiltinFeatures;
import org.sbgan.trainer.eval.Evaluation;
import org.sbgan.trainer.eval.LayoutMetrics;
import org.sbgan.trainer.eval.Metric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

/** {@code sbgan-cli eval}: FID, KID and SWD of generated scenes against a real split (paper §4). */
@Prototype
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare generated scenes (a model bundle's, or a folder of images) with a real split.",
                "Modes: uncond (generated images vs real images: FID, KID, SWD), cond (G_img on the real layouts vs the real images, "
                        + "paper Table 2), layout (generated vs real label maps: class-frequency total-variation distance, SWD on one-hot maps, "
                        + "and diversity, per-class presence, nearest-neighbour disagreement to the training maps and near-duplicate clusters, "
                        + "each next to the real maps' own value).",
                "FID/KID use --features: the built-in random-convolution extractor (sbgan-randconv-v1, no download, NOT comparable to "
                        + "published FID) or an Inception-v3 pool3 ONNX file you supply."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--real", defaultValue = "testdata", paramLabel = "DIR",
            description = "Real data root (Cityscapes: leftImg8bit/ and gtFine/; ADE20K: images/ and annotations/; or a folder of images) (default: ${DEFAULT-VALUE}).")
    Path real;

    @Option(names = "--real-format", description = "cityscapes, ade20k, pairs (images/ + labels/, one split) or folder (images only; uncond) "
            + "(default: read off the --real folder's layout).")
    DataFormat realFormat;

    @Option(names = "--split", defaultValue = "val", description = "Real split (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--train-split", defaultValue = "train", paramLabel = "SPLIT",
            description = "Layout mode: the real training split the nearest-neighbour (memorisation) metric compares with; "
                    + "skipped with a note when it does not exist (default: ${DEFAULT-VALUE}).")
    String trainSplit;

    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle: an sbgan bundle (e.g. runs/tiny/model) or a progan-rgb baseline bundle.")
    Path model;

    @Option(names = "--fake", paramLabel = "DIR", description = "Instead of --model: a folder of generated images (PNG/JPEG, searched recursively; uncond only).")
    Path fake;

    @Option(names = "--mode", defaultValue = "uncond", description = "uncond, cond or layout (default: ${DEFAULT-VALUE}).")
    Evaluation.Mode mode;

    @Option(names = "--metrics", split = ",", paramLabel = "M",
            description = "Comma-separated metrics: fid, kid, swd (uncond, cond) or classfreq, swd, diversity, presence, nn, clusters (layout) "
                    + "(default: all of the mode's).")
    List<String> metrics;

    @Option(names = "--features", defaultValue = "builtin", paramLabel = "builtin|FILE.onnx",
            description = "Feature extractor for FID/KID: builtin (sbgan-randconv-v1, not Inception) or an Inception-v3 ONNX file with pool3 (2048-d) output (default: ${DEFAULT-VALUE}).")
    String features;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N",
            description = "Generated samples; 0 = as many as the real split has (cond: at most N real layouts) (default: ${DEFAULT-VALUE}).")
    int count;

    @Mixin
    SharedOptions.Seed seed;

    @Option(names = "--kid-subsets", defaultValue = "100", paramLabel = "N", description = "KID subsets (default: ${DEFAULT-VALUE}).")
    int kidSubsets;

    @Option(names = "--kid-subset-size", defaultValue = "1000", paramLabel = "N", description = "KID subset size, capped by both set sizes (default: ${DEFAULT-VALUE}).")
    int kidSubsetSize;

    @Mixin
    SharedOptions.Threads threads;

    @Option(names = "--label", paramLabel = "TEXT", description = "Name for grouping in sbgan-cli report (default: the model's kind and preset, e.g. \"sbgan tiny\").")
    String label;

    @Option(names = "--out", paramLabel = "FILE.json",
            description = "Where to write the result JSON; 'none' to skip (default: with --model RUN/model, RUN/eval/<label>-<mode>.json; with --fake, none).")
    String out;

    @Mixin
    SharedOptions.Json json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((model == null) == (fake == null)) throw new ParameterException(spec.commandLine(), "give exactly one of --model DIR and --fake DIR");
        if (count < 0) throw new ParameterException(spec.commandLine(), "--count must be 0 (the real split's size) or more");
        if (kidSubsets < 1 || kidSubsetSize < 2) throw new ParameterException(spec.commandLine(), "--kid-subsets must be at least 1 and --kid-subset-size at least 2");
        if (realFormat == null && !Files.isDirectory(real)) realFormat = DataFormat.CITYSCAPES; // the reader names the missing folder
        if (realFormat == null) {
            realFormat = DataFormat.detect(real);
            System.err.println("real data: " + real + " is in the " + realFormat.id() + " layout (" + realFormat.evidence() + "); --real-format overrides");
        }
        Evaluation.Options o;
        try {
            o = new Evaluation.Options(real, realFormat, split, trainSplit, model, fake, mode, metrics == null ? null : new LinkedHashSet<>(metrics), features,
                    count, seed.value, kidSubsets, kidSubsetSize, threads.orCores(), label);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Evaluation.Result r = Evaluation.run(o, s -> System.err.println(s));
        System.out.print(table(r));
        Path file = outFile(r);
        if (file != null) {
            AtomicFiles.write(file, (r.toJson().toPrettyString() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            System.out.println("wrote " + file);
        }
        if (json.value) System.out.println(r.toJson());
        return 0;
    }

    /** The JSON file to write, or null. */
    Path outFile(Evaluation.Result r) {
        if (out != null) return out.equalsIgnoreCase("none") ? null : Path.of(out);
        if (model == null) return null;
        if (model.toAbsolutePath().normalize().getParent() == null) return null;
        Path rel = model.getParent() != null ? model.getParent() : Path.of(".");
        return rel.resolve("eval").resolve(slug(r.label()) + "-" + r.mode().id() + ".json");
    }

    /** Lower-case letters, digits, '.', '_' and '-' only; other runs of characters become one '-'. */
    static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._]+", "-").replaceAll("^-+|-+$", "");
        return t.isEmpty() ? "eval" : t;
    }

    /** The human-readable result: FID/KID carry the extractor's name, so built-in numbers are never taken for published FID. */
    static String table(Evaluation.Result r) {
        StringBuilder sb = new StringBuilder();
        String gen = r.model() != null ? r.model() + " (" + r.kind() + (r.preset().isEmpty() ? "" : " " + r.preset()) + ")" : r.fake() + " (images)";
        sb.append(String.format(Locale.ROOT, "eval %s: %s, %s vs %s %s (%s): %d generated, %d real, at %d×%d%n", r.mode().id(), r.label(), gen,
                r.realFormat(), r.split(), r.real(), r.count(), r.realCount(), r.height(), r.width()));
        Map<String, Double> m = r.metrics();
        // one row per metric of the registry that the result holds; the layout-quality ones in their own block
        for (Metric metric : Metric.ALL) {
            if (metric.besideRealData() || metric.keys().isEmpty() || !m.containsKey(metric.keys().get(0))) continue;
            String key = metric.keys().get(0);
            String value = fmt(m.get(key));
            if (key.equals(Evaluation.KID_MEAN)) {
                value += " ± " + fmt(m.get(Evaluation.KID_STD)) + " (" + r.kidSubsets() + " subsets of " + r.kidSubsetSize() + ")";
            } else if (key.equals(Evaluation.SWD)) {
                value += " (per level, finest first: "
                        + java.util.Arrays.stream(r.swdLevels()).mapToObj(EvalCommand::fmt).collect(Collectors.joining(", ")) + ")";
            }
            String title = metric.title(key, r.builtinFeatures()) + (key.equals(Evaluation.SWD) && r.mode() == Evaluation.Mode.LAYOUT ? " (one-hot maps)" : "");
            row(sb, title, value);
        }
        layoutQuality(sb, r);
        for (String n : r.notes()) sb.append("note: ").append(n).append('\n');
        sb.append("features: ").append(r.features()).append('\n');
        if (r.builtinFeatures() && (m.containsKey(Evaluation.FID) || m.containsKey(Evaluation.KID_MEAN))) {
            sb.append("note: ").append(BuiltinFeatures.NAME.substring(0, BuiltinFeatures.NAME.indexOf(' ')))
                    .append(" features rank runs against each other; pass --features FILE.onnx (Inception-v3) for FIDs comparable to papers\n");
        }
        Map<String, Double> s = r.seconds();
        sb.append(String.format(Locale.ROOT, "time: %.2f s (real data %.2f%s, generate %.2f, features %.2f, metrics %.2f)%n",
                s.getOrDefault("total", 0.0), s.getOrDefault("load_real", 0.0),
                s.containsKey("load_train") ? String.format(Locale.ROOT, ", training maps %.2f", s.get("load_train")) : "",
                s.getOrDefault("generate", 0.0), s.getOrDefault("features", 0.0), s.getOrDefault("metrics", 0.0)));
        return sb.toString();
    }

    /** Layout mode's {@link LayoutMetrics}: rows "metric | generated | real data", then presence per class. */
    static void layoutQuality(StringBuilder sb, Evaluation.Result r) {
        Map<String, Double> m = r.metrics();
        Map<String, double[]> presence = r.presence();
        boolean any = presence.size() > 0 || LayoutMetrics.KEYS.stream().anyMatch(m::containsKey);
        if (!any) return;
        sb.append(String.format(Locale.ROOT, "  %-46s %10s %10s%n", "layout quality", "generated", "real data"));
        for (String k : LayoutMetrics.KEYS) {
            if (!m.containsKey(k)) continue;
            pair(sb, LayoutMetrics.title(k), m.get(k), m.getOrDefault(LayoutMetrics.realKey(k), Double.NaN));
            if (k.equals(LayoutMetrics.NN_NEAR_COPIES) || k.equals(LayoutMetrics.NN_DISAGREEMENT) && !m.containsKey(LayoutMetrics.NN_NEAR_COPIES)) {
                sb.append(String.format(Locale.ROOT, "    (nearest of the %d maps of split %s and their mirrors)%n", r.trainCount(), r.trainSplit()));
            }
        }
        if (!presence.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "  presence rate (maps with ≥ %.1f %% of pixels in the class)%n", LayoutMetrics.PRESENCE_MIN_PER_MILLE / 10.0));
            presence.forEach((c, v) -> pair(sb, "  " + c, v[0], v[1]));
        }
    }

    private static void pair(StringBuilder sb, String name, double generated, double real) {
        sb.append(String.format(Locale.ROOT, "  %-46s %10s %10s%n", name, fmt(generated), fmt(real)));
    }

    private static void row(StringBuilder sb, String name, String value) {
        sb.append(String.format(Locale.ROOT, "  %-46s %s%n", name, value));
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (!Double.isFinite(v)) return String.valueOf(v);
        if (a != 0 && (a < 1e-3 || a >= 1e6)) return String.format(Locale.ROOT, "%.3e", v);
        return String.format(Locale.ROOT, a >= 100 ? "%.2f" : "%.4f", v);
    }
}
