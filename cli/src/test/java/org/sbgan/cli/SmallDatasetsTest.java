package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sbgan.runtime.image.Images;
import org.sbgan.trainer.run.MetricsLog;

/**
 * Small datasets (6, 10, 12 scenes: fewer than the tiny preset's batch of 16, or of 8) in the Cityscapes, ADE20K
 * and paired layouts train with the default batches; one bad file is named under {@code fail} before anything is
 * written, and left out under {@code skip}; an empty folder is one line.
 */
class SmallDatasetsTest {
    private static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
    private static final String IMG = "leftImg8bit/train/synthtown/", LBL = "gtFine/train/synthtown/";

    @TempDir
    static Path shared;
    /** A graphs folder built once by the first run and linked into the others (the graphs do not depend on the data). */
    private static Path graphs;

    enum Layout { CITYSCAPES, ADE20K, PAIRS }

    /** What is wrong with the bad file. */
    enum Fault { TRUNCATED_IMAGE, GARBAGE_LABEL_MAP, WRONG_SIZE_LABEL_MAP, UNKNOWN_IDS }

    /** A dataset of {@code n} testdata scenes in {@code layout}; returns the paths of scene {@code i}'s image and label map. */
    static Path[] make(Path root, Layout layout, int n) throws IOException {
        Path[] badPair = null;
        for (int i = 0; i < n; i++) {
            String id = String.format("synthtown_%06d_000019", i);
            Path img, lbl;
            switch (layout) {
                case CITYSCAPES -> {
                    img = root.resolve("leftImg8bit/train/town/" + id + "_leftImg8bit.png");
                    lbl = root.resolve("gtFine/train/town/" + id + "_gtFine_labelIds.png");
                }
                case ADE20K -> {
                    img = root.resolve("images/training/scene" + i + ".png");
                    lbl = root.resolve("annotations/training/scene" + i + ".png");
                }
                default -> {
                    img = root.resolve("images/scene" + i + ".png");
                    lbl = root.resolve("labels/scene" + i + ".png");
                }
            }
            Files.createDirectories(img.getParent());
            Files.createDirectories(lbl.getParent());
            Files.copy(TESTDATA.resolve(IMG + id + "_leftImg8bit.png"), img);
            Files.copy(TESTDATA.resolve(LBL + id + "_gtFine_labelIds.png"), lbl);
            if (i == 3) badPair = new Path[] {img, lbl};
        }
        return badPair;
    }

    /** Damages scene 3 and returns the file that is now bad. */
    static Path damage(Path[] pair, Fault fault) throws IOException {
        Path img = pair[0], lbl = pair[1];
        switch (fault) {
            case TRUNCATED_IMAGE -> {
                byte[] b = Files.readAllBytes(img);
                Files.write(img, Arrays.copyOf(b, b.length / 2));
                return img;
            }
            case GARBAGE_LABEL_MAP -> {
                Files.write(lbl, "not a PNG at all, just some words".getBytes());
                return lbl;
            }
            case WRONG_SIZE_LABEL_MAP -> {
                Images.writeGray8(lbl, 10, 10, new int[100]);
                return lbl;
            }
            default -> {
                int[] v = new int[64 * 128];
                Arrays.fill(v, 7);
                v[5] = 200;
                Images.writeGray8(lbl, 128, 64, v);
                return lbl;
            }
        }
    }

