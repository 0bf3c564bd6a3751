package org.sbgan.trainer.data.loader;

import java.io.IOException;
import java.util.SplittableRandom;
import org.sbgan.runtime.SplitMix64;
import org.sbgan.trainer.data.Sample;

/**
 * The training-time data transforms of docs/METHOD.md §5, for one target size {@code height×width}:
 *
 * <ol>
 *   <li><b>Resize so the target is covered</b>: the sample is scaled by {@code max(H/h, W/w)}, so the short side
 *       (relative to the target's aspect) becomes the target. When the sample has the target's aspect ratio the
 *       result is exactly {@code H×W}. Labels use nearest neighbour (class values are copied, never mixed),
 *       images bilinear interpolation (half-pixel centres, like {@code align_corners=false}; no antialiasing).</li>
 *   <li><b>Crop</b> the excess along the long edge: at a random offset when {@link #randomCrop} (the random
 *       square crop of ADE-like data for square targets), centred otherwise. The same window is used for the
 *       label map and the image.</li>
 *   <li><b>Horizontal flip</b> with p = 0.5 when {@link #flip}, the same decision for label map and image.</li>
 *   <li>Images are scaled from [0, 1] to <b>[−1, 1]</b>; labels become a class map and, with
 *       {@link #oneHot}, one-hot planes {@code [K, H, W]}.</li>
 * </ol>
 *
 * All three geometric steps are folded into one coordinate map ({@link Plan}), so each output pixel is read
 * once from the source. The random decisions come from {@link #rng(long, int, int)}, a generator derived only
 * from (seed, epoch, sample index): results do not depend on thread timing or on which batch a sample is in.
 */
public record Transforms(int height, int width, boolean flip, boolean randomCrop) {
    public Transforms {
        if (height < 1 || width < 1) throw new IllegalArgumentException("target size must be positive, not " + height + "×" + width);
    }

    /** The training transforms for a target: flip on, random crop for square targets (docs/METHOD.md §5). */
    public static Transforms training(int height, int width) {
        return new Transforms(height, width, true, height == width);
    }

    /** Resize and centre crop only (evaluation). */
    public static Transforms eval(int height, int width) {
        return new Transforms(height, width, false, false);
    }

    /**
     * The geometry chosen for one sample: the source size, the size it is resized to (covering the target),
     * the crop window's top-left corner in the resized image, and whether the window is flipped.
     */
    public record Plan(int srcHeight, int srcWidth, int resizedHeight, int resizedWidth, int cropY, int cropX, boolean flipped) {}

    /** The plan for a sample of size {@code srcHeight×srcWidth}, with decisions from {@code rng(seed, epoch, index)}. */
    public Plan plan(int srcHeight, int srcWidth, long seed, int epoch, int index) {
        return plan(srcHeight, srcWidth, rng(seed, epoch, index));
    }

    /** The plan for a sample of size {@code srcHeight×srcWidth}; draws the flip first, then the crop offset. */
    public Plan plan(int srcHeight, int srcWidth, SplittableRandom rng) {
        if (srcHeight < 1 || srcWidth < 1) throw new IllegalArgumentException("sample size must be positive, not " + srcHeight + "×" + srcWidth);
        int rh, rw;
        if ((long) srcHeight * width == (long) srcWidth * height) {
            rh = height;
            rw = width;
        } else {
            double s = Math.max((double) height / srcHeight, (double) width / srcWidth);
            rh = Math.max(height, (int) Math.round(srcHeight * s));
            rw = Math.max(width, (int) Math.round(srcWidth * s));
        }
        boolean flipped = rng.nextBoolean() && flip;
        int exY = rh - height, exX = rw - width;
        int cy = randomCrop ? (exY == 0 ? 0 : rng.nextInt(exY + 1)) : exY / 2;
        int cx = randomCrop ? (exX == 0 ? 0 : rng.nextInt(exX + 1)) : exX / 2;
        return new Plan(srcHeight, srcWidth, rh, rw, cy, cx, flipped);
    }

    /** The per-sample generator: a function of (seed, epoch, sample index) only. */
    public static SplittableRandom rng(long seed, int epoch, int index) {
        long z = SplitMix64.mix(seed ^ 0x5DEECE66DL);
        z = SplitMix64.mix(z + SplitMix64.GOLDEN * (epoch + 1L));
        z = SplitMix64.mix(z + 0xC2B2AE3D27D4EB4FL * (index + 1L));
        return new SplittableRandom(z);
    }


    /** The transformed class map ({@code height·width}, row-major). */
    public int[] labels(int[] classes, Plan p) {
        int[] out = new int[height * width];
        labels(classes, p, out, 0);
        return out;
    }

    /** Writes the transformed class map into {@code dst[dstOff ..]}. */
    public void labels(int[] classes, Plan p, int[] dst, int dstOff) {
        nearest(classes, p.srcHeight(), p.srcWidth(), p.resizedHeight(), p.resizedWidth(), p.cropY(), p.cropX(), p.flipped(),
                height, width, dst, dstOff);
    }

    /** The transformed image, planar {@code [3, height, width]} in [−1, 1]. */
    public float[] image(float[] rgb, Plan p) {
        float[] out = new float[3 * height * width];
        image(rgb, p, out, 0);
        return out;
    }

