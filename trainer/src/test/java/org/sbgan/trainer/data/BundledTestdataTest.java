package org.sbgan.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;

/**
 * The bundled {@code testdata/} (synthetic Cityscapes layout, 64×128, train + val) loads cleanly: every image has
 * its label map, nothing is bad, and the 8-category histogram has road (flat), building (construction), sky and
 * vehicle pixels, as made by {@code synth-data --count 300 --size 64x128 --seed 1} (testdata/README.md).
 * {@code -Dsbgan.testdata=DIR} or the environment variable {@code SBGAN_TESTDATA} points it at another copy.
 */
class BundledTestdataTest {
    private static Path testdata() {
        String override = System.getProperty("sbgan.testdata", System.getenv("SBGAN_TESTDATA"));
        if (override != null) return Path.of(override);
        Path cwd = Path.of(System.getProperty("user.dir"));
        for (Path p : new Path[] {cwd.resolve("testdata"), cwd.resolveSibling("testdata")}) {
            if (Files.isDirectory(p.resolve("leftImg8bit"))) return p;
        }
        return null;
    }

    private static long count(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }

    @Test
    void loadsWithExpectedCountsAndCategories() throws IOException {
        Path root = testdata();
        assertNotNull(root, "testdata/ (committed with the repository) was not found from " + System.getProperty("user.dir"));
        LabelSpace cat = LabelSpaces.cityscapesCategories();
        int total = 0;
        Map<String, Integer> expected = Map.of("train", 240, "val", 60);
        for (String split : new String[] {"train", "val"}) {
            long images = count(root.resolve("leftImg8bit").resolve(split), "_leftImg8bit.png");
            assertEquals(images, count(root.resolve("gtFine").resolve(split), "_gtFine_labelIds.png"), split + ": one label map per image");
            FileSampleSource src = Datasets.cityscapes(root, split, cat, Datasets.Content.PAIRED, BadSamplePolicy.FAIL);
            assertTrue(src.size() > 0);
            assertEquals(images, src.size(), split);
            if (System.getProperty("sbgan.testdata", System.getenv("SBGAN_TESTDATA")) == null) {
                assertEquals(expected.get(split), src.size(), split + " samples in the bundled testdata/");
            }
            assertEquals(src.size(), src.validate(), split + ": no bad samples");
            Sample s = src.load(0);
            assertEquals(64, s.height());
            assertEquals(128, s.width());
            total += src.size();
            if (split.equals("train")) {
                long[] h = Datasets.classHistogram(src, cat.numClasses());
                for (String c : new String[] {"flat", "construction", "sky", "vehicle"}) {
                    assertTrue(h[cat.indexOf(c)] > 0, "no " + c + " pixels in testdata train");
                }
            }
        }
        assertTrue(total >= 2);
    }

    /** Paired-folder and ADE20K-layout copies of testdata/'s val split (files copied, not re-encoded) load identically. */
    @Test
    void pairedAndAdeCopiesOfTestdataLoadIdentically(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path root = testdata();
        assertNotNull(root, "testdata/ was not found");
        LabelSpace cat = LabelSpaces.cityscapesCategories();
        FileSampleSource city = Datasets.cityscapes(root, "val", cat, Datasets.Content.PAIRED, BadSamplePolicy.FAIL);
        Path pairs = tmp.resolve("pairs"), ade = tmp.resolve("ade");
        for (SampleFiles f : city.files()) {
            String stem = f.image().getFileName().toString().replace("_leftImg8bit.png", "");
            copy(f.image(), pairs.resolve("images").resolve(stem + ".png"));
            copy(f.label(), pairs.resolve("labels").resolve(stem + ".png"));
            copy(f.image(), ade.resolve("images").resolve("validation").resolve(stem + ".png"));
            copy(f.label(), ade.resolve("annotations").resolve("validation").resolve(stem + ".png"));
        }
        FileSampleSource paired = Datasets.paired(pairs.resolve("images"), pairs.resolve("labels"), cat, BadSamplePolicy.FAIL);
        FileSampleSource adeSrc = Datasets.ade20k(ade, "val", cat, Datasets.Content.PAIRED, BadSamplePolicy.FAIL);
        assertEquals(60, city.size());
        Map<String, Sample> byStem = new java.util.HashMap<>();
        for (int i = 0; i < city.size(); i++) {
            Sample s = city.load(i);
            byStem.put(s.id().replace("_leftImg8bit", ""), s);
        }
        for (FileSampleSource other : new FileSampleSource[] {paired, adeSrc}) {
            assertEquals(city.size(), other.size(), other.describe());
            for (int i = 0; i < other.size(); i++) {
                Sample o = other.load(i);
                Sample c = byStem.get(o.id());
                assertNotNull(c, other.describe() + ": no Cityscapes sample for " + o.id() + " among " + byStem.keySet().stream().limit(3).toList());
                org.junit.jupiter.api.Assertions.assertArrayEquals(c.classes(), o.classes(), o.id());
                org.junit.jupiter.api.Assertions.assertArrayEquals(c.rgb(), o.rgb(), o.id());
            }
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }
}
