package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.Device;
import org.sbgan.runtime.LabelMap;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.SceneGenerator.Options;
import org.sbgan.runtime.bundle.BadBundleException;
import org.sbgan.runtime.bundle.ModelBundle;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.LabelRaster;
import org.sbgan.runtime.write.ContactSheet;
import org.sbgan.runtime.write.SceneWriter;

/**
 * sbgan-runtime's {@link SceneGenerator} on a real model bundle, written by a one-step {@code train --stage seg}
 * (the runtime module cannot build one itself: it does not depend on the graph builder).
 */
class SceneGeneratorTest {
    private static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
    private static final long SEED = 42;

    @TempDir
    static Path tmp;
    static Path bundle;
    static SceneGenerator gen;
    static List<Scene> reference;

    @BeforeAll
    static void trainOneStep() throws Exception {
        Path run = tmp.resolve("run");
        int rc = Main.execute("train", "--stage", "seg", "--max-steps", "1", "--run", run.toString(), "--threads", "2", "--progress", "lines",
                "--data", TESTDATA.toString());
        assertEquals(0, rc, "train exit code");
        bundle = run.resolve("model");
        gen = SceneGenerator.open(bundle, new Options(Device.CPU, 1, 16, 0f));
        reference = gen.generate(64, SEED);
    }

    @AfterAll
    static void close() throws Exception {
        if (gen != null) gen.close();
    }

