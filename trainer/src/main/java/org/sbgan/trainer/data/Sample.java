package org.sbgan.trainer.data;

/**
 * One decoded dataset sample at its stored size: a label map of class indices in the dataset's label space
 * (row-major, {@code height·width}; null for an image-only sample) and/or an RGB image as planar floats in
 * [0, 1] ({@code 3·height·width}, channel-major; null for a label-only sample). {@code id} names the sample
 * in messages (its file stem). A pixel may be {@link #UNLABELLED}: losses leave it out.
 */
public record Sample(String id, int height, int width, int[] classes, float[] rgb) {
    /**
     * The class of a pixel no loss should learn from (an all-zero one-hot row). Never read from files, whose unknown ids
     * are errors; set where a pipeline decides a label is not to be trusted (tstr's {@code --tstr-mixed-filter}).
     */
    public static final int UNLABELLED = -1;

    public Sample {
        if (classes == null && rgb == null) throw new IllegalArgumentException("sample " + id + " has neither labels nor image");
        if (classes != null && classes.length != height * width) {
            throw new IllegalArgumentException("sample " + id + ": label map has " + classes.length + " values, not " + height + "×" + width);
        }
        if (rgb != null && rgb.length != 3 * height * width) {
            throw new IllegalArgumentException("sample " + id + ": image has " + rgb.length + " values, not 3×" + height + "×" + width);
        }
    }

    public boolean hasLabels() {
        return classes != null;
    }

    public boolean hasImage() {
        return rgb != null;
    }
}
