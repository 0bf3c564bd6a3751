package org.sbgan.trainer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.sbgan.runtime.files.AtomicFiles;

/**
 * One PNG of loss curves per training stage, drawn from {@code metrics.jsonl}, so a run folder shows how
 * training went without a notebook. Each loss is smoothed by a moving average (raw GAN losses are too noisy to
 * read) and drawn without markers. Rendering is headless: training machines have no display.
 */
public final class LossCurves {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Chart size in pixels. */
    public static final int WIDTH = 900, HEIGHT = 500;

    /** Numeric fields that are counters, timings or schedules, not losses. */
    private static final Set<String> NOT_LOSSES = Set.of("step", "stage_step", "level", "epoch", "time_s", "step_ms", "images_per_s");
    private static final Pattern STAGE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    private LossCurves() {}

    /**
     * Writes {@code <outDir>/<stage>.png} for every {@code "stage"} in {@code metricsFile} (records without a
     * stage or a numeric step are skipped) and returns the paths, in order of the stages' first records. Each
     * file is written atomically, so a viewer never sees half a chart.
     */
    public static List<Path> write(Path metricsFile, Path outDir) throws IOException {
        Map<String, List<ObjectNode>> stages = new LinkedHashMap<>();
        for (ObjectNode r : MetricsLog.read(metricsFile)) {
            JsonNode stage = r.get("stage"), step = r.get("step");
            if (stage == null || !stage.isTextual() || step == null || !step.isNumber()) continue;
            if (!STAGE_NAME.matcher(stage.asText()).matches()) {
                throw new IOException(metricsFile + ": stage \"" + stage.asText() + "\" cannot be used as a file name");
            }
            stages.computeIfAbsent(stage.asText(), s -> new ArrayList<>()).add(r);
        }
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, List<ObjectNode>> e : stages.entrySet()) {
            byte[] png = BitmapEncoder.getBitmapBytes(chart(e.getKey(), e.getValue()), BitmapEncoder.BitmapFormat.PNG);
            Path file = outDir.resolve(e.getKey() + ".png");
            AtomicFiles.write(file, png);
            written.add(file);
        }
        return written;
    }

    /** The chart of one stage: x = step, one smoothed line per loss field. */
    static XYChart chart(String stage, List<ObjectNode> records) {
        List<ObjectNode> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingDouble(r -> r.get("step").doubleValue()));
        int window = Math.max(1, sorted.size() / 50);
        List<String> losses = lossFields(sorted);
        String title = losses.isEmpty() ? stage + ": no loss fields"
                : stage + " losses (moving average over " + window + (window == 1 ? " step)" : " steps)");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setMarkerSize(0);
        for (String metric : losses) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (ObjectNode r : sorted) {
                double y = value(r.get(metric));
                if (Double.isFinite(y)) {
                    xs.add(r.get("step").doubleValue());
                    ys.add(y);
                }
            }
            if (xs.isEmpty()) continue;
            XYSeries series = chart.addSeries(metric, xs, movingAverage(ys, window));
            series.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /** Names of the loss fields, in order of first appearance: numeric (or non-finite) fields that are not counters. */
    static List<String> lossFields(List<ObjectNode> records) {
        Set<String> names = new LinkedHashSet<>();
        for (ObjectNode r : records) {
            for (Map.Entry<String, JsonNode> f : r.properties()) {
                String name = f.getKey();
                if (NOT_LOSSES.contains(name) || name.startsWith("lr.") || name.startsWith("fade_alpha")) continue;
                if (f.getValue().isNumber()) names.add(name);
            }
        }
        return new ArrayList<>(names);
    }

    /** A number, or NaN for anything else (such as the strings {@link MetricsLog} writes for non-finite floats). */
    static double value(JsonNode v) {
        return v != null && v.isNumber() ? v.doubleValue() : Double.NaN;
    }

    /** Trailing moving average: point i is the mean of points max(0, i−window+1)..i. */
    static List<Double> movingAverage(List<Double> ys, int window) {
        List<Double> out = new ArrayList<>(ys.size());
        double sum = 0;
        for (int i = 0; i < ys.size(); i++) {
            sum += ys.get(i);
            if (i >= window) sum -= ys.get(i - window);
            out.add(sum / Math.min(i + 1, window));
        }
        return out;
    }
}
