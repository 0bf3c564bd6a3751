package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.models.Preset;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.train.BundleWriter;

/** {@code sbgan-cli eval}: a table naming the extractor, JSON on stdout and in RUN/eval/, one-line errors. */
class EvalCommandTest {
    private static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");

    @Test
    void uncondPrintsATableAndJsonAndSavesIntoTheRun(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("run/model");
        BundleWriter.writeInitial(model, Preset.TINY, 1, LabelSpaces.cityscapesCategories());
        Cli.Run r = Cli.run("eval", "--model", model.toString(), "--real", TESTDATA.toString(), "--count", "24",
                "--threads", "2", "--kid-subsets", "10", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("FID (sbgan-randconv-v1, not Inception)"), r.out());
        String[] lines = r.out().strip().split("\\R");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals("sbgan tiny", j.get("label").asText());
        assertEquals("uncond", j.get("mode").asText());
        assertEquals(24, j.get("count").asInt());
        assertTrue(j.get("features").asText().contains("NOT Inception"));
        assertTrue(Double.isFinite(j.get("metrics").get("fid").asDouble()));
        Path saved = tmp.resolve("run/eval/sbgan-tiny-uncond.json");
        assertTrue(Files.isRegularFile(saved), r.out());
        assertEquals(j.get("metrics"), new ObjectMapper().readTree(saved.toFile()).get("metrics"));

        Cli.Run layout = Cli.run("eval", "--model", model.toString(), "--real", TESTDATA.toString(), "--mode", "layout",
                "--count", "12", "--label", "my run", "--out", "none");
        assertEquals(0, layout.code(), layout.err());
        assertTrue(layout.out().contains("class-frequency TV distance"), layout.out());
        assertTrue(layout.out().contains("layout quality") && layout.out().contains("real data"), layout.out());
        for (String k : org.sbgan.trainer.eval.LayoutMetrics.KEYS) {
            assertTrue(layout.out().contains(org.sbgan.trainer.eval.LayoutMetrics.title(k)), k + "\n" + layout.out());
        }
        assertTrue(layout.out().lines().anyMatch(l -> l.strip().startsWith("sky ")), layout.out());

        Cli.Run noTrain = Cli.run("eval", "--model", model.toString(), "--real", TESTDATA.toString(), "--mode", "layout",
                "--count", "12", "--metrics", "nn,presence", "--train-split", "nope", "--out", "none", "--json");
        assertEquals(0, noTrain.code(), noTrain.err());
        assertTrue(noTrain.out().contains("note: nearest-neighbour disagreement skipped"), noTrain.out());
        String[] nl = noTrain.out().strip().split("\\R");
        JsonNode nj = new ObjectMapper().readTree(nl[nl.length - 1]);
        assertTrue(nj.get("metrics").get("presence").has("vehicle") && !nj.get("metrics").has("nn_disagreement"), nj.toString());
        assertTrue(!Files.exists(tmp.resolve("run/eval/my-run-layout.json")));
    }

    @Test
    void usageAndInputErrors(@TempDir Path tmp) throws Exception {
        Cli.Run none = Cli.run("eval", "--real", TESTDATA.toString());
        assertEquals(2, none.code(), none.err());
        Cli.Run badMetric = Cli.run("eval", "--fake", tmp.toString(), "--metrics", "fid,classfreq");
        assertEquals(2, badMetric.code(), badMetric.err());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Cli.Run r = Cli.run("eval", "--fake", empty.toString(), "--real", TESTDATA.toString());
        assertEquals(1, r.code(), r.err());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("error: " + empty), r.err());
        assertTrue(r.err().contains(TESTDATA + " is in the cityscapes layout (leftImg8bit/, gtFine/)"), "the layout it read off: " + r.err());

        Cli.Run typo = Cli.run("eval", "--fake", tmp.toString(), "--kid-subsets", "many");
        assertEquals(2, typo.code());
        assertEquals(List.of("error: Invalid value for option '--kid-subsets': 'many' is not an int", "try 'sbgan-cli eval --help'"),
                typo.err().strip().lines().toList(), "one line and a hint, not the usage text");

        Path model = tmp.resolve("run/model");
        BundleWriter.writeInitial(model, Preset.TINY, 1, LabelSpaces.cityscapesCategories());
        for (String share : List.of("0", "1", "1.5", "-0.2")) {
            Cli.Run bad = Cli.run("eval", "--model", model.toString(), "--real", TESTDATA.toString(), "--mode", "tstr", "--tstr-synthetic-share", share);
            assertEquals(2, bad.code(), share + ": " + bad.err());
            assertTrue(bad.err().contains("synthetic share of the real + synthetic batches must be between 0 and 1 (exclusive), not "), bad.err());
            assertTrue(Files.notExists(tmp.resolve("run/eval/tstr")), "nothing trained for a bad share");
        }
        for (String finish : List.of("1", "-0.1", "2")) {
            Cli.Run bad = Cli.run("eval", "--model", model.toString(), "--real", TESTDATA.toString(), "--mode", "tstr", "--tstr-real-finish", finish);
            assertEquals(2, bad.code(), finish + ": " + bad.err());
            assertTrue(bad.err().contains("real-only finish of the real + synthetic segmenter must be a share of its iterations in [0, 1), not "), bad.err());
        }
        Cli.Run filter = Cli.run("eval", "--model", model.toString(), "--real", TESTDATA.toString(), "--mode", "tstr", "--tstr-mixed-filter", "confident");
        assertEquals(2, filter.code(), filter.err());
        assertTrue(filter.err().strip().lines().findFirst().orElseThrow().contains("--tstr-mixed-filter")
                && filter.err().contains("NONE, AGREEMENT"), "names the option and its values: " + filter.err());
        assertTrue(Files.notExists(tmp.resolve("run/eval/tstr")), "nothing trained for an unknown filter");
    }

    @Test
    void aRealFolderOfImagesIsRecognisedWithoutRealFormat(@TempDir Path tmp) throws Exception {
        Path real = TESTDATA.resolve("leftImg8bit/train/synthtown"), fake = TESTDATA.resolve("leftImg8bit/val/synthville");
        Cli.Run r = Cli.run("eval", "--fake", fake.toString(), "--real", real.toString(), "--metrics", "kid",
                "--out", "none");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains(real + " is in the folder layout (image files)"), r.err());
        assertTrue(r.out().contains("KID"), r.out());
    }
}