    @Test
    void scenesDependOnlyOnSeedAndIndexNotOnBatchThreadsOrCount() throws Exception {
        assertEquals(64, reference.size());
        try (SceneGenerator other = SceneGenerator.open(bundle, new Options(Device.CPU, 2, 1, 0f))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Scene>>> parts = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    long from = t * 16L;
                    parts.add(pool.submit(() -> other.scenes(SEED, from, 16)));
                }
                List<Scene> concurrent = new ArrayList<>();
                for (Future<List<Scene>> f : parts) concurrent.addAll(f.get());
                assertSame(reference, concurrent);
            } finally {
                pool.shutdown();
            }
            assertSame(List.of(reference.get(37)), List.of(other.scene(SEED, 37)));
        }
        assertSame(reference, gen.stream(64, SEED).collect(Collectors.toList()));
        List<Scene> perThread = Stream.of(0, 1, 2, 3).parallel().flatMap(t -> gen.scenes(SEED, t * 16L, 16).stream()).collect(Collectors.toList());
        assertSame(reference, perThread);
        assertNotEquals(arraysOf(reference.get(0)), arraysOf(gen.scene(SEED + 1, 0)), "another seed gives another scene");
    }

    private static void assertSame(List<Scene> expected, List<Scene> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Scene e = expected.get(i), a = actual.get(i);
            assertEquals(e.seed(), a.seed());
            assertEquals(e.index(), a.index());
            assertEquals(e.labels(), a.labels(), "labels of scene " + e.index());
            assertArrayEquals(e.imageChw(), a.imageChw(), "image of scene " + e.index()); // bit-exact
        }
    }

    private static String arraysOf(Scene s) {
        return java.util.Arrays.toString(s.imageChw());
    }

    @Test
    void aKeepPredicateGivesTheKeptScenesUnchangedAndRejectsWholeBatches() {
        // About half the scenes, by their class-0 pixels: kept and rejected ones share batches.
        long[] c0 = reference.stream().mapToLong(s -> s.labels().classPixelCounts()[0]).sorted().toArray();
        long median = c0[c0.length / 2];
        java.util.function.Predicate<LabelMap> many = m -> m.classPixelCounts()[0] >= median;
        List<Scene> expected = reference.stream().filter(s -> many.test(s.labels())).collect(Collectors.toList());
        assertTrue(expected.size() > 0 && expected.size() < reference.size(), expected.size() + " kept");
        assertSame(expected, gen.scenes(SEED, 0, 64, many));
        assertEquals(List.of(), gen.scenes(SEED, 0, 20, m -> false), "no image generator run on an empty batch");
    }

    @Test
    void scenesAreWellFormed() {
        ModelBundle b = gen.bundle();
        int k = b.numClasses();
        for (Scene s : reference) {
            assertEquals(b.imageSize().width(), s.width());
            assertEquals(b.imageSize().height(), s.height());
            for (int c : s.labels().indices()) assertTrue(c >= 0 && c < k, "class " + c);
            for (float v : s.imageChw()) assertTrue(v >= -1f && v <= 1f, "pixel " + v);
            assertEquals(s.width(), s.image().getWidth());
            assertEquals(b.labelIds()[s.labels().classAt(3, 5)], s.labelIds()[5 * s.width() + 3]);
        }
    }

    @Test
    void renderingASceneLabelMapGivesItsImage() {
        Scene s = reference.get(5);
        Scene r = gen.render(s.labels());
        assertEquals(-1, r.index());
        assertEquals(s.labels(), r.labels());
        assertArrayEquals(s.imageChw(), r.imageChw());
        List<Scene> several = gen.render(List.of(reference.get(1), reference.get(2)).stream().map(Scene::labels).collect(Collectors.toList()));
        assertArrayEquals(reference.get(2).imageChw(), several.get(1).imageChw());
        LabelMap wrong = new LabelMap(3, 2, new int[6], s.labels().classes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gen.render(wrong));
        assertTrue(e.getMessage().contains("the model takes"), e.getMessage());
    }

    @Test
    void truncationGivesOtherButValidScenes() throws Exception {
        try (SceneGenerator t = SceneGenerator.open(bundle, Options.defaults().withThreads(2).withTruncation(0.5f))) {
            Scene a = t.scene(SEED, 0), b = t.scene(SEED, 0);
            assertArrayEquals(a.imageChw(), b.imageChw());
            assertNotEquals(arraysOf(reference.get(0)), arraysOf(a));
        }
    }

    @Test
    void bothWritersWritePngsThatDecodeToTheScene() throws Exception {
        List<Scene> scenes = reference.subList(0, 3);
        for (SceneWriter w : List.of(SceneWriter.cityscapes(tmp.resolve("cs")), SceneWriter.plain(tmp.resolve("plain")))) {
            assertFalse(w.isComplete(1));
            for (Scene s : scenes) w.write(s);
            for (Scene s : scenes) {
                assertTrue(w.isComplete(s.index()));
                List<Path> f = w.files(s.index());
                assertArrayEquals(s.rgb().rgb(), Images.readRgb(f.get(0)).rgb(), f.get(0).toString());
                LabelRaster l = Images.readLabels(f.get(1));
                assertEquals(8, l.bitDepth());
                int[] expected = w.format() == SceneWriter.Format.CITYSCAPES ? s.labelIds() : s.labels().indices();
                assertArrayEquals(expected, l.values(), f.get(1).toString());
                assertArrayEquals(s.labels().colorRgb().rgb(), Images.readRgb(f.get(2)).rgb(), f.get(2).toString());
            }
            assertFalse(w.isComplete(3));
        }
        assertTrue(Files.isRegularFile(tmp.resolve("cs/leftImg8bit/train/sbgan/sbgan_000002_000019_leftImg8bit.png")));
        assertTrue(Files.isRegularFile(tmp.resolve("cs/gtFine/train/sbgan/sbgan_000002_000019_gtFine_labelIds.png")));
        assertTrue(Files.isRegularFile(tmp.resolve("plain/000002/color.png")));
        Path sheet = tmp.resolve("sheet.png");
        ContactSheet.write(sheet, reference.subList(0, 6), 3);
        var img = Images.readRgb(sheet);
        assertEquals(reference.get(0).rgb().get(0, 0), img.get(ContactSheet.GAP, ContactSheet.GAP));
    }

    @Test
    void aBundleThatDoesNotMatchItsNetworksFailsInOneLineNamingTheFile() throws Exception {
        Path copy = copyBundle("mismatch");
        Path json = copy.resolve("model.json");
        Files.writeString(json, Files.readString(json).replace("\"z_dim\" : 128", "\"z_dim\" : 64"), StandardCharsets.UTF_8);
        BadBundleException e = assertThrows(BadBundleException.class, () -> SceneGenerator.open(copy, Device.CPU));
        assertEquals(copy.resolve("seg_generator.onnx"), e.file());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("\"z\""), e.getMessage());

        Path missing = copyBundle("missing");
        Files.delete(missing.resolve("image_generator.onnx"));
        e = assertThrows(BadBundleException.class, () -> SceneGenerator.open(missing, Device.CPU));
        assertEquals(missing.resolve("image_generator.onnx") + ": no such file (model.json names it as files.image_generator); copy the whole bundle folder",
                e.getMessage());

        Path corrupt = copyBundle("corrupt");
        Files.write(corrupt.resolve("seg_generator.onnx"), new byte[] {1, 2, 3});
        e = assertThrows(BadBundleException.class, () -> SceneGenerator.open(corrupt, Device.CPU));
        assertEquals(corrupt.resolve("seg_generator.onnx"), e.file());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static Path copyBundle(String name) throws IOException {
        Path to = tmp.resolve(name);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(bundle)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().equals("sbgan.onnx")) Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
