package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.junit.jupiter.api.Test;
import org.sbgan.trainer.eval.FrechetDistance.Gaussian;

class FrechetDistanceTest {

    @Test
    void diagonalCovariancesMatchClosedForm() {
        double[] ma = {0.5, -1, 2, 0}, mb = {1, 1, -1, 0.25};
        double[] la = {1, 4, 0.25, 9}, lb = {2, 1, 0.5, 0};
        Gaussian a = new Gaussian(ma, diag(la)), b = new Gaussian(mb, diag(lb));
        double expected = closedForm(ma, mb, la, lb);
        assertEquals(expected, FrechetDistance.distance(a, b), 1e-6 * expected);
    }

    @Test
    void rotatedCommutingCovariancesMatchClosedForm() {
        Random rng = new Random(1);
        int d = 12;
        DMatrixRMaj r = orthogonal(d, rng);
        double[] la = new double[d], lb = new double[d], ma = new double[d], mb = new double[d];
        for (int i = 0; i < d; i++) {
            la[i] = 0.1 + 3 * rng.nextDouble();
            lb[i] = i % 4 == 0 ? 0 : 0.1 + 3 * rng.nextDouble(); // Σb singular
            ma[i] = rng.nextGaussian();
            mb[i] = rng.nextGaussian();
        }
        Gaussian a = new Gaussian(ma, rotate(r, la)), b = new Gaussian(mb, rotate(r, lb));
        double expected = closedForm(ma, mb, la, lb);
        assertEquals(expected, FrechetDistance.distance(a, b), 1e-6 * expected);
        assertEquals(expected, FrechetDistance.distance(b, a), 1e-6 * expected);
    }

