package org.sbgan.runtime.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.Classes;
import org.sbgan.runtime.LabelMap;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.TestClasses;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.LabelRaster;
import org.sbgan.runtime.image.RgbImage;

class SceneWriterTest {
    @TempDir
    Path tmp;

    static Scene scene(long index, int w, int h) {
        SplittableRandom r = new SplittableRandom(index);
        int[] classes = new int[w * h];
        for (int i = 0; i < classes.length; i++) classes[i] = r.nextInt(3);
        float[] chw = new float[3 * w * h];
        for (int i = 0; i < chw.length; i++) chw[i] = (float) (r.nextDouble() * 2 - 1);
        return new Scene(1, index, new LabelMap(w, h, classes, TestClasses.three()), chw);
    }

    @Test
    void cityscapesLayoutNamesAndContents() throws IOException {
        SceneWriter w = SceneWriter.cityscapes(tmp, "val", "synth");
        Scene s = scene(12, 6, 4);
        assertFalse(w.isComplete(12));
        List<Path> files = w.write(s);
        assertEquals(List.of(tmp.resolve("leftImg8bit/val/synth/synth_000012_000019_leftImg8bit.png"),
                tmp.resolve("gtFine/val/synth/synth_000012_000019_gtFine_labelIds.png"),
                tmp.resolve("gtFine/val/synth/synth_000012_000019_gtFine_color.png")), files);
        assertEquals(files, w.files(12));
        assertTrue(w.isComplete(12));
        assertArrayEquals(s.rgb().rgb(), Images.readRgb(files.get(0)).rgb());
        LabelRaster ids = Images.readLabels(files.get(1));
        assertEquals(8, ids.bitDepth());
        assertArrayEquals(s.labelIds(), ids.values());
        assertArrayEquals(s.labels().colorRgb().rgb(), Images.readRgb(files.get(2)).rgb());
        assertEquals(tmp.resolve("leftImg8bit/train/sbgan/sbgan_000003_000019_leftImg8bit.png"), SceneWriter.cityscapes(tmp).files(3).get(0));
    }

    @Test
    void plainLayoutWritesClassIndices() throws IOException {
        SceneWriter w = SceneWriter.plain(tmp);
        Scene s = scene(3, 5, 7);
        assertEquals(List.of(tmp.resolve("000003/image.png"), tmp.resolve("000003/label.png"), tmp.resolve("000003/color.png")), w.write(s));
        assertArrayEquals(s.labels().indices(), Images.readLabels(tmp.resolve("000003/label.png")).values());
        assertArrayEquals(s.rgb().rgb(), Images.readRgb(tmp.resolve("000003/image.png")).rgb());
        assertTrue(w.isComplete(3));
        Files.delete(tmp.resolve("000003/color.png"));
        assertFalse(w.isComplete(3), "a scene with a file missing is not complete");
    }

    @Test
    void noTemporaryFilesAreLeft() throws IOException {
        SceneWriter w = SceneWriter.plain(tmp);
        for (int i = 0; i < 3; i++) w.write(scene(i, 4, 4));
        try (Stream<Path> all = Files.walk(tmp)) {
            assertEquals(0, all.filter(p -> p.getFileName().toString().endsWith(".tmp")).count());
        }
    }

    @Test
    void renderedScenesNeedAnIndexAndNamesAreChecked() {
        Scene s = scene(0, 2, 2);
        Scene rendered = new Scene(0, -1, s.labels(), s.imageChw());
        assertThrows(IllegalArgumentException.class, () -> SceneWriter.plain(tmp).write(rendered));
        assertThrows(IllegalArgumentException.class, () -> SceneWriter.cityscapes(tmp, "train", "a_b"));
        assertThrows(IllegalArgumentException.class, () -> SceneWriter.cityscapes(tmp, "../x", "a"));
        assertEquals(SceneWriter.Format.CITYSCAPES, SceneWriter.Format.parse("Cityscapes"));
        Classes wide = new Classes(List.of("a", "b"), new int[2], new int[] {0, 300});
        Scene s16 = new Scene(0, 0, new LabelMap(1, 1, new int[] {1}, wide), new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SceneWriter.cityscapes(tmp).write(s16));
        assertEquals("Cityscapes labelIds files are 8-bit but the model has label id 300; use the plain format (class indices)", e.getMessage());
    }

