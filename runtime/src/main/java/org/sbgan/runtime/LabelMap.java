package org.sbgan.runtime;

import java.util.Arrays;
import java.util.Objects;
import org.sbgan.runtime.image.RgbImage;

/**
 * A label map: one class index {@code 0..K-1} per pixel, row-major, with the classes it refers to. It is what a
 * {@link Scene} holds and what {@link SceneGenerator#render} takes. Immutable: the pixel array is copied in and
 * out, so use {@link #classAt} for single pixels.
 */
public record LabelMap(int width, int height, int[] indices, Classes classes) {
    /** @throws IllegalArgumentException if the size is wrong or a pixel is not a class of {@code classes} */
    public LabelMap {
        Objects.requireNonNull(classes, "classes");
        if (width < 1 || height < 1) throw new IllegalArgumentException("label map size must be positive, got " + width + "×" + height);
        if (indices.length != width * height) {
            throw new IllegalArgumentException("label map has " + indices.length + " pixels, not " + width + "×" + height);
        }
        indices = indices.clone();
        int k = classes.count();
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= k) {
                throw new IllegalArgumentException("label map pixel (" + i % width + ", " + i / width + ") has class " + indices[i]
                        + ", outside 0.." + (k - 1) + " (the model has " + k + " classes)");
            }
        }
    }

    /**
     * A label map from raw label ids (as in a {@code *_gtFine_labelIds.png}), mapped to classes through
     * {@link Classes#labelIds()}.
     *
     * @throws IllegalArgumentException naming the first pixel whose id belongs to no class
     */
    public static LabelMap fromLabelIds(int width, int height, int[] labelIds, Classes classes) {
        if (labelIds.length != width * height) {
            throw new IllegalArgumentException("label map has " + labelIds.length + " pixels, not " + width + "×" + height);
        }
        int[] idx = new int[labelIds.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = classes.classOfLabelId(labelIds[i]);
            if (idx[i] < 0) {
                throw new IllegalArgumentException("label map pixel (" + i % width + ", " + i / width + ") has label id " + labelIds[i]
                        + ", which is no class of the model (ids " + Arrays.toString(classes.labelIds()) + ")");
            }
        }
        return new LabelMap(width, height, idx, classes);
    }

    /** A copy of the class indices. */
    @Override
    public int[] indices() {
        return indices.clone();
    }

    public int classAt(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        return indices[y * width + x];
    }

    public String className(int classIndex) {
        return classes.name(classIndex);
    }

    /** The raw label id of each pixel (Cityscapes {@code labelIds}). */
    public int[] labelIds() {
        int[] ids = new int[indices.length];
        for (int i = 0; i < ids.length; i++) ids[i] = classes.labelId(indices[i]);
        return ids;
    }

    /** Pixels of each class: entry c counts class c, K entries summing to width × height. */
    public long[] classPixelCounts() {
        long[] n = new long[classes.count()];
        for (int c : indices) n[c]++;
        return n;
    }

    /** Each pixel in its class's palette colour. */
    public RgbImage colorRgb() {
        int[] rgb = new int[indices.length];
        for (int i = 0; i < rgb.length; i++) rgb[i] = classes.color(indices[i]);
        return new RgbImage(width, height, rgb);
    }

    /** Nearest-neighbour enlargement by an integer factor: how a layout becomes the image generator's input. */
    public LabelMap upsample(int factor) {
        if (factor == 1) return this;
        return new LabelMap(width * factor, height * factor, Layouts.upsample(indices, width, height, factor), classes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelMap m && width == m.width && height == m.height && Arrays.equals(indices, m.indices) && classes.equals(m.classes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(width, height, Arrays.hashCode(indices), classes);
    }

    @Override
    public String toString() {
        return "LabelMap[" + width + "×" + height + ", " + classes.count() + " classes]";
    }
}
