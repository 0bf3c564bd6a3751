package org.sbgan.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.Datasets.Content;

/**
 * A 6-sample Cityscapes-layout dataset (train: aachen ×2, bremen ×2; val: aachen, bremen) loads with the expected
 * counts, shapes and class histogram; paired-layout, ADE-layout, train-id, label-only and image-only views of the
 * same files load identically (ADE images are JPEG, so they are compared approximately).
 */
class CityscapesAcceptanceTest {
    @TempDir
    static Path root;

    record Written(String split, String id, int[] ids) {}

    static final List<Written> WRITTEN = new ArrayList<>();

    @BeforeAll
    static void writeDataset() throws IOException {
        String[][] layout = {{"train", "aachen", "0"}, {"train", "aachen", "1"}, {"train", "bremen", "2"}, {"train", "bremen", "3"},
            {"val", "aachen", "4"}, {"val", "bremen", "5"}};
        for (String[] row : layout) {
            int seed = Integer.parseInt(row[2]);
            String id = row[1] + "_00000" + seed + "_000019";
            int[] ids = SceneFiles.labelIds(seed);
            Path gt = root.resolve("gtFine").resolve(row[0]).resolve(row[1]);
            SceneFiles.writeLabels(gt.resolve(id + "_gtFine_labelIds.png"), ids);
            SceneFiles.writeLabels(gt.resolve(id + "_gtFine_labelTrainIds.png"), SceneFiles.trainIds(ids));
            Images.writeRgb(gt.resolve(id + "_gtFine_color.png"), SceneFiles.image(ids, 0)); // not a label map: ignored
            Files.writeString(gt.resolve(id + "_gtFine_polygons.json"), "{}");              // ignored
            Images.writeRgb(root.resolve("leftImg8bit").resolve(row[0]).resolve(row[1]).resolve(id + "_leftImg8bit.png"), SceneFiles.image(ids, seed));
            WRITTEN.add(new Written(row[0], id, ids));
        }
    }

    private static List<Written> split(String s) {
        return WRITTEN.stream().filter(w -> w.split.equals(s)).toList();
    }

    @Test
    void cityscapesLoadsWithExpectedCountsShapesAndHistogram() throws IOException {
        LabelSpace cs = LabelSpaces.cityscapes35();
        FileSampleSource train = Datasets.cityscapes(root, "train", cs, Content.PAIRED, BadSamplePolicy.FAIL);
        FileSampleSource val = Datasets.cityscapes(root, "val", cs, Content.PAIRED, BadSamplePolicy.FAIL);
        assertEquals(4, train.size());
        assertEquals(2, val.size());
        assertEquals(8, train.ignoredFiles(), "color.png and polygons.json of 4 samples");
        assertTrue(train.describe().startsWith("cityscapes train"));
        long[] expected = new long[35];
        for (int i = 0; i < 4; i++) {
            Written w = split("train").get(i);
            Sample s = train.load(i);
            assertEquals(w.id, s.id());
            assertEquals(SceneFiles.H, s.height());
            assertEquals(SceneFiles.W, s.width());
            assertArrayEquals(w.ids, s.classes());
            assertEquals(3 * SceneFiles.H * SceneFiles.W, s.rgb().length);
            int seed = Integer.parseInt(w.id.substring(w.id.indexOf('_') + 1, w.id.lastIndexOf('_')));
            int px = SceneFiles.image(w.ids, seed).rgb()[5];
            assertEquals(((px >> 16) & 0xFF) / 255f, s.rgb()[5], 1e-7);
            assertEquals(((px >> 8) & 0xFF) / 255f, s.rgb()[SceneFiles.H * SceneFiles.W + 5], 1e-7);
            for (float f : s.rgb()) assertTrue(f >= 0f && f <= 1f);
            for (int v : w.ids) expected[v]++;
        }
        long[] hist = Datasets.classHistogram(train, 35);
        assertArrayEquals(expected, hist);
        assertTrue(hist[7] > 0 && hist[11] > 0 && hist[23] > 0 && hist[26] > 0 && hist[24] > 0 && hist[0] > 0);
        assertEquals(4L * SceneFiles.W * SceneFiles.H, java.util.Arrays.stream(hist).sum());
        assertEquals(4, train.validate());
        assertEquals("no bad samples", train.report().summary());

        long[] cat = Datasets.classHistogram(Datasets.cityscapes(root, "train", LabelSpaces.cityscapesCategories(), Content.PAIRED, BadSamplePolicy.FAIL), 8);
        assertEquals(hist[7], cat[1]);
        assertEquals(hist[11], cat[2]);
        assertEquals(hist[23], cat[5]);
        assertEquals(hist[24], cat[6]);
        assertEquals(hist[26], cat[7]);
        assertEquals(hist[0], cat[0]);
    }

