package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sbgan.cli.Cli.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.cli.Cli.Run;

/** {@code sbgan-cli segmenter train / eval}: a run folder with a bundle, a score table and JSON, resume, one-line errors. */
class SegmenterCommandTest {
    private static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");

    @Test
    void trainsScoresAndResumes(@TempDir Path tmp) throws Exception {
        Path seg = tmp.resolve("seg");
        Run t = run("segmenter", "train", "--data", TESTDATA.toString(), "--out", seg.toString(), "--size", "16x32", "--iterations", "4",
                "--batch", "4", "--checkpoint-every", "2", "--threads", "2", "--progress", "lines");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("segmenter on cityscapes val") && t.out().contains("vehicle"), t.out());
        assertTrue(Files.isRegularFile(seg.resolve("model/segmenter.onnx")) && Files.isRegularFile(seg.resolve("metrics.jsonl")));

        Path json = tmp.resolve("score.json");
        Path grid = tmp.resolve("grid.png");
        Run e = run("segmenter", "eval", "--model", seg.toString(), "--data", TESTDATA.toString(), "--out", json.toString(), "--threads", "2",
                "--samples", grid.toString(), "--sample-count", "6");
        assertEquals(0, e.code(), e.err());
        var png = org.sbgan.runtime.image.Images.readRgb(grid);
        int cell = 3 * 32 * 2 + 2 * 2; // image | truth | prediction at 16×32, zoom 2, two gutters
        assertEquals(4 * cell + 3 * 2, png.width(), "4 columns of cells");
        assertEquals(2 * 16 * 2 + 2, png.height(), "6 pairs in 2 rows");
        assertTrue(e.out().contains("confusion matrix"), e.out());
        var n = new ObjectMapper().readTree(json.toFile());
        assertEquals(60, n.path("samples").asInt());
        assertEquals(8, n.path("confusion").size());
        assertTrue(n.path("miou").asDouble() >= 0 && n.path("miou").asDouble() <= 1, n.toString());

        // the trained segmenter as G_img's segmenter loss: 16×32 divides the tiny image (32×64) by 2
        Path gan = tmp.resolve("gan");
        Run withLoss = run("train", "--data", TESTDATA.toString(), "--stage", "spade", "--max-steps", "2", "--run", gan.toString(), "--threads", "2",
                "--progress", "lines", "--segmenter-loss", seg.toString(), "--segmenter-loss-weight", "2", "--segmenter-loss-classes", "balanced");
        assertEquals(0, withLoss.code(), withLoss.err());
        var cfg = new ObjectMapper().readTree(gan.resolve("config.json").toFile()).path("segmenterLoss");
        assertEquals(seg.toAbsolutePath().normalize().toString(), cfg.path("segmenter").asText(), cfg.toString());
        assertEquals(2.0, cfg.path("weight").asDouble(), cfg.toString());
        assertEquals("balanced", cfg.path("classes").asText(), cfg.toString());
        var manifest = new ObjectMapper().readTree(gan.resolve("graphs/manifest.json").toFile()).path("segmenter_loss");
        assertEquals(8, manifest.path("class_weights").size(), manifest.toString());
        assertTrue(Files.readString(gan.resolve("metrics.jsonl")).contains("\"segmenter\":"), "the term is logged");
        Run resumeWith = run("train", "--run", gan.toString(), "--resume", "--segmenter-loss", seg.toString());
        assertEquals(2, resumeWith.code());
        assertTrue(resumeWith.err().contains("drop --segmenter-loss"), resumeWith.err());

