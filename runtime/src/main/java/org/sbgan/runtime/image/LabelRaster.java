package org.sbgan.runtime.image;

/** The raw values of a single-channel label image (8- or 16-bit gray, or palette indices), row-major. */
public record LabelRaster(int width, int height, int[] values, int bitDepth) {
    public LabelRaster {
        if (values.length != width * height) throw new IllegalArgumentException("label data has " + values.length + " pixels, not " + width + "×" + height);
    }

    public int get(int x, int y) {
        return values[y * width + x];
    }
}
