package org.sbgan.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;

class LossCurvesTest {
    @TempDir Path dir;

    private static Map<String, Object> record(String stage, int step, Object... fields) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        r.put("stage", stage);
        for (int i = 0; i < fields.length; i += 2) r.put((String) fields[i], fields[i + 1]);
        return r;
    }

    /** Pixels of a saturated colour: series lines are; text, axes, grid lines and backgrounds are gray. */
    private static int colouredPixels(RgbImage img) {
        int count = 0;
        for (int p : img.rgb()) {
            int r = p >> 16 & 0xFF, g = p >> 8 & 0xFF, b = p & 0xFF;
            if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) count++;
        }
        return count;
    }

    @Test
    void writesOneDecodablePngPerStage() throws IOException {
        Path metrics = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(metrics, Long.MAX_VALUE)) {
            for (int s = 0; s < 200; s++) {
                log.write(record("seg", s, "level", s / 100, "loss.ce", 2.0 / (1 + s) + 0.1 * Math.sin(s), "lr.g", 1e-4, "time_s", s * 0.5));
            }
            for (int s = 200; s < 260; s++) {
                log.write(record("e2e", s, "loss.g", Math.cos(s / 10.0), "loss.d", s == 210 ? Double.NaN : 0.5, "fade_alpha", 1.0));
            }
            log.write(record("timings_only", 300, "step_ms", 12.5, "images_per_s", 80.0, "epoch", 3));
        }
        Path out = dir.resolve("curves");
        List<Path> written = LossCurves.write(metrics, out);
        assertEquals(List.of(out.resolve("seg.png"), out.resolve("e2e.png"), out.resolve("timings_only.png")), written);
        List<Integer> coloured = new ArrayList<>();
        for (Path png : written) {
            RgbImage img = Images.readRgb(png);
            assertEquals(LossCurves.WIDTH, img.width(), png.toString());
            assertEquals(LossCurves.HEIGHT, img.height(), png.toString());
            coloured.add(colouredPixels(img));
        }
        assertTrue(coloured.get(2) < 50, "a stage without losses draws no series: " + coloured);
        assertTrue(coloured.get(0) > coloured.get(2) + 500, "the seg curve is drawn: " + coloured);
        assertTrue(coloured.get(1) > coloured.get(2) + 500, "the e2e curves are drawn: " + coloured);
        try (var files = Files.list(out)) {
            assertEquals(3, files.count(), "no temporary files are left behind");
        }
    }

    @Test
    void lossFieldsLeaveOutCountersTimingsAndSchedules() throws IOException {
        ObjectNode r = (ObjectNode) new ObjectMapper().readTree("{\"step\":1,\"stage_step\":1,\"level\":0,\"epoch\":0,\"time_s\":1,"
                + "\"step_ms\":3,\"images_per_s\":9,\"lr.g\":1e-4,\"fade_alpha\":0.5,\"fade_alpha.d\":0.5,\"stage\":\"seg\","
                + "\"loss.g\":1.5,\"d_real\":0.2,\"nan_loss\":\"NaN\",\"ok\":true}");
        assertEquals(List.of("loss.g", "d_real"), LossCurves.lossFields(List.of(r)));
    }

    @Test
    void chartSmoothsOverOneFiftiethOfTheRecordsAndSkipsNonFiniteValues() throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<ObjectNode> records = new ArrayList<>();
        for (int s = 199; s >= 0; s--) {
            String loss = s == 7 ? "\"NaN\"" : Integer.toString(s % 2 == 0 ? 0 : 4);
            records.add((ObjectNode) m.readTree("{\"step\":" + s + ",\"stage\":\"seg\",\"loss\":" + loss + "}"));
        }
        XYChart chart = LossCurves.chart("seg", records);
        assertEquals("seg losses (moving average over 4 steps)", chart.getTitle());
        XYSeries series = chart.getSeriesMap().get("loss");
        assertEquals(199, series.getXData().length, "step 7's NaN is skipped");
        assertEquals(0.0, series.getXData()[0], "points are in step order");
        assertEquals(List.of(0.0, 2.0, 4.0 / 3), List.of(series.getYData()[0], series.getYData()[1], series.getYData()[2]));
        assertEquals(2.0, series.getYData()[100], 1e-12, "four alternating 0/4 points average to 2");
    }

    @Test
    void movingAverageIsTrailingAndWindowed() {
        assertEquals(List.of(1.0, 1.5, 2.5, 3.5), LossCurves.movingAverage(List.of(1.0, 2.0, 3.0, 4.0), 2));
        assertEquals(List.of(1.0, 2.0), LossCurves.movingAverage(List.of(1.0, 2.0), 1));
    }

    @Test
    void stageNamesThatAreNotFileNamesFail() throws IOException {
        Path metrics = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(metrics, Long.MAX_VALUE)) {
            log.write(record("../escape", 1, "loss", 1.0));
        }
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> LossCurves.write(metrics, dir.resolve("out")));
        assertTrue(e.getMessage().startsWith(metrics + ": "), e.getMessage());
    }
}