    static String format(Layout l) {
        return l.name().toLowerCase();
    }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        int k = 0;
        for (Layout l : Layout.values()) for (int n : new int[] {6, 10, 12}) a.add(Arguments.of(l, n, Fault.values()[k++ % Fault.values().length]));
        return a.stream();
    }

    /**
     * The smallest dataset of each layout: the skip test below already trains every layout on 5, 9 and 11 samples
     * (all fewer than a batch), so the clean run needs only one size per layout.
     */
    static Stream<Arguments> smallest() {
        return cases().filter(a -> (int) a.get()[1] == 6);
    }

    private static List<String> args(Path data, Layout l, Path run, String stage, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--stage", stage, "--data", data.toString(), "--data-format", format(l), "--run",
                run.toString(), "--max-steps", "1", "--sample-every", "1000", "--threads", "2", "--progress", "lines"));
        a.addAll(List.of(more));
        return a;
    }

    /** Links the shared graphs into a new run folder, so that each run skips the build. */
    private static void linkGraphs(Path run) throws IOException {
        if (graphs == null) return;
        try (Stream<Path> s = Files.walk(graphs)) {
            for (Path p : s.toList()) {
                Path to = run.resolve("graphs").resolve(graphs.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.createLink(to, p);
            }
        }
    }

    @BeforeAll
    static void everyStageTrainsOnSixScenesWithTheDefaultBatches() throws Exception {
        Path data = shared.resolve("cs6"), run = shared.resolve("run-all");
        make(data, Layout.CITYSCAPES, 6);
        Cli.Run r = Cli.run(args(data, Layout.CITYSCAPES, run, "all").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("has 6 samples, fewer than a batch of 16"), r.err());
        assertTrue(r.err().contains("has 6 samples, fewer than a batch of 8"), r.err());
        List<String> phases = MetricsLog.read(run.resolve("metrics.jsonl")).stream().map(o -> o.get("phase").asText()).toList();
        assertEquals(List.of("seg/L0/stabilize", "seg/L1/fade", "seg/L1/stabilize", "seg/L2/fade", "seg/L2/stabilize", "seg/L3/fade",
                "seg/L3/stabilize", "spade", "e2e/d2_pretrain", "e2e"), phases);
        assertTrue(Files.isRegularFile(run.resolve("model/model.json")));
        graphs = run.resolve("graphs");
    }

    @ParameterizedTest(name = "{0}, {1} scenes")
    @MethodSource("smallest")
    void trainsWithTheDefaultBatch(Layout layout, int n, Fault unused) throws Exception {
        Path data = shared.resolve(layout + "-" + n), run = shared.resolve("run-" + layout + "-" + n);
        make(data, layout, n);
        linkGraphs(run);
        Cli.Run r = Cli.run(args(data, layout, run, "seg").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains(n + " labelled samples"), r.err());
        assertTrue(r.err().contains("has " + n + " samples, fewer than a batch of 16"), r.err());
        assertEquals(7, MetricsLog.read(run.resolve("metrics.jsonl")).size(), "one step in each of the 7 layout phases");
    }

    @ParameterizedTest(name = "{0}, {1} scenes, {2}")
    @MethodSource("cases")
    void oneBadFileIsNamedBeforeAnythingIsWritten(Layout layout, int n, Fault fault, @TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data"), run = tmp.resolve("run");
        Path bad = damage(make(data, layout, n), fault);
        Cli.Run r = Cli.run(args(data, layout, run, "seg").toArray(String[]::new));
        assertEquals(1, r.code(), r.err());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("error: " + bad + ": "), fault + ": " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertFalse(Files.exists(run), "nothing written before the data is checked: " + run);
    }

    @ParameterizedTest(name = "{0}, {1} scenes, {2}")
    @MethodSource("cases")
    void withSkipTheBadFileIsListedAndTrainingGoesOn(Layout layout, int n, Fault fault, @TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data"), run = tmp.resolve("run");
        Path bad = damage(make(data, layout, n), fault);
        linkGraphs(run);
        Cli.Run r = Cli.run(args(data, layout, run, "seg", "--on-bad-sample", "skip").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("skipped 1 bad sample"), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.strip().startsWith(bad + ": ")), "the bad file is listed: " + r.err());
        assertTrue(r.err().contains((n - 1) + " labelled samples"), r.err());
        assertEquals(7, MetricsLog.read(run.resolve("metrics.jsonl")).size());
    }

    @Test
    void aDatasetOfOnlyBadFilesStopsUnderSkipToo(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path[] pair = make(data, Layout.PAIRS, 4);
        for (Path p : Files.list(data.resolve("labels")).toList()) Files.write(p, new byte[] {1, 2, 3});
        Cli.Run r = Cli.run(args(data, Layout.PAIRS, tmp.resolve("run"), "seg", "--on-bad-sample", "skip")
                .toArray(String[]::new));
        assertEquals(1, r.code());
        assertTrue(r.err().strip().lines().reduce((a, b) -> b).orElse("").contains("all 4 samples of"), r.err());
        assertTrue(Files.exists(pair[1]));
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    @Test
    void anEmptyFolderIsOneLine(@TempDir Path tmp) throws Exception {
        for (Layout layout : Layout.values()) {
            Path empty = tmp.resolve("empty-" + layout);
            Files.createDirectories(empty);
            Cli.Run r = Cli.run(args(empty, layout, tmp.resolve("run"), "seg").toArray(String[]::new));
            assertEquals(1, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("error: ") && r.err().contains(empty.toString()), r.err());
        }
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        Cli.Run r = Cli.run("train", "--data", bare.toString(), "--run", tmp.resolve("run").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("error: " + bare + ": not a dataset folder"), r.err());
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    @Test
    void theLayoutIsReadOffTheFolderWhenNotGiven(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("ade");
        make(data, Layout.ADE20K, 6);
        Path run = tmp.resolve("run");
        linkGraphs(run);
        Cli.Run r = Cli.run("train", "--stage", "seg", "--data", data.toString(), "--run", run.toString(),
                "--max-steps", "1", "--threads", "2", "--progress", "lines");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("data: ade20k training (" + data + "), 6 labelled samples"), r.err());
    }
}