    @Test
    void trainIdFilesAndLabelIdFilesGiveTheSameTrainClasses() throws IOException {
        FileSampleSource viaIds = Datasets.cityscapes(root, "train", LabelSpaces.cityscapesTrainIds(), Content.PAIRED, BadSamplePolicy.FAIL);
        FileSampleSource viaTrainIds = Datasets.cityscapes(root, "train", LabelSpaces.cityscapesTrainIdsFromTrainIdFiles(), Content.PAIRED, BadSamplePolicy.FAIL);
        assertTrue(viaIds.files().get(0).label().toString().endsWith("_gtFine_labelIds.png"));
        assertTrue(viaTrainIds.files().get(0).label().toString().endsWith("_gtFine_labelTrainIds.png"));
        for (int i = 0; i < viaIds.size(); i++) assertArrayEquals(viaIds.load(i).classes(), viaTrainIds.load(i).classes());
        assertEquals(19, viaIds.load(0).classes()[(SceneFiles.H - 1) * SceneFiles.W], "unlabeled → don't care");
    }

    @Test
    void pairedAndAdeCopiesLoadIdentically() throws IOException {
        LabelSpace cs = LabelSpaces.cityscapes35();
        Path paired = root.resolve("copies/paired"), ade = root.resolve("copies/ade");
        for (Written w : split("train")) {
            String city = w.id.substring(0, w.id.indexOf('_'));
            Path label = root.resolve("gtFine/train").resolve(city).resolve(w.id + "_gtFine_labelIds.png");
            Path image = root.resolve("leftImg8bit/train").resolve(city).resolve(w.id + "_leftImg8bit.png");
            Files.createDirectories(paired.resolve("images"));
            Files.createDirectories(paired.resolve("labels"));
            Files.copy(image, paired.resolve("images").resolve(w.id + ".png"));
            Files.copy(label, paired.resolve("labels").resolve(w.id + ".png"));
            Files.createDirectories(ade.resolve("annotations/training"));
            Files.copy(label, ade.resolve("annotations/training").resolve(w.id + ".png"));
            SceneFiles.writeJpeg(ade.resolve("images/training").resolve(w.id + ".jpg"), Images.readRgb(image));
        }
        FileSampleSource city = Datasets.cityscapes(root, "train", cs, Content.PAIRED, BadSamplePolicy.FAIL);
        FileSampleSource p = Datasets.paired(paired.resolve("images"), paired.resolve("labels"), cs, BadSamplePolicy.FAIL);
        FileSampleSource a = Datasets.ade20k(ade, "train", cs, Content.PAIRED, BadSamplePolicy.FAIL);
        FileSampleSource a150 = Datasets.ade20k(ade, "training", LabelSpaces.ade150(), Content.PAIRED, BadSamplePolicy.FAIL);
        assertEquals(city.size(), p.size());
        assertEquals(city.size(), a.size());
        for (int i = 0; i < city.size(); i++) {
            Sample c = city.load(i), sp = p.load(i), sa = a.load(i);
            assertEquals(c.id(), sp.id());
            assertEquals(c.id(), sa.id());
            assertArrayEquals(c.classes(), sp.classes());
            assertArrayEquals(c.rgb(), sp.rgb());
            assertArrayEquals(c.classes(), sa.classes());
            assertArrayEquals(c.classes(), a150.load(i).classes(), "ADE150 maps raw 0..150 to themselves");
            double err = 0;
            for (int k = 0; k < c.rgb().length; k++) err += Math.abs(c.rgb()[k] - sa.rgb()[k]);
            err /= c.rgb().length;
            assertTrue(err < 0.08, "JPEG mean abs error " + err);
        }
    }

    @Test
    void labelOnlyAndImageOnlyViews() throws IOException {
        LabelSpace cs = LabelSpaces.cityscapes35();
        FileSampleSource both = Datasets.cityscapes(root, "val", cs, Content.PAIRED, BadSamplePolicy.FAIL);
        FileSampleSource labels = Datasets.cityscapes(root, "val", cs, Content.LABELS_ONLY, BadSamplePolicy.FAIL);
        FileSampleSource images = Datasets.cityscapes(root, "val", cs, Content.IMAGES_ONLY, BadSamplePolicy.FAIL);
        FileSampleSource folder = Datasets.imageFolder(root.resolve("leftImg8bit/val"), BadSamplePolicy.FAIL);
        FileSampleSource labelFolder = Datasets.labelFolder(root.resolve("gtFine/val"), LabelSpaces.cityscapesTrainIdsFromTrainIdFiles(), BadSamplePolicy.SKIP);
        assertEquals(2, labels.size());
        assertEquals(2, images.size());
        assertEquals(2, folder.size());
        assertNull(images.labelSpace());
        for (int i = 0; i < 2; i++) {
            Sample b = both.load(i), l = labels.load(i), im = images.load(i), f = folder.load(i);
            assertNull(l.rgb());
            assertNull(im.classes());
            assertNull(f.classes());
            assertArrayEquals(b.classes(), l.classes());
            assertArrayEquals(b.rgb(), im.rgb());
            assertArrayEquals(b.rgb(), f.rgb());
        }
        // a generic label folder over gtFine/val holds labelIds, labelTrainIds and colour PNGs: with SKIP, the colour
        // maps (3 channels) and the id maps (ids outside 0..18) are skipped at load, the train-id maps load
        assertEquals(6, labelFolder.size());
        assertEquals(2, labelFolder.validate());
        assertEquals(4, labelFolder.report().count(BadSampleReport.Stage.LOAD));
    }
}
