package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;

class ReportTest {
    static ObjectNode result(String label, String mode, double fid, double swd) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("label", label).put("mode", mode).put("features", BuiltinFeatures.NAME).put("kind", "sbgan").put("preset", "tiny").put("seed", 1).put("count", 60);
        ObjectNode m = o.putObject("metrics");
        m.put("fid", fid).put("kid_mean", fid / 1000).put("kid_std", 0.001).put("swd", swd);
        return o;
    }

    static Path run(Path dir, int gridHeight, ObjectNode... results) throws Exception {
        Files.createDirectories(dir.resolve("eval"));
        for (ObjectNode r : results) {
            Files.writeString(dir.resolve("eval").resolve(r.get("label").asText().replace(' ', '-') + "-" + r.get("mode").asText() + ".json"), r.toString());
        }
        if (gridHeight > 0) {
            Files.createDirectories(dir.resolve("samples"));
            int w = gridHeight * 2;
            int[] rgb = new int[w * gridHeight];
            for (int i = 0; i < rgb.length; i++) rgb[i] = (i * 2654435761L % 0xFFFFFF) > 0 ? (int) (i * 2654435761L % 0xFFFFFF) : 0;
            Images.writeRgb(dir.resolve("samples/final_images.png"), new RgbImage(w, gridHeight, rgb));
        }
        return dir;
    }

    @Test
    void meanAndSampleStdPerLabelAndMode(@TempDir Path tmp) throws Exception {
        Path a = run(tmp.resolve("a"), 64, result("sbgan tiny", "uncond", 10, 5), result("sbgan tiny", "cond", 8, 4));
        Path b = run(tmp.resolve("b"), 96, result("sbgan tiny", "uncond", 14, 7));
        Path c = run(tmp.resolve("c"), 0, result("progan-rgb tiny", "uncond", 20, 9));
        Report.Written w = Report.write(List.of(a, b, c), tmp.resolve("out"));
        assertEquals(3, w.groups().size());
        Report.Group g = w.groups().stream().filter(x -> x.mode().equals("uncond") && x.label().equals("sbgan tiny")).findFirst().orElseThrow();
        assertEquals("sbgan tiny", g.label());
        assertEquals(2, g.n());
        assertEquals(12, g.stats().get("fid").mean(), 1e-12);
        assertEquals(Math.sqrt(8), g.stats().get("fid").std(), 1e-12);
        String md = Files.readString(w.markdown());
        assertTrue(md.contains("12.000 ± 2.828"), md);
        assertTrue(md.contains("## uncond") && md.contains("## cond") && md.contains("metrics.png") && md.contains("samples.png"), md);
        assertTrue(md.contains("not Inception"), md);
        RgbImage chart = Images.readRgb(w.metricsPng());
        assertTrue(chart.width() > 100);
        assertNotNull(w.samplesPng());
        RgbImage s = Images.readRgb(w.samplesPng());
        assertEquals(96 + 28, s.height());
        assertThrows(IllegalArgumentException.class, () -> Report.load(List.of(tmp.resolve("out"))));
    }

    static ObjectNode layout(String label, double diversity, double skyGenerated) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("label", label).put("mode", "layout").put("features", Evaluation.LAYOUT_FEATURES).put("kind", "sbgan").put("preset", "tiny");
        ObjectNode m = o.putObject("metrics");
        m.put("classfreq_tv", 0.1).put("swd", 50.0);
        m.put(LayoutMetrics.DIVERSITY, diversity).put(LayoutMetrics.realKey(LayoutMetrics.DIVERSITY), 0.387);
        m.put(LayoutMetrics.NN_DISAGREEMENT, 0.2).put(LayoutMetrics.realKey(LayoutMetrics.NN_DISAGREEMENT), 0.21);
        ObjectNode p = m.putObject(LayoutMetrics.PRESENCE);
        p.putObject("sky").put("generated", skyGenerated).put("real", 1.0);
        p.putObject("human").put("generated", 0.5).put("real", 0.6);
        return o;
    }

    @Test
    void layoutQualityGeneratedNextToRealWithSpread(@TempDir Path tmp) throws Exception {
        Path a = run(tmp.resolve("a"), 0, layout("sbgan tiny", 0.3, 0.9), result("sbgan tiny", "uncond", 10, 5));
        Path b = run(tmp.resolve("b"), 0, layout("sbgan tiny", 0.5, 0.7));
        Report.Written w = Report.write(List.of(a, b), tmp.resolve("out"));
        Report.Group g = w.groups().stream().filter(x -> x.mode().equals("layout")).findFirst().orElseThrow();
        assertEquals(0.4, g.stats().get(LayoutMetrics.DIVERSITY).mean(), 1e-12);
        assertEquals(0.8, g.presence().get("sky").generated().mean(), 1e-12);
        assertEquals(0, g.presence().get("sky").real().std(), 0);
        String md = Files.readString(w.markdown());
        assertTrue(md.contains("### Layout quality: sbgan tiny (n = 2)"), md);
        assertTrue(md.contains("| metric | generated | real data |"), md);
        assertTrue(md.contains("| " + LayoutMetrics.title(LayoutMetrics.DIVERSITY) + " | 0.40000 ± 0.14142 | 0.38700 ± 0.00000 |"), md);
        assertTrue(md.contains("| presence: sky | 0.80000 ± 0.14142 | 1.000 ± 0.00000 |"), md);
        // The main layout table keeps its columns; the paired values are not repeated there.
        String header = md.lines().filter(l -> l.startsWith("| label | n |") && l.contains("class-frequency TV distance")).findFirst().orElseThrow();
        assertTrue(!header.contains("diversity"), header);
        // Groups without layout metrics get no such table.
        assertEquals(1, md.split("### Layout quality", -1).length - 1, md);
        assertTrue(md.contains("## uncond"), md);
    }
}
