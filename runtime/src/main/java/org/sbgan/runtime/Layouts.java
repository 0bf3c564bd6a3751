package org.sbgan.runtime;

import java.nio.FloatBuffer;

/**
 * The two steps between the layout generator and the image generator: nearest-neighbour upsampling by
 * {@code layout_scaling} and one-hot encoding into the NCHW float tensor that {@code image_generator.onnx}
 * takes. Done in Java because they are cheap, and because the label map at image size is what a scene keeps.
 */
public final class Layouts {
    private Layouts() {}

    /** Each class index repeated {@code factor}×{@code factor} times. */
    public static int[] upsample(int[] indices, int width, int height, int factor) {
        if (factor < 1) throw new IllegalArgumentException("upsampling factor must be at least 1, got " + factor);
        int w = width * factor;
        int[] out = new int[indices.length * factor * factor];
        for (int y = 0; y < height * factor; y++) {
            int src = (y / factor) * width;
            for (int x = 0; x < w; x++) out[y * w + x] = indices[src + x / factor];
        }
        return out;
    }

    /**
     * Writes the one-hot encoding {@code [K, H, W]} of one label map into {@code dest} at {@code offset}
     * (absolute), overwriting all K planes.
     */
    public static void oneHot(int[] indices, int numClasses, FloatBuffer dest, int offset) {
        int plane = indices.length;
        for (int i = 0; i < numClasses * plane; i++) dest.put(offset + i, 0f);
        for (int p = 0; p < plane; p++) dest.put(offset + indices[p] * plane + p, 1f);
    }
}
