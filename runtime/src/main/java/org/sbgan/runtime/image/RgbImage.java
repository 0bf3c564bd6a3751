package org.sbgan.runtime.image;

/** An 8-bit RGB image, row-major, one {@code 0xRRGGBB} int per pixel (no alpha). */
public record RgbImage(int width, int height, int[] rgb) {
    public RgbImage {
        if (rgb.length != width * height) throw new IllegalArgumentException("RGB data has " + rgb.length + " pixels, not " + width + "×" + height);
    }

    public int get(int x, int y) {
        return rgb[y * width + x];
    }
}
