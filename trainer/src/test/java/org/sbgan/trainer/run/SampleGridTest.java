package org.sbgan.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;

class SampleGridTest {
    static final int[] PALETTE = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF};
    static final int G = SampleGrid.GUTTER_RGB;

    @TempDir Path dir;

    @Test
    void layoutsColourZoomAndSeparateCells() throws IOException {
        // three 2×3 maps, two columns, zoom 2: cells 6×4, grid 2·6+2 = 14 wide, 2·4+2 = 10 high
        int[] labels = {
            0, 1, 2,
            3, 0, 1,

            2, 2, 2,
            2, 2, 2,

            1, 0, 3,
            3, 3, 3,
        };
        RgbImage img = SampleGrid.layouts(labels, 3, 2, 3, PALETTE, 2, 2);
        assertEquals(14, img.width());
        assertEquals(10, img.height());
        // map 0, pixel (y=0, x=1) = class 1 covers (2..3, 0..1); (y=1, x=0) = class 3 covers (0..1, 2..3)
        for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) {
            assertEquals(0x00FF00, img.get(2 + dx, dy));
            assertEquals(0xFFFFFF, img.get(dx, 2 + dy));
            assertEquals(0xFF0000, img.get(dx, dy));
        }
        // gutter columns 6..7 between cells 0 and 1, rows 4..5 between the rows
        for (int y = 0; y < 10; y++) {
            assertEquals(G, img.get(6, y));
            assertEquals(G, img.get(7, y));
        }
        for (int x = 0; x < 14; x++) assertEquals(G, img.get(x, 4));
        // map 1 starts at x = 8: all blue
        assertEquals(0x0000FF, img.get(8, 0));
        assertEquals(0x0000FF, img.get(13, 3));
        // map 2 starts at y = 6: (y=0, x=2) = class 3
        assertEquals(0x00FF00, img.get(0, 6));
        assertEquals(0xFF0000, img.get(2, 6));
        assertEquals(0xFFFFFF, img.get(5, 7));
        // the missing fourth cell is gutter
        assertEquals(G, img.get(8, 6));
        assertEquals(G, img.get(13, 9));
        // survives a PNG round trip exactly
        Images.writeRgb(dir.resolve("grid.png"), img);
        RgbImage back = Images.readRgb(dir.resolve("grid.png"));
        assertEquals(java.util.Arrays.toString(img.rgb()), java.util.Arrays.toString(back.rgb()));
    }

    @Test
    void sizeFormula() {
        for (int n : new int[] {1, 2, 5, 8, 9}) {
            for (int columns : new int[] {1, 3, 4, 16}) {
                int cols = Math.min(columns, n), rows = (n + columns - 1) / columns;
                RgbImage img = SampleGrid.layouts(new int[n * 2 * 5], n, 2, 5, PALETTE, columns, 3);
                assertEquals(cols * 15 + (cols - 1) * 2, img.width(), "n=" + n + " columns=" + columns);
                assertEquals(rows * 6 + (rows - 1) * 2, img.height(), "n=" + n + " columns=" + columns);
                RgbImage pairs = SampleGrid.pairs(new int[n * 2 * 5], new float[n * 3 * 2 * 5], n, 2, 5, PALETTE, columns, 3);
                assertEquals(cols * (2 * 15 + 2) + (cols - 1) * 2, pairs.width());
                assertEquals(img.height(), pairs.height());
            }
        }
    }

    @Test
    void imagesMapMinusOneToOneOntoBytes() {
        // one 1×4 image: R = -1, 0, 1, 2; G = -2, -0.5, 0.5, NaN; B = 1, 1, -1, 0.003
        float[] chw = {-1, 0, 1, 2, -2, -0.5f, 0.5f, Float.NaN, 1, 1, -1, 0.003f};
        RgbImage img = SampleGrid.images(chw, 1, 1, 4, 8, 1);
        assertEquals(4, img.width());
        assertEquals(1, img.height());
        assertEquals(0x0000FF, img.get(0, 0));
        assertEquals(128 << 16 | 64 << 8 | 255, img.get(1, 0), "0 → round(127.5) = 128, −0.5 → round(63.75) = 64");
        assertEquals(255 << 16 | 191 << 8, img.get(2, 0), "0.5 → round(191.25) = 191");
        assertEquals(255 << 16 | 128, img.get(3, 0), "2 clamps to 255, NaN to 0, 0.003 → round(127.88) = 128");
    }

    @Test
    void pairsPutLayoutThenGutterThenImage() {
        // two 1×2 samples, one column, zoom 1: cell 2 + 2 + 2 = 6 wide, grid 2 rows of 1 + gutter 2 = 4 high
        int[] labels = {0, 1, 2, 3};
        float[] chw = new float[2 * 3 * 2];
        java.util.Arrays.fill(chw, -1f);
        chw[0] = 1f;             // image 0, R of pixel 0
        chw[6 + 2 * 2 + 1] = 1f; // image 1, B of pixel 1
        RgbImage img = SampleGrid.pairs(labels, chw, 2, 1, 2, PALETTE, 1, 1);
        assertEquals(6, img.width());
        assertEquals(4, img.height());
        assertEquals(0xFF0000, img.get(0, 0));
        assertEquals(0x00FF00, img.get(1, 0));
        assertEquals(G, img.get(2, 0));
        assertEquals(G, img.get(3, 0));
        assertEquals(0xFF0000, img.get(4, 0));
        assertEquals(0x000000, img.get(5, 0));
        for (int x = 0; x < 6; x++) assertEquals(G, img.get(x, 1));
        assertEquals(0x0000FF, img.get(0, 3));
        assertEquals(0xFFFFFF, img.get(1, 3));
        assertEquals(0x000000, img.get(4, 3));
        assertEquals(0x0000FF, img.get(5, 3));
    }

    @Test
    void wrongSizesAndLabelsOutsideThePaletteFail() {
        IllegalArgumentException len = assertThrows(IllegalArgumentException.class,
                () -> SampleGrid.layouts(new int[11], 2, 2, 3, PALETTE, 2, 1));
        assertTrue(len.getMessage().contains("expected n·h·w = 2·2·3 = 12"), len.getMessage());
        IllegalArgumentException img = assertThrows(IllegalArgumentException.class,
                () -> SampleGrid.pairs(new int[12], new float[12], 2, 2, 3, PALETTE, 2, 1));
        assertTrue(img.getMessage().contains("= 36"), img.getMessage());
        int[] labels = new int[12];
        labels[10] = 4;
        IllegalArgumentException pal = assertThrows(IllegalArgumentException.class,
                () -> SampleGrid.layouts(labels, 2, 2, 3, PALETTE, 2, 1));
        assertEquals("label 4 in map 1 at (y=1, x=1) is outside the palette of 4 colours", pal.getMessage());
        labels[10] = -1;
        assertThrows(IllegalArgumentException.class, () -> SampleGrid.layouts(labels, 2, 2, 3, PALETTE, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> SampleGrid.images(new float[0], 0, 2, 3, 2, 1));
    }
}
