package org.sbgan.trainer.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;
import org.sbgan.runtime.files.AtomicFiles;

/**
 * Summarizes evaluations of several runs ({@code sbgan-cli report}): results grouped by (label, mode), each metric
 * as mean ± sample standard deviation over the runs, in {@code report.md}, with {@code metrics.png} (FID means with
 * error bars) and {@code samples.png} (each run's final sample grid, side by side). Layout results also get a
 * "layout quality" table per label: each {@link LayoutMetrics} value, generated next to the real data's, and the
 * per-class presence rates, again as mean ± std over the runs.
 *
 * <p>Why group by label: a label names a model configuration (by default kind and preset, e.g. "sbgan tiny"), and
 * the runs sharing it differ only in their seeds, so their spread is the seed-to-seed variation the paper's
 * comparisons need.
 */
public final class Report {
    private Report() {}

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Metric keys in table order; other numeric keys follow in order of appearance. */
    /** The per-run metric keys in report order: read off the metric registry. */
    private static final List<String> ORDER = Metric.perRunKeys();
    private static final int MAX_SAMPLE_HEIGHT = 512, LABEL_BAND = 28, GAP = 12;

    /** One evaluation JSON and the run folder it belongs to (null when a JSON file was given directly). */
    public record Entry(Path file, Path runDir, JsonNode json) {
        public String label() {
            return json.path("label").asText("?");
        }

        public String mode() {
            return json.path("mode").asText("?");
        }
    }

    /** Mean and sample standard deviation (n − 1; NaN for n = 1) of one metric over n runs. */
    public record Stat(double mean, double std, int n) {
        static Stat of(List<Double> xs) {
            int n = xs.size();
            double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ss = 0;
            for (double x : xs) ss += (x - mean) * (x - mean);
            return new Stat(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN, n);
        }

        /** "mean ± std" (std "–" for a single run). */
        public String format() {
            return num(mean) + " ± " + (Double.isNaN(std) ? "–" : num(std));
        }
    }

    /** A class's presence rate over a group's runs: generated maps and real maps. */
    public record Presence(Stat generated, Stat real) {}

    /**
     * Runs sharing a label and mode, and their statistics per metric key; presence per class name (layout results
     * with {@link LayoutMetrics#PRESENCE}; empty otherwise).
     */
    public record Group(String label, String mode, int n, List<String> features, Map<String, Stat> stats, Map<String, Presence> presence,
                        List<Path> files) {}

    /** What {@link #write} wrote; samples is null when no run had a sample grid. */
    public record Written(Path markdown, Path metricsPng, Path samplesPng, List<Group> groups) {}