        Path odd = tmp.resolve("odd");
        Files.createDirectories(odd);
        Files.copy(seg.resolve("model/segmenter.onnx"), odd.resolve("segmenter.onnx"));
        Files.writeString(odd.resolve("segmenter.json"), Files.readString(seg.resolve("model/segmenter.json"))
                .replace("\"height\" : 16", "\"height\" : 12").replace("\"width\" : 32", "\"width\" : 24"));
        for (Path bad : new Path[] {tmp.resolve("nope"), odd}) {
            Path r = tmp.resolve("gan-" + bad.getFileName());
            Run refused = run("train", "--data", TESTDATA.toString(), "--stage", "spade", "--max-steps", "1", "--run", r.toString(),
                    "--segmenter-loss", bad.toString());
            assertEquals(2, refused.code(), refused.err());
            String first = refused.err().lines().findFirst().orElse("");
            assertTrue(first.startsWith("error: --segmenter-loss " + bad), refused.err());
            assertTrue(first.contains(bad == odd ? "does not divide the image size 32×64" : "no such folder"), first);
            assertTrue(!Files.exists(r), "nothing written for a refused segmenter");
        }

        Run again = run("segmenter", "train", "--data", TESTDATA.toString(), "--out", seg.toString(), "--size", "16x32", "--iterations", "4");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("--resume") && again.err().lines().count() == 1, again.err());
        Run resumed = run("segmenter", "train", "--data", TESTDATA.toString(), "--out", seg.toString(), "--resume", "--threads", "2",
                "--val-split", "none");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("0 iterations"), resumed.out());
    }

    @Test
    void tinyTrainsItsOwnSegmenterWhenTheSpadeStageStartsAndNoneTurnsTheLossOff(@TempDir Path tmp) throws Exception {
        Path seg = tmp.resolve("seg-only");
        Run layouts = run("train", "--data", TESTDATA.toString(), "--stage", "seg", "--max-steps", "1", "--run", seg.toString(), "--threads", "2",
                "--progress", "lines");
        assertEquals(0, layouts.code(), layouts.err());
        assertEquals("auto", new ObjectMapper().readTree(seg.resolve("config.json").toFile()).path("segmenterLoss").path("segmenter").asText());
        assertTrue(!Files.exists(seg.resolve("segmenter")), "no segmenter trained for a run without the SPADE stage");

        Path spade = tmp.resolve("spade");
        Run own = run("train", "--data", TESTDATA.toString(), "--stage", "spade", "--max-steps", "3", "--run", spade.toString(), "--threads", "2",
                "--progress", "lines");
        assertEquals(0, own.code(), own.err());
        assertTrue(own.err().contains("training the run's own segmenter for the segmenter loss: 3 iterations of 16 at 32×64"), own.err());
        assertTrue(Files.isRegularFile(spade.resolve("segmenter/model/segmenter.onnx")), "RUN/segmenter holds the segmenter");
        assertEquals(3, Files.readString(spade.resolve("metrics.jsonl")).lines().filter(l -> l.contains("\"segmenter\":")).count());
        var recorded = new ObjectMapper().readTree(spade.resolve("model/model.json").toFile()).path("trained").path("segmenter_loss");
        assertTrue(recorded.path("segmenter").asText().endsWith("segmenter") && recorded.path("weight").asDouble() == 1.0, recorded.toString());

        Path off = tmp.resolve("off");
        Run none = run("train", "--data", TESTDATA.toString(), "--stage", "spade", "--max-steps", "1", "--run", off.toString(), "--threads", "2",
                "--progress", "lines", "--segmenter-loss", "none");
        assertEquals(0, none.code(), none.err());
        assertTrue(new ObjectMapper().readTree(off.resolve("config.json").toFile()).path("segmenterLoss").isNull());
        assertTrue(!Files.readString(off.resolve("metrics.jsonl")).contains("\"segmenter\":") && !Files.exists(off.resolve("segmenter")));
    }

    @Test
    void badInputIsOneLine(@TempDir Path tmp) {
        Run missing = run("segmenter", "eval", "--model", tmp.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope") && missing.err().lines().count() == 1, missing.err());
        Run size = run("segmenter", "train", "--out", tmp.resolve("s").toString(), "--size", "30x64");
        assertEquals(2, size.code());
        assertTrue(size.err().contains("divisible"), size.err());
        Run noData = run("segmenter", "train", "--out", tmp.resolve("s2").toString(), "--data", tmp.resolve("nodata").toString());
        assertEquals(1, noData.code());
        assertTrue(noData.err().contains("nodata"), noData.err());
    }
}
