package org.sbgan.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir
    Path dir;

    @Test
    void rgbRoundTripsExactly() throws Exception {
        Random r = new Random(1);
        int[] px = new int[7 * 5];
        for (int i = 0; i < px.length; i++) px[i] = r.nextInt(1 << 24);
        Path f = dir.resolve("a.png");
        Images.writeRgb(f, new RgbImage(7, 5, px));
        RgbImage back = Images.readRgb(f);
        assertEquals(7, back.width());
        assertEquals(5, back.height());
        assertArrayEquals(px, back.rgb());
    }

    @Test
    void grayLabelsRoundTripByRasterValue() throws Exception {
        int[] v = {0, 7, 33, 200, 255, 128};
        Path f = dir.resolve("l.png");
        Images.writeGray8(f, 3, 2, v);
        LabelRaster back = Images.readLabels(f);
        assertArrayEquals(v, back.values());
        assertEquals(8, back.bitDepth());
    }

    @Test
    void corruptAndTruncatedFilesAreOneLineErrorsNamingTheFile() throws Exception {
        Path bad = dir.resolve("bad.png");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5});
        BadImageException e = assertThrows(BadImageException.class, () -> Images.readRgb(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        Path good = dir.resolve("g.png");
        Images.writeRgb(good, new RgbImage(16, 16, new int[256]));
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.png");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        BadImageException e2 = assertThrows(BadImageException.class, () -> Images.readLabels(cut));
        assertTrue(e2.getMessage().startsWith(cut.toString()) && !e2.getMessage().contains("\n"), e2.getMessage());
    }

    @Test
    void rgbLabelMapIsRejected() throws Exception {
        Path f = dir.resolve("rgb_label.png");
        Images.writeRgb(f, new RgbImage(2, 2, new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0x123456}));
        BadImageException e = assertThrows(BadImageException.class, () -> Images.readLabels(f));
        assertTrue(e.getMessage().contains("single-channel"), e.getMessage());
    }
}