    /**
     * The evaluation JSONs of each argument: a run folder's {@code eval/*.json} (sorted), or a JSON file itself.
     * One-line errors name the folder or file.
     */
    public static List<Entry> load(List<Path> runs) throws IOException {
        if (runs.isEmpty()) throw new IllegalArgumentException("no runs given");
        List<Entry> out = new ArrayList<>();
        for (Path p : runs) {
            if (Files.isRegularFile(p)) {
                out.add(new Entry(p, null, Evaluation.readJson(p)));
            } else if (Files.isDirectory(p)) {
                Path dir = p.resolve("eval");
                List<Path> files;
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> s = Files.list(dir)) {
                        files = s.filter(f -> f.getFileName().toString().endsWith(".json") && Files.isRegularFile(f)).sorted().collect(Collectors.toList());
                    }
                } else {
                    files = List.of();
                }
                if (files.isEmpty()) throw new IllegalArgumentException(p + ": no eval/*.json in the run folder (run sbgan-cli eval --model " + p.resolve("model") + " first)");
                for (Path f : files) out.add(new Entry(f, p, Evaluation.readJson(f)));
            } else {
                throw new IllegalArgumentException(p + ": no such run folder or evaluation JSON file");
            }
        }
        return out;
    }

    /** Groups entries by (label, mode), in order of first appearance, with mean ± std per metric. */
    public static List<Group> group(List<Entry> entries) {
        Map<String, List<Entry>> by = new LinkedHashMap<>();
        for (Entry e : entries) by.computeIfAbsent(e.label() + "\u0000" + e.mode(), k -> new ArrayList<>()).add(e);
        List<Group> out = new ArrayList<>();
        for (List<Entry> es : by.values()) {
            Map<String, List<Double>> values = new LinkedHashMap<>();
            for (String k : ORDER) values.put(k, new ArrayList<>());
            Set<String> features = new LinkedHashSet<>();
            Map<String, List<Double>> presGen = new LinkedHashMap<>(), presReal = new LinkedHashMap<>();
            for (Entry e : es) {
                features.add(e.json().path("features").asText("?"));
                for (Map.Entry<String, JsonNode> m : e.json().path("metrics").properties()) {
                    if (m.getValue().isNumber()) values.computeIfAbsent(m.getKey(), k -> new ArrayList<>()).add(m.getValue().doubleValue());
                }
                for (Map.Entry<String, JsonNode> c : e.json().path("metrics").path(LayoutMetrics.PRESENCE).properties()) {
                    JsonNode g = c.getValue().path("generated"), r = c.getValue().path("real");
                    if (g.isNumber()) presGen.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(g.doubleValue());
                    if (r.isNumber()) presReal.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(r.doubleValue());
                }
            }
            Map<String, Stat> stats = new LinkedHashMap<>();
            values.forEach((k, v) -> {
                if (!v.isEmpty()) stats.put(k, Stat.of(v));
            });
            Map<String, Presence> presence = new LinkedHashMap<>();
            Set<String> classes = new LinkedHashSet<>(presGen.keySet());
            classes.addAll(presReal.keySet());
            for (String c : classes) {
                presence.put(c, new Presence(Stat.of(presGen.getOrDefault(c, List.of())), Stat.of(presReal.getOrDefault(c, List.of()))));
            }
            out.add(new Group(es.get(0).label(), es.get(0).mode(), es.size(), List.copyOf(features), stats, presence,
                    es.stream().map(Entry::file).collect(Collectors.toList())));
        }
        return out;
    }

    /** Loads, groups and writes report.md, metrics.png and (when any run has samples/final_images.png) samples.png. */
    public static Written write(List<Path> runs, Path out) throws IOException {
        List<Entry> entries = load(runs);
        List<Group> groups = group(entries);
        Files.createDirectories(out);
        Path metrics = out.resolve("metrics.png");
        AtomicFiles.write(metrics, BitmapEncoder.getBitmapBytes(chart(groups), BitmapEncoder.BitmapFormat.PNG));
        Path samples = out.resolve("samples.png");
        boolean haveSamples = writeSamples(runs, entries, samples);
        if (!haveSamples) Files.deleteIfExists(samples);
        Path md = out.resolve("report.md");
        AtomicFiles.write(md, markdown(groups, runs, haveSamples).getBytes(StandardCharsets.UTF_8));
        return new Written(md, metrics, haveSamples ? samples : null, groups);
    }

    /** Column title of a metric key ({@link Metric#titleOf}); FID and KID name the built-in extractor when it was used. */
    static String title(String key, boolean builtin) {
        return Metric.titleOf(key, builtin);
    }

    static String markdown(List<Group> groups, List<Path> runs, boolean samples) {
        StringBuilder sb = new StringBuilder("# SB-GAN evaluation report\n\n");
        sb.append("Runs: ").append(runs.stream().map(p -> "`" + p + "`").collect(Collectors.joining(", "))).append("\n\n");
        sb.append("Each cell is the mean ± sample standard deviation over the n evaluations (runs or seeds) sharing a label and mode.\n");
        boolean anyBuiltin = groups.stream().anyMatch(g -> g.features().contains(BuiltinFeatures.NAME));
        if (anyBuiltin) {
            sb.append("FID and KID marked \"sbgan-randconv-v1\" use the built-in random-convolution features: "
                    + "they rank runs against each other but are **not comparable to published (Inception) FIDs**.\n");
        }
        Map<String, List<Group>> byMode = new LinkedHashMap<>();
        for (Group g : groups) byMode.computeIfAbsent(g.mode(), k -> new ArrayList<>()).add(g);
        for (Map.Entry<String, List<Group>> e : byMode.entrySet()) {
            List<Group> gs = e.getValue();
            List<String> keys = new ArrayList<>();
            for (String k : ORDER) if (gs.stream().anyMatch(g -> g.stats().containsKey(k))) keys.add(k);
            // per-class IoUs stay in the JSON; the table keeps one column per run-level number
            for (Group g : gs) for (String k : g.stats().keySet()) if (!keys.contains(k) && !LayoutMetrics.isLayoutKey(k) && !k.startsWith("iou/")) keys.add(k);
            boolean builtin = gs.stream().anyMatch(g -> g.features().contains(BuiltinFeatures.NAME));
            sb.append("\n## ").append(e.getKey()).append(" (").append(describe(e.getKey())).append(")\n\n| label | n |");
            for (String k : keys) sb.append(' ').append(title(k, builtin)).append(" |");
            sb.append(" features |\n|---|---|");
            sb.append("---|".repeat(keys.size())).append("---|\n");
            for (Group g : gs) {
                sb.append("| ").append(cell(g.label())).append(" | ").append(g.n()).append(" |");
                for (String k : keys) {
                    Stat s = g.stats().get(k);
                    sb.append(' ').append(s == null ? "" : s.format() + (s.n() != g.n() ? " (n=" + s.n() + ")" : "")).append(" |");
                }
                sb.append(' ').append(cell(String.join("; ", g.features()))).append(" |\n");
            }
            for (Group g : gs) layoutQuality(sb, g);
        }
        sb.append("\n## Charts\n\n![FID per label and mode](metrics.png)\n");
        sb.append(samples ? "\n## Samples\n\n![final sample grids, side by side](samples.png)\n"
                : "\n## Samples\n\nNo run folder had samples/final_images.png.\n");
        return sb.toString();
    }

    /** A group's {@link LayoutMetrics}: "metric | generated | real data", then presence per class; nothing when it has none. */
    static void layoutQuality(StringBuilder sb, Group g) {
        List<String> keys = LayoutMetrics.KEYS.stream().filter(k -> g.stats().containsKey(k) || g.stats().containsKey(LayoutMetrics.realKey(k))).toList();
        if (keys.isEmpty() && g.presence().isEmpty()) return;
        sb.append("\n### Layout quality: ").append(cell(g.label())).append(" (n = ").append(g.n()).append(")\n\n");
        sb.append("Each value next to the real maps' own (real split; nearest neighbours against the training split). ");
        sb.append(String.format(Locale.ROOT, "Near-duplicate clusters join maps under %.2f pixel disagreement; a map contains a class "
                + "when ≥ %.1f %% of its pixels are that class.%n%n", LayoutMetrics.NEAR_DUPLICATE, LayoutMetrics.PRESENCE_MIN_PER_MILLE / 10.0));
        sb.append("| metric | generated | real data |\n|---|---|---|\n");
        for (String k : keys) {
            sb.append("| ").append(cell(LayoutMetrics.title(k))).append(" | ").append(statCell(g.stats().get(k), g.n())).append(" | ")
                    .append(statCell(g.stats().get(LayoutMetrics.realKey(k)), g.n())).append(" |\n");
        }
        g.presence().forEach((c, p) -> sb.append("| presence: ").append(cell(c)).append(" | ").append(statCell(p.generated(), g.n())).append(" | ")
                .append(statCell(p.real(), g.n())).append(" |\n"));
    }

    private static String statCell(Stat s, int n) {
        return s == null || s.n() == 0 ? "" : s.format() + (s.n() != n ? " (n=" + s.n() + ")" : "");
    }

    private static String describe(String mode) {
        return switch (mode) {
            case "uncond" -> "generated scenes vs real images";
            case "cond" -> "G_img on real layouts vs real images, paper Table 2";
            case "layout" -> "generated vs real label maps";
            default -> "other";
        };
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /** Significant digits suited to the value's size. */
    static String num(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e6)) return String.format(Locale.ROOT, "%.3e", v);
        return String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 1 ? "%.3f" : "%.5f", v);
    }

    /** FID means with ±std error bars per "label (mode)"; SWD when no group has FID. */
    static CategoryChart chart(List<Group> groups) {
        String key = groups.stream().anyMatch(g -> g.stats().containsKey(Evaluation.FID)) ? Evaluation.FID : Evaluation.SWD;
        boolean builtin = groups.stream().anyMatch(g -> g.features().contains(BuiltinFeatures.NAME));
        List<String> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>(), errs = new ArrayList<>();
        for (Group g : groups) {
            Stat s = g.stats().get(key);
            if (s == null) continue;
            xs.add(g.label() + " (" + g.mode() + ")");
            ys.add(s.mean());
            errs.add(Double.isNaN(s.std()) ? 0.0 : s.std());
        }
        String title = title(key, builtin) + ": mean ± std over runs";
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(900, 220 * xs.size())).height(480).title(title)
                .xAxisTitle("label (mode)").yAxisTitle(title(key, false)).build();
        chart.getStyler().setLegendVisible(false);
        if (xs.isEmpty()) {
            xs.add("no results");
            ys.add(0.0);
            errs.add(0.0);
        }
        chart.addSeries(title(key, false), xs, ys, errs);
        return chart;
    }

    /** Each run folder's samples/final_images.png scaled to one height, its label above; false when none exist. */
    static boolean writeSamples(List<Path> runs, List<Entry> entries, Path file) throws IOException {
        List<String> labels = new ArrayList<>();
        List<BufferedImage> images = new ArrayList<>();
        for (Path run : runs) {
            if (!Files.isDirectory(run)) continue;
            Path grid = run.resolve("samples").resolve("final_images.png");
            if (!Files.isRegularFile(grid)) continue;
            RgbImage im = Images.readRgb(grid);
            BufferedImage b = new BufferedImage(im.width(), im.height(), BufferedImage.TYPE_INT_RGB);
            b.setRGB(0, 0, im.width(), im.height(), im.rgb(), 0, im.width());
            images.add(b);
            // The grid shows unconditional samples: name it by the run's uncond evaluation where there is one.
            String label = entries.stream().filter(e -> run.equals(e.runDir()))
                    .sorted(java.util.Comparator.comparing(e -> "uncond".equals(e.json().path("mode").asText()) ? 0 : 1))
                    .map(Entry::label).findFirst().orElse("");
            String name = run.toAbsolutePath().normalize().getFileName() == null ? run.toString() : run.toAbsolutePath().normalize().getFileName().toString();
            labels.add(label.isEmpty() ? name : name + ": " + label);
        }
        if (images.isEmpty()) return false;
        int h = Math.min(MAX_SAMPLE_HEIGHT, images.stream().mapToInt(BufferedImage::getHeight).max().orElse(1));
        int[] widths = new int[images.size()];
        int total = 0;
        for (int i = 0; i < images.size(); i++) {
            BufferedImage b = images.get(i);
            widths[i] = Math.max(1, (int) Math.round((double) b.getWidth() * h / b.getHeight()));
            total += widths[i] + (i > 0 ? GAP : 0);
        }
        BufferedImage out = new BufferedImage(total, h + LABEL_BAND, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            FontMetrics fm = g.getFontMetrics();
            int x = 0;
            for (int i = 0; i < images.size(); i++) {
                g.drawImage(images.get(i), x, LABEL_BAND, widths[i], h, null);
                g.setColor(Color.BLACK);
                String text = labels.get(i);
                while (text.length() > 4 && fm.stringWidth(text) > widths[i]) text = text.substring(0, text.length() - 2) + "…";
                g.drawString(text, x + 2, (LABEL_BAND + fm.getAscent() - fm.getDescent()) / 2);
                x += widths[i] + GAP;
            }
        } finally {
            g.dispose();
        }
        int[] rgb = out.getRGB(0, 0, out.getWidth(), out.getHeight(), null, 0, out.getWidth());
        for (int i = 0; i < rgb.length; i++) rgb[i] &= 0xFFFFFF;
        Images.writeRgb(file, new RgbImage(out.getWidth(), out.getHeight(), rgb));
        return true;
    }
}
