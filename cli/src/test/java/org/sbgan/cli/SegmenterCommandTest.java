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

        Run again = run("segmenter", "train", "--data", TESTDATA.toString(), "--out", seg.toString(), "--size", "16x32", "--iterations", "4");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("--resume") && again.err().lines().count() == 1, again.err());
        Run resumed = run("segmenter", "train", "--data", TESTDATA.toString(), "--out", seg.toString(), "--resume", "--threads", "2",
                "--val-split", "none");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("0 iterations"), resumed.out());
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