    @Test
    void generalCovariancesAreSymmetricAndMatchEigenvaluesOfTheProduct() {
        Random rng = new Random(2);
        int d = 10;
        double[][] ca = randomSpd(d, rng, false), cb = randomSpd(d, rng, true);
        double[] ma = new double[d], mb = new double[d];
        for (int i = 0; i < d; i++) {
            ma[i] = rng.nextGaussian();
            mb[i] = rng.nextGaussian();
        }
        Gaussian a = new Gaussian(ma, ca), b = new Gaussian(mb, cb);
        double ab = FrechetDistance.distance(a, b), ba = FrechetDistance.distance(b, a);
        assertEquals(ab, ba, 1e-9 * ab);

        // Independent check: Tr sqrt(Σa^½ Σb Σa^½) = Σ sqrt(eig(Σa Σb)) from a general (non-symmetric) eigensolver.
        DMatrixRMaj p = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(mat(ca), mat(cb), p);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, false);
        assertTrue(eig.decompose(p));
        double tr = 0;
        for (int k = 0; k < d; k++) tr += Math.sqrt(Math.max(0, eig.getEigenvalue(k).getReal()));
        double mean2 = 0;
        for (int i = 0; i < d; i++) mean2 += (ma[i] - mb[i]) * (ma[i] - mb[i]);
        double expected = mean2 + CommonOps_DDRM.trace(mat(ca)) + CommonOps_DDRM.trace(mat(cb)) - 2 * tr;
        assertEquals(expected, ab, 1e-6 * expected);
    }

    @Test
    void distanceToItselfIsZero() {
        Random rng = new Random(3);
        int d = 16;
        double[][] c = randomSpd(d, rng, true);
        double[] m = new double[d];
        for (int i = 0; i < d; i++) m[i] = rng.nextGaussian();
        Gaussian a = new Gaussian(m, c);
        double trace = CommonOps_DDRM.trace(mat(c));
        assertEquals(0, FrechetDistance.distance(a, a), 1e-9 * trace);
    }

    @Test
    void fitRecoversAKnownGaussian() {
        Random rng = new Random(4);
        double[] mean = {1, -2, 0.5};
        double[][] l = {{1, 0, 0}, {0.5, 2, 0}, {-0.3, 0.2, 0.7}}; // Σ = L Lᵀ
        int n = 20000;
        float[][] x = new float[n][3];
        for (int s = 0; s < n; s++) {
            double[] z = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            for (int i = 0; i < 3; i++) {
                double v = mean[i];
                for (int k = 0; k < 3; k++) v += l[i][k] * z[k];
                x[s][i] = (float) v;
            }
        }
        Gaussian g = FrechetDistance.fit(x);
        for (int i = 0; i < 3; i++) {
            assertEquals(mean[i], g.mean()[i], 0.05);
            for (int j = 0; j < 3; j++) {
                double cov = 0;
                for (int k = 0; k < 3; k++) cov += l[i][k] * l[j][k];
                assertEquals(cov, g.cov()[i][j], 0.1);
            }
        }
    }

    @Test
    void sampleSpaceFormEqualsCovarianceForm() {
        Random rng = new Random(5);
        int d = 64;
        float[][] x = randomRows(40, d, rng, 0), y = randomRows(30, d, rng, 0.3f);
        double viaCov = FrechetDistance.distance(FrechetDistance.fit(x), FrechetDistance.fit(y));
        double viaSamples = FrechetDistance.distance(x, y);
        assertEquals(viaCov, viaSamples, 1e-6 * viaCov);
        assertEquals(viaSamples, FrechetDistance.distance(y, x), 1e-9 * viaSamples);
    }

    @Test
    void mismatchedDimensionsFailInOneLine() {
        Gaussian a = new Gaussian(new double[2], diag(new double[] {1, 1}));
        Gaussian b = new Gaussian(new double[3], diag(new double[] {1, 1, 1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.distance(a, b));
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains("2-d"), e.getMessage());
    }

    /** Timing at Inception size; run with -Dsbgan.eval.timing=true. */
    @Test
    void timingAt2048Dimensions() {
        if (!Boolean.getBoolean("sbgan.eval.timing")) return;
        Random rng = new Random(6);
        int d = 2048, n = 500;
        float[][] x = randomRows(n, d, rng, 0), y = randomRows(n, d, rng, 0.1f);
        long t0 = System.nanoTime();
        double fast = FrechetDistance.distance(x, y);
        long t1 = System.nanoTime();
        Gaussian a = FrechetDistance.fit(x), b = FrechetDistance.fit(y);
        long t2 = System.nanoTime();
        double full = FrechetDistance.distance(a, b);
        long t3 = System.nanoTime();
        System.out.printf("FID %d samples × %d-d: sample-space %.3f s (%.6f); fit %.3f s + covariance form %.3f s (%.6f)%n",
                n, d, (t1 - t0) / 1e9, fast, (t2 - t1) / 1e9, (t3 - t2) / 1e9, full);
        assertEquals(full, fast, 1e-6 * full);
    }

    static float[][] randomRows(int n, int d, Random rng, float shift) {
        float[][] x = new float[n][d];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < d; i++) x[s][i] = (float) (rng.nextGaussian() * (1 + 0.5 * Math.sin(i)) + shift * Math.cos(i));
        }
        return x;
    }

    private static double closedForm(double[] ma, double[] mb, double[] la, double[] lb) {
        double v = 0;
        for (int i = 0; i < ma.length; i++) {
            v += (ma[i] - mb[i]) * (ma[i] - mb[i]);
            v += la[i] + lb[i] - 2 * Math.sqrt(la[i] * lb[i]);
        }
        return v;
    }

    private static double[][] diag(double[] l) {
        double[][] m = new double[l.length][l.length];
        for (int i = 0; i < l.length; i++) m[i][i] = l[i];
        return m;
    }

    private static DMatrixRMaj mat(double[][] rows) {
        return new DMatrixRMaj(rows);
    }

    private static DMatrixRMaj orthogonal(int d, Random rng) {
        DMatrixRMaj g = new DMatrixRMaj(d, d);
        for (int i = 0; i < d * d; i++) g.data[i] = rng.nextGaussian();
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(d, d);
        assertTrue(qr.decompose(g));
        return qr.getQ(null, false);
    }

    private static double[][] rotate(DMatrixRMaj r, double[] l) {
        int d = l.length;
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += r.get(i, k) * l[k] * r.get(j, k);
                m[i][j] = s;
            }
        }
        return m;
    }

    /** G Gᵀ / d, full rank, or rank d/2 when singular. */
    private static double[][] randomSpd(int d, Random rng, boolean singular) {
        int k = singular ? d / 2 : d;
        double[][] g = new double[d][k];
        for (double[] row : g) for (int j = 0; j < k; j++) row[j] = rng.nextGaussian();
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += g[i][t] * g[j][t];
                m[i][j] = s / k;
            }
        }
        return m;
    }
}
