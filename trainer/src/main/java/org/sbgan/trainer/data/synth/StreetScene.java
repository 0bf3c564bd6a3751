package org.sbgan.trainer.data.synth;

import org.sbgan.runtime.image.RgbImage;

/**
 * One synthetic street scene: a label map of Cityscapes label ids (row-major, {@code height·width}) and the
 * matching RGB image.
 */
public record StreetScene(int width, int height, int[] labelIds, RgbImage image) {
    public StreetScene {
        if (labelIds.length != width * height) throw new IllegalArgumentException("label map size mismatch");
        if (image.width() != width || image.height() != height) throw new IllegalArgumentException("image size mismatch");
    }

    /** The label map painted with the official Cityscapes colours (as {@code *_gtFine_color.png}). */
    public RgbImage colorLabels() {
        int[] rgb = new int[labelIds.length];
        for (int i = 0; i < rgb.length; i++) rgb[i] = CityscapesClasses.color(labelIds[i]);
        return new RgbImage(width, height, rgb);
    }

    public int label(int x, int y) {
        return labelIds[y * width + x];
    }
}
