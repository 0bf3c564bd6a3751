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
}
