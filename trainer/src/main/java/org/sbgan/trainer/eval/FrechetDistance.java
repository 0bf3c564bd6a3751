package org.sbgan.trainer.eval;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Fréchet distance between two Gaussians, the core of FID:
 * {@code |μa−μb|² + Tr Σa + Tr Σb − 2·Tr sqrt(Σa^½ Σb Σa^½)}.
 *
 * <p>Why this form: {@code sqrtm(Σa Σb)} (what pytorch-fid calls) is the square root of a non-symmetric matrix and
 * goes complex or blows up when the covariances are singular, which they always are with fewer samples than
 * feature dimensions (500 samples of 2048-d Inception features). {@code Σa^½ Σb Σa^½} is symmetric positive
 * semi-definite and has the same eigenvalues as {@code Σa Σb}, so the trace term is the sum of square roots of
 * the eigenvalues of a symmetric matrix: computed with EJML's symmetric eigendecomposition, with the middle
 * matrix symmetrized against round-off and eigenvalues below the numerical-rank tolerance (tiny negative ones
 * included) treated as 0.
 *
 * <p>{@link #distance(float[][], float[][])} goes straight from samples and, when a set has fewer samples than
 * dimensions, uses the equivalent sample-space form (the non-zero eigenvalues of {@code Σa Σb} are the squared
 * singular values of the centred cross-Gram matrix {@code Xa Xbᵀ}), which is far cheaper at 2048-d.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** A Gaussian in feature space: mean and (sample) covariance. */
    public record Gaussian(double[] mean, double[][] cov) {
        public Gaussian {
            if (mean.length == 0) throw new IllegalArgumentException("Gaussian needs at least one dimension");
            if (cov.length != mean.length) throw new IllegalArgumentException("covariance has " + cov.length + " rows, mean has " + mean.length + " dimensions");
            for (double[] row : cov) {
                if (row.length != mean.length) throw new IllegalArgumentException("covariance row has " + row.length + " columns, expected " + mean.length);
            }
        }

        public int dim() {
            return mean.length;
        }
    }

    /** Mean and unbiased sample covariance (divided by n−1, as numpy's {@code np.cov}) of n feature rows. */
    public static Gaussian fit(float[][] features) {
        int n = features.length;
        if (n < 2) throw new IllegalArgumentException("fitting a Gaussian needs at least 2 feature rows, got " + n);
        int d = features[0].length;
        double[] mean = means(features, d);
        DMatrixRMaj x = centred(features, mean);
        DMatrixRMaj c = new DMatrixRMaj(d, d);
        CommonOps_MT_DDRM.multTransA(x, x, c);
        CommonOps_DDRM.scale(1.0 / (n - 1), c);
        double[][] cov = new double[d][];
        for (int i = 0; i < d; i++) cov[i] = Arrays.copyOfRange(c.data, i * d, (i + 1) * d);
        return new Gaussian(mean, cov);
    }

    /** The Fréchet distance between two Gaussians of the same dimension; symmetric, 0 for equal arguments. */
    public static double distance(Gaussian a, Gaussian b) {
        int d = a.dim();
        if (b.dim() != d) throw new IllegalArgumentException("Fréchet distance between a " + d + "-d and a " + b.dim() + "-d Gaussian");
        double mean2 = 0;
        for (int i = 0; i < d; i++) {
            double t = a.mean()[i] - b.mean()[i];
            mean2 += t * t;
        }
        DMatrixRMaj sa = matrix(a.cov()), sb = matrix(b.cov());
        double value = mean2 + CommonOps_DDRM.trace(sa) + CommonOps_DDRM.trace(sb) - 2 * traceSqrtProduct(sa, sb);
        return Math.max(0, value);
    }

    /**
     * FID-style distance straight from two sets of feature rows: the same value as
     * {@code distance(fit(x), fit(y))}, computed in sample space when either set has fewer rows than dimensions.
     */
    public static double distance(float[][] x, float[][] y) {
        if (x.length < 2 || y.length < 2) throw new IllegalArgumentException("Fréchet distance needs at least 2 feature rows per set, got " + x.length + " and " + y.length);
        int d = x[0].length;
        if (y[0].length != d) throw new IllegalArgumentException("Fréchet distance between " + d + "-d and " + y[0].length + "-d features");
        if (x.length >= d && y.length >= d) return distance(fit(x), fit(y));
        double[] mx = means(x, d), my = means(y, d);
        double mean2 = 0;
        for (int i = 0; i < d; i++) mean2 += (mx[i] - my[i]) * (mx[i] - my[i]);
        DMatrixRMaj xa = centred(x, mx), xb = centred(y, my);
        double na = x.length - 1, nb = y.length - 1;
        double tra = CommonOps_DDRM.elementSum(CommonOps_DDRM.elementMult(xa, xa, null)) / na;
        double trb = CommonOps_DDRM.elementSum(CommonOps_DDRM.elementMult(xb, xb, null)) / nb;
        // Eigenvalues of Σa Σb (non-zero part) = eigenvalues of C Cᵀ / (na nb), C = Xa Xbᵀ; take the smaller Gram.
        DMatrixRMaj c = new DMatrixRMaj(x.length, y.length);
        CommonOps_MT_DDRM.multTransB(xa, xb, c);
        DMatrixRMaj g = x.length <= y.length ? new DMatrixRMaj(x.length, x.length) : new DMatrixRMaj(y.length, y.length);
        if (x.length <= y.length) CommonOps_MT_DDRM.multTransB(c, c, g);
        else CommonOps_MT_DDRM.multTransA(c, c, g);
        double tr = sumSqrtEigenvalues(g) / Math.sqrt(na * nb);
        return Math.max(0, mean2 + tra + trb - 2 * tr);
    }

    /**
     * {@code Tr sqrt(A^½ B A^½)} for symmetric positive semi-definite A and B.
     *
     * <p>With {@code A = V Λ Vᵀ} and {@code S = V Λ^½} restricted to the r eigenvalues above the numerical-rank
     * tolerance ({@code λmax · d · ε}, as numpy's matrix_rank), {@code A = S Sᵀ} and {@code Sᵀ B S} (r×r, symmetric)
     * has the non-zero eigenvalues of {@code A^½ B A^½}. For covariances of fewer samples than dimensions r is the
     * sample count, which makes this far cheaper than forming {@code A^½} (d×d products).
     */
    static double traceSqrtProduct(DMatrixRMaj a, DMatrixRMaj b) {
        int d = a.numRows;
        DMatrixRMaj sym = a.copy();
        symmetrize(sym);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(sym)) throw new ArithmeticException("eigendecomposition of a " + d + "×" + d + " covariance did not converge");
        double max = 0;
        for (int k = 0; k < d; k++) max = Math.max(max, eig.getEigenvalue(k).getReal());
        if (max <= 0) return 0;
        double tol = max * d * Math.ulp(1.0);
        int r = 0;
        for (int k = 0; k < d; k++) if (eig.getEigenvalue(k).getReal() > tol) r++;
        DMatrixRMaj s = new DMatrixRMaj(d, r);
        int col = 0;
        for (int k = 0; k < d; k++) {
            double lambda = eig.getEigenvalue(k).getReal();
            if (lambda <= tol) continue;
            double f = Math.sqrt(lambda);
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < d; i++) s.unsafe_set(i, col, v.data[i] * f);
            col++;
        }
        DMatrixRMaj bs = new DMatrixRMaj(d, r), mid = new DMatrixRMaj(r, r);
        CommonOps_MT_DDRM.mult(b, s, bs);
        CommonOps_MT_DDRM.multTransA(s, bs, mid);
        return sumSqrtEigenvalues(mid);
    }

    /** Σ sqrt(λ) over the eigenvalues above the numerical-rank tolerance of a (numerically) symmetric matrix, which it symmetrizes first. */
    private static double sumSqrtEigenvalues(DMatrixRMaj m) {
        symmetrize(m);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m.numRows, false, true);
        if (!eig.decompose(m)) throw new ArithmeticException("eigendecomposition of a " + m.numRows + "×" + m.numRows + " matrix did not converge");
        // Eigenvalues below the numerical-rank tolerance are round-off of zeros; their square roots (√ε-sized) would
        // not be, and would make d(a, b) and d(b, a) differ for singular covariances.
        int n = eig.getNumberOfEigenvalues();
        double max = 0;
        for (int k = 0; k < n; k++) max = Math.max(max, eig.getEigenvalue(k).getReal());
        double tol = max * m.numRows * Math.ulp(1.0);
        double sum = 0;
        for (int k = 0; k < n; k++) {
            double lambda = eig.getEigenvalue(k).getReal();
            if (lambda > tol) sum += Math.sqrt(lambda);
        }
        return sum;
    }

    private static void symmetrize(DMatrixRMaj m) {
        int d = m.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double v = 0.5 * (m.unsafe_get(i, j) + m.unsafe_get(j, i));
                m.unsafe_set(i, j, v);
                m.unsafe_set(j, i, v);
            }
        }
    }

    private static double[] means(float[][] rows, int d) {
        double[] mean = new double[d];
        for (float[] r : rows) {
            if (r.length != d) throw new IllegalArgumentException("feature rows differ in length: " + r.length + " vs " + d);
            for (int i = 0; i < d; i++) mean[i] += r[i];
        }
        for (int i = 0; i < d; i++) mean[i] /= rows.length;
        return mean;
    }

    private static DMatrixRMaj centred(float[][] rows, double[] mean) {
        int d = mean.length;
        DMatrixRMaj x = new DMatrixRMaj(rows.length, d);
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != d) throw new IllegalArgumentException("feature rows differ in length: " + rows[r].length + " vs " + d);
            for (int i = 0; i < d; i++) x.data[r * d + i] = rows[r][i] - mean[i];
        }
        return x;
    }

    private static DMatrixRMaj matrix(double[][] rows) {
        int d = rows.length;
        DMatrixRMaj m = new DMatrixRMaj(d, d);
        for (int i = 0; i < d; i++) System.arraycopy(rows[i], 0, m.data, i * d, d);
        return m;
    }
}
