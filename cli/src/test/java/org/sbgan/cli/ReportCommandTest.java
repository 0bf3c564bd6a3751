package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;

/** {@code sbgan-cli report}: mean ± std tables and PNGs that decode. */
class ReportCommandTest {
    private static void run(Path dir, double fid, int grid) throws Exception {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("label", "sbgan tiny").put("mode", "uncond").put("features", "sbgan-randconv-v1 (NOT Inception: numbers are not comparable to published FID)")
                .put("kind", "sbgan").put("preset", "TINY").put("seed", 1).put("count", 60);
        o.putObject("metrics").put("fid", fid).put("kid_mean", fid / 100).put("kid_std", 0.01).put("swd", fid / 2);
        Files.createDirectories(dir.resolve("eval"));
        Files.writeString(dir.resolve("eval/sbgan-tiny-uncond.json"), o.toPrettyString());
        Files.createDirectories(dir.resolve("samples"));
        int[] rgb = new int[grid * 2 * grid];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (i * 7919) & 0xFFFFFF;
        Images.writeRgb(dir.resolve("samples/final_images.png"), new RgbImage(grid * 2, grid, rgb));
    }

    @Test
    void twoRunsGiveMeanAndStdAndDecodablePngs(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), out = tmp.resolve("report");
        run(a, 100, 64);
        run(b, 110, 32);
        Cli.Run r = Cli.run("report", "--runs", a.toString(), b.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("±") && md.contains("| sbgan tiny | 2 |") && md.contains("105.0 ± 7.071"), md);
        assertTrue(md.contains("metrics.png") && md.contains("samples.png"), md);
        RgbImage chart = Images.readRgb(out.resolve("metrics.png")), samples = Images.readRgb(out.resolve("samples.png"));
        assertTrue(chart.width() > 0 && chart.height() > 0);
        assertTrue(samples.width() >= 128 + 64 && samples.height() > 64, samples.width() + "×" + samples.height());

        ObjectNode layout = new ObjectMapper().createObjectNode();
        layout.put("label", "sbgan tiny").put("mode", "layout").put("features", "none");
        ObjectNode m = layout.putObject("metrics").put("classfreq_tv", 0.1).put("diversity", 0.3).put("diversity_real", 0.387);
        m.putObject("presence").putObject("sky").put("generated", 1.0).put("real", 1.0);
        Files.writeString(a.resolve("eval/sbgan-tiny-layout.json"), layout.toPrettyString());
        Cli.Run withLayout = Cli.run("report", "--runs", a.toString(), "--out", out.toString());
        assertEquals(0, withLayout.code(), withLayout.err());
        assertTrue(withLayout.out().contains("diversity 0.30000 ± – (real 0.38700 ± –)") && !withLayout.out().contains("diversity_real"), withLayout.out());
        assertTrue(Files.readString(out.resolve("report.md")).contains("| presence: sky | 1.000 ± – | 1.000 ± – |"));

        Cli.Run missing = Cli.run("report", "--runs", tmp.resolve("nope").toString(), "--out", out.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope"), missing.err());
    }
}
