package org.sbgan.trainer.run;

import java.util.Arrays;
import org.sbgan.runtime.image.RgbImage;

/**
 * Contact sheets of a batch of samples — layouts, images, or both side by side — so progress can be judged by
 * eye from one PNG per checkpoint. Cells are nearest-zoomed (small training resolutions are unreadable at 1:1)
 * and separated by a dark gutter so neighbouring cells with similar colours stay distinguishable.
 *
 * <p>The grid has {@code min(columns, n)} columns and {@code ceil(n / columns)} rows; with cell size
 * {@code cw × ch} it is {@code cols·cw + (cols−1)·GUTTER} wide and {@code rows·ch + (rows−1)·GUTTER} high.
 * Cells missing from the last row are gutter colour.
 */
public final class SampleGrid {
    /** Gutter width in pixels, between cells and between the two halves of a pair. */
    public static final int GUTTER = 2;
    /** Gutter colour, {@code 0xRRGGBB}. */
    public static final int GUTTER_RGB = 0x202020;

    private SampleGrid() {}

    /** {@code n} label maps of {@code h×w} class indices (map i at offset {@code i·h·w}), each class in {@code palette[class]}. */
    public static RgbImage layouts(int[] labels, int n, int h, int w, int[] palette, int columns, int zoom) {
        checkShape(n, h, w, columns, zoom);
        checkLabels(labels, n, h, w, palette);
        Canvas c = new Canvas(n, w * zoom, h * zoom, columns);
        for (int i = 0; i < n; i++) paintLayout(c, c.cellX(i), c.cellY(i), labels, i, h, w, palette, zoom);
        return c.image();
    }

    /** {@code n} images {@code [3,h,w]} (image i at offset {@code i·3·h·w}) with values in [−1, 1]. */
    public static RgbImage images(float[] chw, int n, int h, int w, int columns, int zoom) {
        checkShape(n, h, w, columns, zoom);
        checkImages(chw, n, h, w);
        Canvas c = new Canvas(n, w * zoom, h * zoom, columns);
        for (int i = 0; i < n; i++) paintImage(c, c.cellX(i), c.cellY(i), chw, i, h, w, zoom);
        return c.image();
    }

    /** Each cell is layout i, a gutter, then image i: the generated layout next to the image synthesised from it. */
    public static RgbImage pairs(int[] labels, float[] chw, int n, int h, int w, int[] palette, int columns, int zoom) {
        checkShape(n, h, w, columns, zoom);
        checkLabels(labels, n, h, w, palette);
        checkImages(chw, n, h, w);
        Canvas c = new Canvas(n, 2 * w * zoom + GUTTER, h * zoom, columns);
        for (int i = 0; i < n; i++) {
            paintLayout(c, c.cellX(i), c.cellY(i), labels, i, h, w, palette, zoom);
            paintImage(c, c.cellX(i) + w * zoom + GUTTER, c.cellY(i), chw, i, h, w, zoom);
        }
        return c.image();
    }

    /** Each cell is image i, its true label map and a segmenter's prediction, side by side with gutters. */
    public static RgbImage segmentations(float[] chw, int[] truth, int[] predicted, int n, int h, int w, int[] palette, int columns, int zoom) {
        checkShape(n, h, w, columns, zoom);
        checkImages(chw, n, h, w);
        checkLabels(truth, n, h, w, palette);
        checkLabels(predicted, n, h, w, palette);
        Canvas c = new Canvas(n, 3 * w * zoom + 2 * GUTTER, h * zoom, columns);
        for (int i = 0; i < n; i++) {
            paintImage(c, c.cellX(i), c.cellY(i), chw, i, h, w, zoom);
            paintLayout(c, c.cellX(i) + w * zoom + GUTTER, c.cellY(i), truth, i, h, w, palette, zoom);
            paintLayout(c, c.cellX(i) + 2 * (w * zoom + GUTTER), c.cellY(i), predicted, i, h, w, palette, zoom);
        }
        return c.image();
    }

    /** Maps [−1, 1] to 0..255: {@code round((v+1)·127.5)}, clamped (NaN gives 0). */
    static int channel(float v) {
        long c = Math.round((v + 1.0) * 127.5);
        return (int) Math.max(0, Math.min(255, c));
    }

    private static void paintLayout(Canvas c, int x0, int y0, int[] labels, int i, int h, int w, int[] palette, int zoom) {
        int base = i * h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) c.fill(x0 + x * zoom, y0 + y * zoom, zoom, palette[labels[base + y * w + x]] & 0xFFFFFF);
        }
    }

    private static void paintImage(Canvas c, int x0, int y0, float[] chw, int i, int h, int w, int zoom) {
        int plane = h * w, base = i * 3 * plane;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = base + y * w + x;
                int rgb = channel(chw[p]) << 16 | channel(chw[p + plane]) << 8 | channel(chw[p + 2 * plane]);
                c.fill(x0 + x * zoom, y0 + y * zoom, zoom, rgb);
            }
        }
    }

    private static void checkShape(int n, int h, int w, int columns, int zoom) {
        if (n < 1 || h < 1 || w < 1) throw new IllegalArgumentException("sample grid needs n, h, w ≥ 1, got n=" + n + ", h=" + h + ", w=" + w);
        if (columns < 1 || zoom < 1) throw new IllegalArgumentException("sample grid needs columns, zoom ≥ 1, got columns=" + columns + ", zoom=" + zoom);
    }

    private static void checkLabels(int[] labels, int n, int h, int w, int[] palette) {
        long expected = (long) n * h * w;
        if (labels.length != expected) {
            throw new IllegalArgumentException("labels has " + labels.length + " values, expected n·h·w = " + n + "·" + h + "·" + w + " = " + expected);
        }
        for (int p = 0; p < labels.length; p++) {
            int k = labels[p];
            if (k < 0 || k >= palette.length) {
                int map = p / (h * w), y = p % (h * w) / w, x = p % w;
                throw new IllegalArgumentException("label " + k + " in map " + map + " at (y=" + y + ", x=" + x + ") is outside the palette of " + palette.length + " colours");
            }
        }
    }

    private static void checkImages(float[] chw, int n, int h, int w) {
        long expected = (long) n * 3 * h * w;
        if (chw.length != expected) {
            throw new IllegalArgumentException("images have " + chw.length + " values, expected n·3·h·w = " + n + "·3·" + h + "·" + w + " = " + expected);
        }
    }

    /** The grid's pixels, gutter-coloured until cells are painted. */
    private static final class Canvas {
        final int cellW, cellH, cols, width, height;
        final int[] rgb;

        Canvas(int n, int cellW, int cellH, int columns) {
            this.cellW = cellW;
            this.cellH = cellH;
            this.cols = Math.min(columns, n);
            int rows = (n + columns - 1) / columns;
            long wide = (long) cols * cellW + (long) (cols - 1) * GUTTER, high = (long) rows * cellH + (long) (rows - 1) * GUTTER;
            if (wide * high > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("sample grid of " + wide + "×" + high + " pixels is too large");
            this.width = (int) wide;
            this.height = (int) high;
            this.rgb = new int[width * height];
            Arrays.fill(rgb, GUTTER_RGB);
        }

        int cellX(int i) { return i % cols * (cellW + GUTTER); }
        int cellY(int i) { return i / cols * (cellH + GUTTER); }

        void fill(int x0, int y0, int size, int color) {
            for (int y = y0; y < y0 + size; y++) Arrays.fill(rgb, y * width + x0, y * width + x0 + size, color);
        }

        RgbImage image() { return new RgbImage(width, height, rgb); }
    }
}
