package org.sbgan.trainer.eval;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Sliced Wasserstein distance on Laplacian-pyramid patches, the ProGAN metric ({@code metrics/sliced_wasserstein.py},
 * Karras et al. 2018), which needs no pretrained network.
 *
 * <p>Each image (float {@code [C, H, W]}: RGB in [−1, 1], or a one-hot label map with C = K classes) is split into a Laplacian pyramid (5×5 binomial filter
 * [1,4,6,4,1]/16, mirror borders as scipy's {@code mode='mirror'}, ×2 decimation) with levels down to the one
 * whose smaller side is still ≥ 16. From every level, {@code descriptorsPerImage} random 7×7×C patches are taken;
 * each set's descriptors are normalized per channel (mean 0, std 1 over that set, as ProGAN does), and the SWD
 * per level is the mean, over {@code repeats} × {@code directions} random unit directions, of the mean absolute
 * difference of the sorted projections; it is reported ×10³ like ProGAN.
 *
 * <p>Unlike ProGAN, both sets draw patch positions from the same seeded stream, so a set against itself gives
 * exactly 0 and swapping the arguments gives the same value; the directions come from the same seed too.
 */
public final class Swd {
    /** ProGAN: 7×7 neighbourhoods. */
    public static final int PATCH = 7;
    /** ProGAN: the pyramid stops at 16 pixels. */
    public static final int MIN_SIDE = 16;

    private final int descriptorsPerImage;
    private final int repeats;
    private final int directions;
    private final long seed;

    /** Per-level SWD ×10³ (finest level first) and their mean. */
    public record Result(double[] perLevel, double average) {}

    /** ProGAN's settings: 128 descriptors per image and level, 4 repeats of 128 directions. */
    public Swd(long seed) {
        this(128, 4, 128, seed);
    }

    public Swd(int descriptorsPerImage, int repeats, int directions, long seed) {
        if (descriptorsPerImage < 1 || repeats < 1 || directions < 1) {
            throw new IllegalArgumentException("SWD needs positive descriptors per image, repeats and directions, got "
                    + descriptorsPerImage + ", " + repeats + ", " + directions);
        }
        this.descriptorsPerImage = descriptorsPerImage;
        this.repeats = repeats;
        this.directions = directions;
        this.seed = seed;
    }

    /** Number of pyramid levels for images of this size (at least 1). */
    public static int levels(int h, int w) {
        int levels = 1;
        while (Math.min(h >> levels, w >> levels) >= MIN_SIDE) levels++;
        return levels;
    }

    /**
     * SWD between set a ({@code na} images) and set b ({@code nb} images), both RGB {@code [n, 3, h, w]} row-major:
     * {@link #compute(float[], int, float[], int, int, int, int)} with 3 channels.
     */
    public Result compute(float[] a, int na, float[] b, int nb, int h, int w) {
        return compute(a, na, b, nb, 3, h, w);
    }

    /**
     * SWD between set a ({@code na} images) and set b ({@code nb} images), both {@code [n, c, h, w]} row-major
     * (for example one-hot label maps with c = K). Patches are 7×7×c. When the sets differ in size, the larger
     * set's descriptors are subsampled (seeded) to the smaller count.
     */
    public Result compute(float[] a, int na, float[] b, int nb, int c, int h, int w) {
        if (c < 1) throw new IllegalArgumentException("SWD needs at least one channel, got " + c);
        check(a, na, c, h, w, "first");
        check(b, nb, c, h, w, "second");
        int levels = levels(h, w);
        float[][] pa = pyramids(a, na, c, h, w, levels), pb = pyramids(b, nb, c, h, w, levels);
        double[] per = new double[levels];
        for (int l = 0; l < levels; l++) {
            int lh = levelSize(h, l), lw = levelSize(w, l);
            if (lh < PATCH || lw < PATCH) {
                throw new IllegalArgumentException("SWD: pyramid level " + l + " is " + lh + "×" + lw + ", smaller than the " + PATCH + "×" + PATCH + " patch");
            }
            float[][] da = descriptors(pa[l], na, c, lh, lw, new SplittableRandom(seed * 1_000_003L + l));
            float[][] db = descriptors(pb[l], nb, c, lh, lw, new SplittableRandom(seed * 1_000_003L + l));
            int count = Math.min(da.length, db.length);
            SplittableRandom sub = new SplittableRandom((seed ^ 0x5eed5eedL) + l);
            if (da.length > count) da = subsample(da, count, sub);
            if (db.length > count) db = subsample(db, count, sub);
            normalize(da, c);
            normalize(db, c);
            per[l] = sliced(da, db, new Random(seed + 31L * l)) * 1e3;
        }
        return new Result(per, Arrays.stream(per).average().orElse(0));
    }

    private static void check(float[] x, int n, int c, int h, int w, String which) {
        if (n < 1) throw new IllegalArgumentException("SWD: the " + which + " set has no images");
        if (h < PATCH || w < PATCH) throw new IllegalArgumentException("SWD: images of " + h + "×" + w + " are smaller than the " + PATCH + "×" + PATCH + " patch");
        if ((long) n * c * h * w != x.length) {
            throw new IllegalArgumentException("SWD: the " + which + " set has " + x.length + " floats, not " + n + "×" + c + "×" + h + "×" + w);
        }
    }

    private static int levelSize(int s, int level) {
        for (int i = 0; i < level; i++) s = (s + 1) / 2;
        return s;
    }

    /** Per level, the Laplacian images of all n images, {@code [n, c, lh, lw]}; the last level is the low-pass residual. */
    static float[][] pyramids(float[] x, int n, int h, int w, int levels) {
        return pyramids(x, n, 3, h, w, levels);
    }

    static float[][] pyramids(float[] x, int n, int c, int h, int w, int levels) {
        float[][] out = new float[levels][];
        int planes = n * c;
        float[] cur = x.clone();
        int ch = h, cw = w;
        for (int l = 0; l < levels - 1; l++) {
            int nh = (ch + 1) / 2, nw = (cw + 1) / 2;
            float[] small = new float[planes * nh * nw];
            float[] up = new float[planes * ch * cw];
            for (int p = 0; p < planes; p++) {
                down(cur, p * ch * cw, ch, cw, small, p * nh * nw);
                upsample(small, p * nh * nw, nh, nw, up, p * ch * cw, ch, cw);
            }
            for (int i = 0; i < cur.length; i++) cur[i] -= up[i];
            out[l] = cur;
            cur = small;
            ch = nh;
            cw = nw;
        }
        out[levels - 1] = cur;
        return out;
    }

    private static final float[] BINOMIAL = {1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f};

    /** Mirror index as scipy.ndimage's 'mirror' mode (d c b | a b c d | c b a). */
    private static int mirror(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i = Math.floorMod(i, period);
        return i < n ? i : period - i;
    }

    /** Separable 5×5 binomial blur of one plane, scaled by {@code gain} per axis. */
    private static float[] blur(float[] src, int off, int h, int w, float gain) {
        float[] tmp = new float[h * w], out = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int k = -2; k <= 2; k++) s += BINOMIAL[k + 2] * src[off + y * w + mirror(x + k, w)];
                tmp[y * w + x] = s * gain;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int k = -2; k <= 2; k++) s += BINOMIAL[k + 2] * tmp[mirror(y + k, h) * w + x];
                out[y * w + x] = s * gain;
            }
        }
        return out;
    }

    /** ProGAN's pyr_down: blur, then keep every second row and column. */
    private static void down(float[] src, int off, int h, int w, float[] dst, int doff) {
        float[] b = blur(src, off, h, w, 1f);
        int nw = (w + 1) / 2;
        for (int y = 0; y < h; y += 2) {
            for (int x = 0; x < w; x += 2) dst[doff + (y / 2) * nw + x / 2] = b[y * w + x];
        }
    }

    /** ProGAN's pyr_up: zeros between samples, then the blur ×4 (×2 per axis), cropped to the finer level's size. */
    private static void upsample(float[] src, int off, int sh, int sw, float[] dst, int doff, int h, int w) {
        float[] z = new float[h * w];
        for (int y = 0; y < sh && 2 * y < h; y++) {
            for (int x = 0; x < sw && 2 * x < w; x++) z[2 * y * w + 2 * x] = src[off + y * sw + x];
        }
        float[] b = blur(z, 0, h, w, 2f);
        System.arraycopy(b, 0, dst, doff, h * w);
    }

    /** {@code descriptorsPerImage} random 7×7×c patches per image, each flattened channel-major ([c, 7, 7]). */
    private float[][] descriptors(float[] level, int n, int channels, int h, int w, SplittableRandom rng) {
        int r = PATCH / 2, size = channels * PATCH * PATCH;
        float[][] out = new float[n * descriptorsPerImage][];
        for (int img = 0; img < n; img++) {
            for (int k = 0; k < descriptorsPerImage; k++) {
                int cx = r + rng.nextInt(w - 2 * r), cy = r + rng.nextInt(h - 2 * r);
                float[] d = new float[size];
                int o = 0;
                for (int c = 0; c < channels; c++) {
                    int plane = (img * channels + c) * h * w;
                    for (int y = cy - r; y <= cy + r; y++) {
                        for (int x = cx - r; x <= cx + r; x++) d[o++] = level[plane + y * w + x];
                    }
                }
                out[img * descriptorsPerImage + k] = d;
            }
        }
        return out;
    }

    private static float[][] subsample(float[][] d, int count, SplittableRandom rng) {
        float[][] copy = d.clone();
        for (int i = 0; i < count; i++) {
            int j = i + rng.nextInt(copy.length - i);
            float[] t = copy[i];
            copy[i] = copy[j];
            copy[j] = t;
        }
        return Arrays.copyOf(copy, count);
    }

    /** Per channel: subtract the mean and divide by the standard deviation over all descriptors of the set. */
    private static void normalize(float[][] d, int channels) {
        int per = PATCH * PATCH;
        for (int c = 0; c < channels; c++) {
            double sum = 0, sq = 0;
            for (float[] row : d) {
                for (int i = c * per; i < (c + 1) * per; i++) {
                    sum += row[i];
                    sq += (double) row[i] * row[i];
                }
            }
            double count = (double) d.length * per;
            double mean = sum / count;
            double std = Math.sqrt(Math.max(0, sq / count - mean * mean));
            float inv = std > 1e-12 ? (float) (1 / std) : 0f;
            for (float[] row : d) {
                for (int i = c * per; i < (c + 1) * per; i++) row[i] = (float) ((row[i] - mean) * inv);
            }
        }
    }

    /** Mean over repeats × directions of mean |sort(A·dir) − sort(B·dir)|. */
    private double sliced(float[][] a, float[][] b, Random rng) {
        int dim = a[0].length, n = a.length;
        double total = 0;
        float[] pa = new float[n], pb = new float[n];
        for (int rep = 0; rep < repeats; rep++) {
            for (int k = 0; k < directions; k++) {
                float[] dir = new float[dim];
                double norm = 0;
                for (int i = 0; i < dim; i++) {
                    double g = rng.nextGaussian();
                    dir[i] = (float) g;
                    norm += g * g;
                }
                float inv = (float) (1 / Math.sqrt(norm));
                for (int i = 0; i < dim; i++) dir[i] *= inv;
                for (int s = 0; s < n; s++) {
                    pa[s] = dot(a[s], dir);
                    pb[s] = dot(b[s], dir);
                }
                Arrays.sort(pa);
                Arrays.sort(pb);
                double sum = 0;
                for (int s = 0; s < n; s++) sum += Math.abs(pa[s] - pb[s]);
                total += sum / n;
            }
        }
        return total / ((double) repeats * directions);
    }

    private static float dot(float[] x, float[] y) {
        float s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }
}
