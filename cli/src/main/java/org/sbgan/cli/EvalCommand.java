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
import org.sbgan.trainer.eval.Tstr;
import org.sbgan.trainer.segmenter.SegmenterTraining;
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
                "Mode tstr: train on synthetic, test on real: the segmenter trained with one budget on --count generated scenes, on the "
                        + "real training split, and on both, each scored (mIoU) on the real --split.",
                "FID/KID use --features: the built-in random-convolution extractor (sbgan-randconv-v1, no download, NOT comparable to "
                        + "published FID), a segmenter trained by `sbgan-cli segmenter train` (segmenter:SEG), or an Inception-v3 pool3 ONNX file you supply.",
                "Metric miou (uncond, cond) segments the generated images with --segmenter SEG and compares them with their own layouts."})
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

    @Option(names = "--mode", defaultValue = "uncond", description = "uncond, cond, layout or tstr (default: ${DEFAULT-VALUE}).")
    Evaluation.Mode mode;

    @Option(names = "--metrics", split = ",", paramLabel = "M",
            description = "Comma-separated metrics: fid, kid, swd, miou (uncond, cond) or classfreq, swd, diversity, presence, nn, clusters (layout) "
                    + "(default: all of the mode's but miou; miou needs --segmenter).")
    List<String> metrics;

    @Option(names = "--features", defaultValue = "builtin", paramLabel = "builtin|segmenter:SEG|FILE.onnx",
            description = "Feature extractor for FID/KID: builtin (sbgan-randconv-v1, not Inception), segmenter:SEG (the pooled features of a segmenter "
                    + "trained by sbgan on your data) or an Inception-v3 ONNX file with pool3 (2048-d) output (default: ${DEFAULT-VALUE}).")
    String features;

    @Option(names = "--segmenter", paramLabel = "SEG", description = "Segmenter of the miou metric (a `sbgan-cli segmenter train` folder); "
            + "with it, uncond and cond also compute miou by default.")
    Path segmenter;

    @Option(names = "--tstr-iterations", defaultValue = "600", paramLabel = "N", description = "tstr: training steps of each segmenter (default: ${DEFAULT-VALUE}).")
    int tstrIterations;

    @Option(names = "--tstr-batch", defaultValue = "16", paramLabel = "N", description = "tstr: batch of each segmenter (default: ${DEFAULT-VALUE}).")
    int tstrBatch;

    @Option(names = "--tstr-synthetic-share", defaultValue = "0.5", paramLabel = "F",
            description = "tstr: the share of generated pairs in every batch of the real + synthetic segmenter, in (0, 1) (default: ${DEFAULT-VALUE}).")
    double tstrSyntheticShare;

    @Option(names = "--tstr-mixed-filter", defaultValue = "none", paramLabel = "none|agreement",
            description = "tstr: the generated label pixels the real + synthetic segmenter learns from: none (all) or agreement (only where the "
                    + "seed's real-only segmenter, run on the generated image, predicts the generated label) (default: ${DEFAULT-VALUE}).")
    Tstr.MixedFilter tstrMixedFilter;

    @Option(names = "--tstr-real-finish", defaultValue = "0.5", paramLabel = "F",
            description = "tstr: the share of the real + synthetic segmenter's iterations, at the end of its budget, on the real pairs alone, "
                    + "in [0, 1); 0: mixed batches throughout (default: ${DEFAULT-VALUE}).")
    double tstrRealFinish;

    @Option(names = "--tstr-seeds", defaultValue = "1", paramLabel = "N", description = "tstr: repetitions with seeds S, S+1, … (default: ${DEFAULT-VALUE}).")
    int tstrSeeds;

    @Option(names = "--tstr-dir", paramLabel = "DIR", description = "tstr: where the segmenters are trained (default: RUN/eval/tstr beside the model).")
    Path tstrDir;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N",
            description = "Generated samples; 0 = as many as the real split has (cond: at most N real layouts; tstr: 4× the training split) (default: ${DEFAULT-VALUE}).")
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
            o = new Evaluation.Options(real, realFormat, split, trainSplit, model, fake, mode, metrics == null ? null : new LinkedHashSet<>(metrics), features, count, seed.value, kidSubsets, kidSubsetSize,
                    threads.orCores(), label, segmenter);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (mode == Evaluation.Mode.TSTR) return tstr(o);
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

    /** {@code --mode tstr}: three segmenters per seed, scored on the real split. */
    private int tstr(Evaluation.Options o) throws Exception {
        if (model == null) throw new ParameterException(spec.commandLine(), "--mode tstr needs --model DIR (an sbgan bundle)");
        Path work = tstrDir != null ? tstrDir : (model.toAbsolutePath().normalize().getParent() == null ? Path.of(".") : model.toAbsolutePath().normalize().getParent())
                .resolve("eval").resolve("tstr");
        Tstr.Options t;
        try {
            SegmenterTraining.Options budget = SegmenterTraining.Options.of(32, 64, seed.value).withIterations(tstrIterations).withBatch(tstrBatch);
            t = new Tstr.Options(o, budget, tstrSeeds, work, new Tstr.Mixing(tstrSyntheticShare, tstrMixedFilter, tstrRealFinish));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Tstr.Result r = Tstr.run(t, s -> System.err.println(s));
        System.out.print(tstrTable(r));
        Path file = out != null ? (out.equalsIgnoreCase("none") ? null : Path.of(out)) : work.getParent().resolve(slug(label == null ? "sbgan" : label) + "-tstr.json");
        if (file != null) {
            AtomicFiles.write(file, (r.toJson().toPrettyString() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            System.out.println("wrote " + file);
        }
        if (json.value) System.out.println(r.toJson());
        return 0;
    }

    static String tstrTable(Tstr.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "eval tstr: segmenters trained on %s's scenes and on %s %s, scored on %d real %s maps at %d×%d%n", r.model(), r.real(),
                r.trainSplit(), r.valCount(), r.valSplit(), r.height(), r.width()));
        Tstr.Mixing mix = r.mixing();
        sb.append(String.format(Locale.ROOT, "  budget: %d iterations of batch %d (lr %s, U-Net base %d depth %d), %d seed%s; real+synthetic batches %.0f %% synthetic%s%n",
                r.budget().iterations(), r.budget().batch(), r.budget().lr(), r.budget().base(), r.budget().depth(), r.seeds(), r.seeds() == 1 ? "" : "s",
                100 * mix.syntheticShare(), mix.realFinish() > 0 ? String.format(Locale.ROOT, ", the last %.0f %% of its iterations real only", 100 * mix.realFinish()) : ""));
        sb.append(String.format(Locale.ROOT, "  %-16s %8s %8s %8s  %s%n", "trained on", "samples", "mIoU", "± std", "per seed"));
        for (Tstr.Scores s : r.scores()) {
            sb.append(String.format(Locale.ROOT, "  %-16s %8d %8.4f %8.4f  %s%n", s.setting().id(), s.samples(), s.mean(), s.std(),
                    java.util.Arrays.stream(s.miou()).mapToObj(v -> String.format(Locale.ROOT, "%.4f", v)).collect(Collectors.joining(" "))));
        }
        if (mix.filter() != Tstr.MixedFilter.NONE) {
            sb.append(String.format(Locale.ROOT, "  real+synthetic learned from %.1f %% of the generated label pixels (%s): %s%n", 100 * r.kept().all(),
                    mix.filter().id(), r.kept().perClass().entrySet().stream()
                            .map(e -> e.getKey() + " " + (Double.isNaN(e.getValue()) ? "-" : String.format(Locale.ROOT, "%.0f %%", 100 * e.getValue())))
                            .collect(Collectors.joining(", "))));
        }
        sb.append(String.format(Locale.ROOT, "  synthetic / real mIoU: %.3f%n", r.syntheticToReal()));
        double[] d = r.mixedMinusReal();
        sb.append(String.format(Locale.ROOT, "  real+synthetic − real mIoU: %+.4f (per seed %s)%n", java.util.Arrays.stream(d).average().orElse(Double.NaN),
                java.util.Arrays.stream(d).mapToObj(v -> String.format(Locale.ROOT, "%+.4f", v)).collect(Collectors.joining(" "))));
        List<String> classes = List.copyOf(r.scores().get(0).classIou().keySet());
        sb.append(String.format(Locale.ROOT, "  %-16s", "IoU per class"));
        for (Tstr.Scores s : r.scores()) sb.append(String.format(Locale.ROOT, " %15s", s.setting().id()));
        sb.append('\n');
        for (String c : classes) {
            sb.append(String.format(Locale.ROOT, "  %-16s", c));
            for (Tstr.Scores s : r.scores()) sb.append(String.format(Locale.ROOT, " %15s", fmt(s.classIou().get(c))));
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "time: %.1f s%n", r.seconds()));
        return sb.toString();
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
            if (metric.besideRealData()) continue;
            for (String key : metric.keys()) {
                if (!m.containsKey(key) || key.equals(Evaluation.KID_STD)) continue;
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
        }
        List<String> iouKeys = m.keySet().stream().filter(k -> k.startsWith("iou/")).toList();
        if (!iouKeys.isEmpty()) {
            sb.append("  IoU per class (images against their layouts)\n");
            for (String k : iouKeys) row(sb, "  " + k.substring(4), fmt(m.get(k)));
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
