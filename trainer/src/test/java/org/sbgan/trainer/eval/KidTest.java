package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KidTest {

    /** The KID estimator written out directly: unbiased within-set terms, full cross term. */
    private static double direct(float[][] x, float[][] y) {
        int m = x.length, d = x[0].length;
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    xx += k(x[i], x[j], d);
                    yy += k(y[i], y[j], d);
                }
                xy += k(x[i], y[j], d);
            }
        }
        return xx / (m * (m - 1.0)) + yy / (m * (m - 1.0)) - 2 * xy / ((double) m * m);
    }

    private static double k(float[] a, float[] b, int d) {
        double dot = 0;
        for (int i = 0; i < d; i++) dot += a[i] * (double) b[i];
        return Math.pow(dot / d + 1, 3);
    }

    @Test
    void oneSubsetOfAllSamplesMatchesTheDirectComputation() {
        Random rng = new Random(7);
        float[][] x = FrechetDistanceTest.randomRows(60, 16, rng, 0), y = FrechetDistanceTest.randomRows(60, 16, rng, 0.4f);
        double expected = direct(x, y);
        Kid.Result r = Kid.compute(x, y, 1, 60, 11);
        assertEquals(expected, r.mean(), 1e-9 * Math.abs(expected));
        assertEquals(0, r.std());
        assertEquals(60, r.subsetSize());
        // The path without the shared Gram matrix (used above 4096 rows) gives the same value.
        assertEquals(expected, Kid.mmd2(x, y), 1e-9 * Math.abs(expected));
    }

    @Test
    void growsWithAShiftAndIsSeeded() {
        Random rng = new Random(8);
        float[][] x = FrechetDistanceTest.randomRows(200, 32, rng, 0);
        double previous = Double.NEGATIVE_INFINITY;
        for (float shift : new float[] {0f, 0.2f, 0.5f, 1f}) {
            float[][] y = new float[x.length][];
            for (int s = 0; s < x.length; s++) {
                y[s] = x[s].clone();
                for (int i = 0; i < y[s].length; i++) y[s][i] += shift;
            }
            Kid.Result r = Kid.compute(x, y, 10, 50, 3);
            assertTrue(r.mean() > previous, "KID at shift " + shift + " = " + r.mean() + " is not above " + previous);
            previous = r.mean();
        }
        Kid.Result a = Kid.compute(x, x, 10, 50, 3), b = Kid.compute(x, x, 10, 50, 3);
        assertEquals(a, b);
        assertTrue(a.std() > 0 && Math.abs(a.mean()) < 3 * a.std() + 1e-3, a.toString());
    }
}
