package org.sbgan.runtime;

import java.awt.image.BufferedImage;
import java.util.Objects;
import org.sbgan.runtime.image.RgbImage;

/**
 * One generated scene: a label map and the image the image generator made from it, both at image size, and
 * the (seed, index) it came from. Immutable; arrays are copied out.
 *
 * <p>A scene from {@link SceneGenerator#render} has no seed: its {@link #index()} is -1.
 */
public final class Scene {
    private final long seed;
    private final long index;
    private final LabelMap labels;
    private final float[] imageChw;

    /**
     * @param imageChw the image as {@code [3, H, W]} floats in [−1, 1], H×W being the label map's size
     */
    public Scene(long seed, long index, LabelMap labels, float[] imageChw) {
        this.labels = Objects.requireNonNull(labels, "labels");
        int n = 3 * labels.width() * labels.height();
        if (imageChw.length != n) {
            throw new IllegalArgumentException("image has " + imageChw.length + " values, not 3×" + labels.height() + "×" + labels.width());
        }
        this.seed = seed;
        this.index = index;
        this.imageChw = imageChw.clone();
    }

    /** Package use only: takes ownership of {@code imageChw} without a copy. */
    static Scene owning(long seed, long index, LabelMap labels, float[] imageChw) {
        return new Scene(seed, index, labels, imageChw, true);
    }

    /** The flag only tells this constructor apart: it keeps {@code imageChw} as is (the generator's fresh array). */
    private Scene(long seed, long index, LabelMap labels, float[] imageChw, boolean owned) {
        this.seed = seed;
        this.index = index;
        this.labels = labels;
        this.imageChw = imageChw;
    }

    public long seed() {
        return seed;
    }

    /** The scene's index under its seed, or -1 for a rendered scene. */
    public long index() {
        return index;
    }

    public int width() {
        return labels.width();
    }

    public int height() {
        return labels.height();
    }

    public LabelMap labels() {
        return labels;
    }

    /** The raw label id of each pixel (Cityscapes {@code labelIds}). */
    public int[] labelIds() {
        return labels.labelIds();
    }

    /** A copy of the image, {@code [3, H, W]} in [−1, 1], as the image generator returned it. */
    public float[] imageChw() {
        return imageChw.clone();
    }

    /** The image in 8-bit RGB: {@code round((v + 1) · 127.5)}, clamped to 0..255 (NaN gives 0). */
    public RgbImage rgb() {
        int plane = width() * height();
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            rgb[p] = byteOf(imageChw[p]) << 16 | byteOf(imageChw[plane + p]) << 8 | byteOf(imageChw[2 * plane + p]);
        }
        return new RgbImage(width(), height(), rgb);
    }

    public BufferedImage image() {
        return toBufferedImage(rgb());
    }

    /** The label map in the palette's colours. */
    public BufferedImage colorLabels() {
        return toBufferedImage(labels.colorRgb());
    }

    static int byteOf(float v) {
        if (!(v > -1f)) return 0; // also NaN
        long c = Math.round((v + 1.0) * 127.5);
        return (int) Math.min(255, c);
    }

    static BufferedImage toBufferedImage(RgbImage img) {
        BufferedImage b = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        b.setRGB(0, 0, img.width(), img.height(), img.rgb(), 0, img.width());
        return b;
    }

    @Override
    public String toString() {
        return "Scene[seed " + seed + ", index " + index + ", " + width() + "×" + height() + "]";
    }
}
