package org.sbgan.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSampleReport.Stage;

/**
 * Bad input in the paired layout (images/ + labels/, made in a TempDir): one test per kind of problem, under FAIL
 * (one-line exception naming the file) and SKIP (left out, reported, never a crash in load).
 */
class BadInputTest {
    private static final LabelSpace CS = LabelSpaces.cityscapes35();

    @TempDir
    Path dir;

    private Path images() {
        return dir.resolve("images");
    }

    private Path labels() {
        return dir.resolve("labels");
    }

    /** Writes good samples s0..s(n-1). */
    private void writeGood(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            int[] ids = SceneFiles.labelIds(i);
            SceneFiles.writeLabels(labels().resolve("s" + i + ".png"), ids);
            Images.writeRgb(images().resolve("s" + i + ".png"), SceneFiles.image(ids, i));
        }
    }

    private FileSampleSource open(BadSamplePolicy policy) throws IOException {
        return Datasets.paired(images(), labels(), CS, policy);
    }

    private static void assertOneLine(BadSampleException e, Path file, String fragment) {
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** FAIL: load(bad) throws naming the file; SKIP: load(bad) gives the next sample and reports the file once. */
    private void assertLoadTimeProblem(int badIndex, Path badFile, String fragment) throws IOException {
        FileSampleSource fail = open(BadSamplePolicy.FAIL);
        assertEquals(3, fail.size(), "decode problems are not found at scan time");
        assertOneLine(assertThrows(BadSampleException.class, () -> fail.load(badIndex)), badFile, fragment);
        assertOneLine(assertThrows(BadSampleException.class, fail::validate), badFile, fragment);

        FileSampleSource skip = open(BadSamplePolicy.SKIP);
        Sample s = skip.load(badIndex);
        assertEquals("s" + ((badIndex + 1) % 3), s.id(), "the next good sample stands in");
        skip.load(badIndex);
        assertEquals(1, skip.report().count());
        BadSampleReport.Skipped e = skip.report().entries().get(0);
        assertEquals(Stage.LOAD, e.stage());
        assertEquals(badFile, e.file());
        assertTrue(e.problem().contains(fragment), e.problem());
        assertEquals(badFile + ": " + e.problem(), skip.report().lines().get(0));
        assertEquals("skipped 1 bad sample (0 at scan, 1 at load)", skip.report().summary());

        FileSampleSource validated = open(BadSamplePolicy.SKIP);
        assertEquals(2, validated.validate());
        assertEquals(1, validated.report().count());
        for (int i = 0; i < 3; i++) assertFalse(validated.load(i).id().equals("s" + badIndex));
        assertEquals(1, validated.report().count());
    }

    @Test
    void corruptPng() throws IOException {
        writeGood(3);
        Path bad = labels().resolve("s1.png");
        Files.write(bad, "this is not a PNG file at all".getBytes());
        assertLoadTimeProblem(1, bad, "not a readable image");
    }

    @Test
    void truncatedImage() throws IOException {
        writeGood(3);
        Path bad = images().resolve("s2.png");
        byte[] bytes = Files.readAllBytes(bad);
        Files.write(bad, Arrays.copyOf(bytes, bytes.length / 2));
        assertLoadTimeProblem(2, bad, "cannot decode image");
    }

    @Test
    void truncatedLabelMap() throws IOException {
        writeGood(3);
        Path bad = labels().resolve("s0.png");
        byte[] bytes = Files.readAllBytes(bad);
        Files.write(bad, Arrays.copyOf(bytes, bytes.length / 2));
        assertLoadTimeProblem(0, bad, "label map");
    }

    @Test
    void labelImageSizeMismatch() throws IOException {
        writeGood(3);
        int[] ids = SceneFiles.labelIds(1);
        Images.writeRgb(images().resolve("s1.png"), new org.sbgan.runtime.image.RgbImage(SceneFiles.W, 8, Arrays.copyOf(SceneFiles.image(ids, 1).rgb(), SceneFiles.W * 8)));
        assertLoadTimeProblem(1, labels().resolve("s1.png"), "label map is 32×16 but image s1.png is 32×8");
    }

    @Test
    void labelIdsOutsideTheSpace() throws IOException {
        writeGood(3);
        int[] ids = SceneFiles.labelIds(0);
        ids[3] = 40;
        ids[4] = 40;
        ids[5] = 254;
        SceneFiles.writeLabels(labels().resolve("s0.png"), ids);
        assertLoadTimeProblem(0, labels().resolve("s0.png"), "label map has 3 pixels with values outside label space cityscapes-35 (K=35): 40, 254");
    }

    @Test
    void sixteenBitLabelMapsAreReadWhenTheyFit() throws IOException {
        writeGood(3);
        int[] ids = SceneFiles.labelIds(2);
        SceneFiles.write16(labels().resolve("s2.png"), SceneFiles.W, SceneFiles.H, ids);
        assertArrayEquals(ids, open(BadSamplePolicy.FAIL).load(2).classes());
        ids[0] = 1000;
        SceneFiles.write16(labels().resolve("s2.png"), SceneFiles.W, SceneFiles.H, ids);
        assertLoadTimeProblem(2, labels().resolve("s2.png"), "16-bit label map has 1 pixel with values outside label space cityscapes-35 (K=35): 1000");
        // a mapping space can give 16-bit values a meaning
        LabelSpace big = LabelSpace.builder("big").addClass("other", 0).addClass("thing", 0xffffff).map(1000, 1).mapOthers(0).build();
        assertEquals(1, Datasets.paired(images(), labels(), big, BadSamplePolicy.FAIL).load(2).classes()[0]);
    }

    @Test
    void imageWithNoLabelIsAScanTimeProblem() throws IOException {
        writeGood(3);
        Path lonely = images().resolve("s3.jpg");
        SceneFiles.writeJpeg(lonely, SceneFiles.image(SceneFiles.labelIds(3), 3));
        Path orphan = labels().resolve("s9.png");
        SceneFiles.writeLabels(orphan, SceneFiles.labelIds(0));
        assertOneLine(assertThrows(BadSampleException.class, () -> open(BadSamplePolicy.FAIL)), lonely, "no label map for this image");
        FileSampleSource skip = open(BadSamplePolicy.SKIP);
        assertEquals(3, skip.size());
        assertEquals(2, skip.report().count(Stage.SCAN));
        assertEquals(lonely, skip.report().entries().get(0).file());
        assertEquals(orphan, skip.report().entries().get(1).file());
        assertTrue(skip.report().entries().get(1).problem().startsWith("no image for this label map"));
        assertEquals("skipped 2 bad samples (2 at scan, 0 at load)", skip.report().summary());
        // label-only data needs no images: the same labels folder is fine on its own
        assertEquals(4, Datasets.labelFolder(labels(), CS, BadSamplePolicy.FAIL).size());
    }

    @Test
    void twoImagesForOneSample() throws IOException {
        writeGood(2);
        SceneFiles.writeJpeg(images().resolve("s1.jpg"), SceneFiles.image(SceneFiles.labelIds(1), 1));
        assertOneLine(assertThrows(BadSampleException.class, () -> open(BadSamplePolicy.FAIL)), images().resolve("s1.png"), "a second image for sample s1 (also s1.jpg)");
        FileSampleSource skip = open(BadSamplePolicy.SKIP);
        assertEquals(2, skip.size(), "the first image (sorted by name) is kept");
        assertEquals(1, skip.report().count(Stage.SCAN));
    }

    @Test
    void emptyAndMissingDirectoriesFailWhateverThePolicy() throws IOException {
        Files.createDirectories(images());
        Files.createDirectories(labels());
        for (BadSamplePolicy p : BadSamplePolicy.values()) {
            assertOneLine(assertThrows(BadSampleException.class, () -> open(p)), images(), "no samples found");
            assertOneLine(assertThrows(BadSampleException.class, () -> Datasets.labelFolder(labels(), CS, p)), labels(), "no samples found");
            assertOneLine(assertThrows(BadSampleException.class, () -> Datasets.imageFolder(dir.resolve("nope"), p)), dir.resolve("nope"), "no such directory");
            assertOneLine(assertThrows(BadSampleException.class, () -> Datasets.cityscapes(dir, "train", CS, Datasets.Content.PAIRED, p)),
                dir.resolve("leftImg8bit").resolve("train"), "no such directory");
        }
        Files.createDirectories(dir.resolve("leftImg8bit/train/aachen"));
        Files.createDirectories(dir.resolve("gtFine/train/aachen"));
        assertOneLine(assertThrows(BadSampleException.class, () -> Datasets.cityscapes(dir, "train", CS, Datasets.Content.PAIRED, BadSamplePolicy.SKIP)),
            dir.resolve("leftImg8bit/train"), "no samples found (expected <city>/*_leftImg8bit.png)");
    }

    @Test
    void everySampleSkippedAtScanFails() throws IOException {
        SceneFiles.writeLabels(labels().resolve("a.png"), SceneFiles.labelIds(0));
        Images.writeRgb(images().resolve("b.png"), SceneFiles.image(SceneFiles.labelIds(0), 0));
        BadSampleException e = assertThrows(BadSampleException.class, () -> open(BadSamplePolicy.SKIP));
        assertTrue(e.getMessage().contains("no usable samples (skipped 2 bad samples"), e.getMessage());
    }

    @Test
    void everySampleBadAtLoadFails() throws IOException {
        writeGood(2);
        Files.write(labels().resolve("s0.png"), new byte[] {1, 2, 3});
        Files.write(labels().resolve("s1.png"), new byte[] {1, 2, 3});
        FileSampleSource skip = open(BadSamplePolicy.SKIP);
        BadSampleException e = assertThrows(BadSampleException.class, () -> skip.load(0));
        assertTrue(e.getMessage().contains("all 2 samples"), e.getMessage());
        assertEquals(2, skip.report().count());
    }

    @Test
    void nonImageFilesAreIgnoredWithoutError() throws IOException {
        writeGood(2);
        Files.writeString(images().resolve("README.txt"), "notes");
        Files.writeString(images().resolve(".DS_Store"), "x");
        Files.writeString(labels().resolve("classes.json"), "{}");
        Files.writeString(labels().resolve("s0.jpg"), "a JPEG label map is not accepted: ignored");
        Files.createDirectories(images().resolve(".cache"));
        Files.writeString(images().resolve(".cache/s5.png"), "hidden");
        FileSampleSource s = open(BadSamplePolicy.FAIL);
        assertEquals(2, s.size());
        assertEquals(3, s.ignoredFiles(), "README.txt, classes.json, s0.jpg (hidden files are not counted)");
        assertEquals(0, s.report().count());
        assertEquals("s1", s.load(1).id());
    }

    @Test
    void concurrentLoadsReportABadSampleOnce() throws IOException {
        writeGood(4);
        Files.write(images().resolve("s2.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        FileSampleSource skip = open(BadSamplePolicy.SKIP);
        ConcurrentHashMap<String, Boolean> ids = new ConcurrentHashMap<>();
        IntStream.range(0, 64).parallel().forEach(i -> {
            try {
                ids.put(skip.load(i % 4).id(), true);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(java.util.Set.of("s0", "s1", "s3"), ids.keySet());
        assertEquals(1, skip.report().count());
    }

    @Test
    void cityscapesTrainIdMapWithAnIdSpaceIsAScanProblem() throws IOException {
        Path gt = dir.resolve("gtFine/train/aachen"), img = dir.resolve("leftImg8bit/train/aachen");
        int[] ids = SceneFiles.labelIds(0);
        SceneFiles.writeLabels(gt.resolve("aachen_000000_000019_gtFine_labelIds.png"), ids);
        Images.writeRgb(img.resolve("aachen_000000_000019_leftImg8bit.png"), SceneFiles.image(ids, 0));
        Path trainOnly = gt.resolve("aachen_000001_000019_gtFine_labelTrainIds.png");
        SceneFiles.writeLabels(trainOnly, SceneFiles.trainIds(ids));
        Images.writeRgb(img.resolve("aachen_000001_000019_leftImg8bit.png"), SceneFiles.image(ids, 1));
        Path noLabel = img.resolve("aachen_000002_000019_leftImg8bit.png");
        Images.writeRgb(noLabel, SceneFiles.image(ids, 2));
        assertOneLine(assertThrows(BadSampleException.class, () -> Datasets.cityscapes(dir, "train", CS, Datasets.Content.PAIRED, BadSamplePolicy.FAIL)),
            trainOnly, "which label space cityscapes-35 cannot read");
        FileSampleSource skip = Datasets.cityscapes(dir, "train", CS, Datasets.Content.PAIRED, BadSamplePolicy.SKIP);
        assertEquals(1, skip.size());
        assertEquals(2, skip.report().count(Stage.SCAN));
        assertEquals(noLabel, skip.report().entries().get(1).file());
        assertTrue(skip.report().entries().get(1).problem().contains("no label map (expected"));
        // with the train-id classes, both samples with labels are usable
        FileSampleSource t = Datasets.cityscapes(dir, "train", LabelSpaces.cityscapesTrainIds(), Datasets.Content.PAIRED, BadSamplePolicy.SKIP);
        assertEquals(2, t.size());
        assertArrayEquals(t.load(0).classes(), t.load(1).classes());
    }
}
