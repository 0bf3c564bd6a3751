package org.sbgan.trainer.data.loader;

import org.sbgan.trainer.data.Sample;

/**
 * Image resizing for the metrics: an integer box-filter reduction first, then bilinear to the exact size.
 *
 * <p>Why not bilinear alone: plain bilinear downsampling by large factors (Cityscapes 1024×2048 to 64×128) skips
 * most pixels and aliases, which moves FID noticeably (clean-fid's finding); averaging boxes first keeps every
 * pixel's contribution, and the final bilinear step (the loader's kernel) only covers a factor below 2.
 */
public final class Resize {
    private Resize() {}

    /** A sample's image as planar {@code [3, oh, ow]} in [−1, 1] (the range the networks take), resized as {@link #to} does. */
    public static float[] image(Sample s, int oh, int ow) {
        float[] img = s.rgb().clone();
        for (int k = 0; k < img.length; k++) img[k] = img[k] * 2f - 1f;
        return to(img, 3, s.height(), s.width(), oh, ow);
    }

    /** Planar {@code [c, h, w]} to {@code [c, oh, ow]}; returns the input itself when the size already matches. */
    public static float[] to(float[] src, int c, int h, int w, int oh, int ow) {
        if (h == oh && w == ow) return src;
        int f = Math.max(1, Math.min(h / oh, w / ow));
        if (f > 1) {
            int bh = h / f, bw = w / f;
            float[] box = new float[c * bh * bw];
            float inv = 1f / (f * f);
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < bh; y++) {
                    for (int x = 0; x < bw; x++) {
                        float s = 0;
                        for (int dy = 0; dy < f; dy++) {
                            int row = (ch * h + y * f + dy) * w + x * f;
                            for (int dx = 0; dx < f; dx++) s += src[row + dx];
                        }
                        box[(ch * bh + y) * bw + x] = s * inv;
                    }
                }
            }
            src = box;
            h = bh;
            w = bw;
            if (h == oh && w == ow) return src;
        }
        return Transforms.resizeBilinear(src, c, h, w, oh, ow);
    }
}
