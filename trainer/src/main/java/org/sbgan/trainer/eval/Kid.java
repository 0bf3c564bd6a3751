package org.sbgan.trainer.eval;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of MMD² with the cubic polynomial kernel
 * {@code k(a, b) = (a·b / d + 1)³}, averaged over random subsets, as in the paper's code and clean-fid.
 *
 * <p>Why next to FID: KID is unbiased, so its value at a few hundred samples does not drift with the sample count
 * the way FID does, and the spread over subsets says how much to trust a difference between two runs.
 */
public final class Kid {
    private Kid() {}

    /** Up to this many rows in total, all pairwise dot products are computed once (≤ 128 MiB of doubles). */
    static final int GRAM_LIMIT = 4096;

    /** Mean and (population) standard deviation of MMD² over {@code subsets} subsets of {@code subsetSize} rows. */
    public record Result(double mean, double std, int subsets, int subsetSize) {}

    /**
     * KID between feature rows x and y. Each subset draws {@code m = min(subsetSize, |x|, |y|)} rows from each set
     * without replacement (independently per subset, from a generator seeded with {@code seed}).
     */
    public static Result compute(float[][] x, float[][] y, int subsets, int subsetSize, long seed) {
        if (subsets < 1) throw new IllegalArgumentException("KID needs at least 1 subset, got " + subsets);
        if (x.length < 2 || y.length < 2) throw new IllegalArgumentException("KID needs at least 2 feature rows per set, got " + x.length + " and " + y.length);
        int d = x[0].length;
        if (y[0].length != d) throw new IllegalArgumentException("KID between " + d + "-d and " + y[0].length + "-d features");
        int m = Math.min(subsetSize, Math.min(x.length, y.length));
        if (m < 2) throw new IllegalArgumentException("KID subset size must be at least 2, got " + subsetSize);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] values = new double[subsets];
        // One Gram matrix over both sets (a single EJML product) when it fits, instead of m² dot products per subset.
        DMatrixRMaj gram = x.length + y.length <= GRAM_LIMIT ? gram(x, y) : null;
        for (int s = 0; s < subsets; s++) {
            int[] ia = pick(x.length, m, rng), ib = pick(y.length, m, rng);
            if (gram == null) {
                float[][] a = new float[m][], b = new float[m][];
                for (int i = 0; i < m; i++) {
                    a[i] = x[ia[i]];
                    b[i] = y[ib[i]];
                }
                values[s] = mmd2(a, b);
            } else {
                for (int i = 0; i < m; i++) ib[i] += x.length;
                values[s] = mmd2(gram, d, ia, ib);
            }
        }
        double mean = 0;
        for (double v : values) mean += v;
        mean /= subsets;
        double var = 0;
        for (double v : values) var += (v - mean) * (v - mean);
        return new Result(mean, Math.sqrt(var / subsets), subsets, m);
    }

    /** Unbiased MMD² of two equally sized sets: off-diagonal means within each set, full mean across. */
    static double mmd2(float[][] a, float[][] b) {
        int m = a.length, d = a[0].length;
        double kaa = 0, kbb = 0, kab = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                kaa += kernel(a[i], a[j], d);
                kbb += kernel(b[i], b[j], d);
            }
            for (int j = 0; j < m; j++) kab += kernel(a[i], b[j], d);
        }
        return 2 * (kaa + kbb) / ((double) m * (m - 1)) - 2 * kab / ((double) m * m);
    }

    private static double mmd2(DMatrixRMaj g, int d, int[] ia, int[] ib) {
        int m = ia.length;
        double kaa = 0, kbb = 0, kab = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                kaa += cube(g.unsafe_get(ia[i], ia[j]) / d + 1);
                kbb += cube(g.unsafe_get(ib[i], ib[j]) / d + 1);
            }
            for (int j = 0; j < m; j++) kab += cube(g.unsafe_get(ia[i], ib[j]) / d + 1);
        }
        return 2 * (kaa + kbb) / ((double) m * (m - 1)) - 2 * kab / ((double) m * m);
    }

    private static double cube(double t) {
        return t * t * t;
    }

    private static DMatrixRMaj gram(float[][] x, float[][] y) {
        int n = x.length + y.length, d = x[0].length;
        DMatrixRMaj z = new DMatrixRMaj(n, d);
        for (int r = 0; r < n; r++) {
            float[] row = r < x.length ? x[r] : y[r - x.length];
            if (row.length != d) throw new IllegalArgumentException("feature rows differ in length: " + row.length + " vs " + d);
            for (int i = 0; i < d; i++) z.data[r * d + i] = row[i];
        }
        DMatrixRMaj g = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(z, z, g);
        return g;
    }

    private static double kernel(float[] p, float[] q, int d) {
        double dot = 0;
        for (int i = 0; i < d; i++) dot += (double) p[i] * q[i];
        double t = dot / d + 1;
        return t * t * t;
    }

    /** m distinct indices below n, chosen by a partial Fisher–Yates shuffle. */
    private static int[] pick(int n, int m, SplittableRandom rng) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return java.util.Arrays.copyOf(idx, m);
    }
}