    /** Writes the transformed image, planar {@code [3, height, width]} in [−1, 1], into {@code dst[dstOff ..]}. */
    public void image(float[] rgb, Plan p, float[] dst, int dstOff) {
        bilinear(rgb, 3, p.srcHeight(), p.srcWidth(), p.resizedHeight(), p.resizedWidth(), p.cropY(), p.cropX(), p.flipped(),
                height, width, dst, dstOff, true);
    }

    /**
     * One-hot planes {@code [k, n]} of the class map {@code classes[off .. off+n)} written to {@code dst[dstOff ..]}
     * (every plane cleared first); an {@link Sample#UNLABELLED} pixel keeps an all-zero row. Any other class outside
     * {@code 0..k-1} fails with a one-line IOException naming the sample.
     */
    public static void oneHot(int[] classes, int off, int n, int k, float[] dst, int dstOff, String id) throws IOException {
        java.util.Arrays.fill(dst, dstOff, dstOff + k * n, 0f);
        for (int i = 0; i < n; i++) {
            int c = classes[off + i];
            if (c == Sample.UNLABELLED) continue;
            if (c < 0 || c >= k) {
                throw new IOException("sample " + id + ": class " + c + " at pixel " + i + " is outside the label space 0.." + (k - 1));
            }
            dst[dstOff + c * n + i] = 1f;
        }
    }

    // ---- resampling kernels (also used directly by tests) ----

    /** Nearest-neighbour resize of a class map to {@code oh×ow} (no crop, no flip). */
    public static int[] resizeNearest(int[] src, int h, int w, int oh, int ow) {
        int[] out = new int[oh * ow];
        nearest(src, h, w, oh, ow, 0, 0, false, oh, ow, out, 0);
        return out;
    }

    /** Bilinear resize of planar {@code [c, h, w]} floats to {@code [c, oh, ow]} (no crop, no flip, no rescaling). */
    public static float[] resizeBilinear(float[] src, int c, int h, int w, int oh, int ow) {
        float[] out = new float[c * oh * ow];
        bilinear(src, c, h, w, oh, ow, 0, 0, false, oh, ow, out, 0, false);
        return out;
    }

    /** Source index (nearest, half-pixel centres) of each resized coordinate {@code start + i}, flipped if asked. */
    private static int[] nearestIndex(int src, int resized, int start, int n, boolean flipped) {
        int[] idx = new int[n];
        double scale = (double) src / resized;
        for (int i = 0; i < n; i++) {
            int r = start + (flipped ? n - 1 - i : i);
            idx[i] = Math.min(src - 1, (int) Math.floor((r + 0.5) * scale));
        }
        return idx;
    }

    private static void nearest(int[] src, int h, int w, int rh, int rw, int cy, int cx, boolean flipped, int oh, int ow, int[] dst, int off) {
        int[] ys = nearestIndex(h, rh, cy, oh, false);
        int[] xs = nearestIndex(w, rw, cx, ow, flipped);
        for (int y = 0; y < oh; y++) {
            int row = ys[y] * w, o = off + y * ow;
            for (int x = 0; x < ow; x++) dst[o + x] = src[row + xs[x]];
        }
    }

    private static void bilinear(float[] src, int c, int h, int w, int rh, int rw, int cy, int cx, boolean flipped,
                                 int oh, int ow, float[] dst, int off, boolean toSigned) {
        int[] y0 = new int[oh], y1 = new int[oh];
        float[] fy = new float[oh];
        weights(h, rh, cy, oh, false, y0, y1, fy);
        int[] x0 = new int[ow], x1 = new int[ow];
        float[] fx = new float[ow];
        weights(w, rw, cx, ow, flipped, x0, x1, fx);
        int plane = h * w, oplane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            int sp = ch * plane, dp = off + ch * oplane;
            for (int y = 0; y < oh; y++) {
                int r0 = sp + y0[y] * w, r1 = sp + y1[y] * w;
                float wy = fy[y], vy = 1f - wy;
                int o = dp + y * ow;
                for (int x = 0; x < ow; x++) {
                    int a = x0[x], b = x1[x];
                    float wx = fx[x];
                    float top = src[r0 + a] + (src[r0 + b] - src[r0 + a]) * wx;
                    float bot = src[r1 + a] + (src[r1 + b] - src[r1 + a]) * wx;
                    float v = top * vy + bot * wy;
                    if (toSigned) v = Math.max(-1f, Math.min(1f, 2f * v - 1f));
                    dst[o + x] = v;
                }
            }
        }
    }

    private static void weights(int src, int resized, int start, int n, boolean flipped, int[] i0, int[] i1, float[] frac) {
        double scale = (double) src / resized;
        for (int i = 0; i < n; i++) {
            int r = start + (flipped ? n - 1 - i : i);
            double s = Math.max(0.0, (r + 0.5) * scale - 0.5);
            int a = Math.min(src - 1, (int) Math.floor(s));
            i0[i] = a;
            i1[i] = Math.min(src - 1, a + 1);
            frac[i] = (float) (s - a);
        }
    }
}