    @Test
    void contactSheetPlacesImageAndColourLabelsSideBySide() throws IOException {
        List<Scene> scenes = List.of(scene(0, 4, 3), scene(1, 4, 3), scene(2, 4, 3));
        RgbImage sheet = ContactSheet.of(scenes, 2);
        int g = ContactSheet.GAP, cellW = 2 * 4 + g;
        assertEquals(2 * cellW + 3 * g, sheet.width());
        assertEquals(2 * 3 + 3 * g, sheet.height());
        Scene s = scenes.get(2); // second row, first column
        int y0 = g + 3 + g;
        assertEquals(s.rgb().get(3, 2), sheet.get(g + 3, y0 + 2));
        assertEquals(s.labels().colorRgb().get(1, 1), sheet.get(g + 4 + g + 1, y0 + 1));
        assertEquals(0xFFFFFF, sheet.get(0, 0));
        Path f = tmp.resolve("sheet.png");
        ContactSheet.write(f, scenes, 2);
        assertArrayEquals(sheet.rgb(), Images.readRgb(f).rgb());
        assertThrows(IllegalArgumentException.class, () -> ContactSheet.of(List.of(scene(0, 4, 3), scene(1, 5, 3)), 2));
    }

    @Test
    void aFileNameTellsItsScene() {
        for (SceneWriter.Format f : SceneWriter.Format.values()) {
            ScenePngs pngs = ScenePngs.of(f);
            for (long i : new long[] {0, 7, 123456, 1234567, Long.MAX_VALUE}) {
                for (String name : pngs.names(i)) assertEquals(i, pngs.indexOf(name), name);
            }
            for (String other : List.of("contact_sheet.png", ".lock", "000001", "000001/other.png", "00001/image.png", "x/000001/image.png",
                    "leftImg8bit/train/sbgan/sbgan_000001_000019_other.png", "leftImg8bit/val/sbgan/sbgan_000001_000019_leftImg8bit.png",
                    "leftImg8bit/train/sbgan/sbgan_000001_000019_leftImg8bit.png.tmp")) {
                assertEquals(-1, pngs.indexOf(other), f + " " + other);
            }
        }
    }

    @Test
    void staleTemporariesOfOtherScenesStay() throws IOException {
        SceneWriter w = SceneWriter.cityscapes(tmp);
        w.write(scene(4, 6, 4));
        Path mine = tmp.resolve("gtFine/train/sbgan/.sbgan_000004_000019_gtFine_color.png.1f2e.tmp"),
                mineToo = tmp.resolve("leftImg8bit/train/sbgan/.sbgan_000005_000019_leftImg8bit.png.a0.tmp"),
                other = tmp.resolve("gtFine/train/sbgan/.sbgan_000006_000019_gtFine_labelIds.png.1f2f.tmp"),
                sheet = tmp.resolve(".contact_sheet.png.abc.tmp");
        for (Path p : List.of(mine, mineToo, other, sheet)) Files.writeString(p, "partial");
        assertEquals(2, w.removeStaleTemporaries(4, 6));
        assertFalse(Files.exists(mine));
        assertFalse(Files.exists(mineToo));
        assertTrue(Files.exists(other), "scene 6 is another process's");
        assertTrue(Files.exists(sheet), "not a scene's file");
        assertTrue(w.isComplete(4), "finished files stay");
        assertEquals(0, SceneWriter.plain(tmp.resolve("none")).removeStaleTemporaries(0, 10), "no folder yet");
    }

    @Test
    void aRunOwningTheFolderRemovesEveryTemporary() throws IOException {
        SceneWriter w = SceneWriter.cityscapes(tmp);
        w.write(scene(4, 6, 4));
        Path scene = tmp.resolve("gtFine/train/sbgan/.sbgan_000009_000019_gtFine_color.png.1f2e.tmp"),
                sheet = tmp.resolve(".contact_sheet.png.abc.tmp"), kept = tmp.resolve("notes.tmp");
        for (Path p : List.of(scene, sheet, kept)) Files.writeString(p, "partial");
        assertEquals(2, w.removeStaleTemporaries());
        assertFalse(Files.exists(scene));
        assertFalse(Files.exists(sheet));
        assertTrue(Files.exists(kept), "not a hidden temporary");
        assertTrue(w.isComplete(4), "finished files stay");
    }
}
