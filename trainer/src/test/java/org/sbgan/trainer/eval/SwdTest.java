package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SwdTest {
    private static final int N = 12, H = 32, W = 64;

    /** Deterministic structured images: smooth gradients and stripes of varying frequency, phase and colour. */
    static float[] structured(int n, int h, int w) {
        float[] x = new float[n * 3 * h * w];
        for (int i = 0; i < n; i++) {
            double freq = 0.1 + 0.03 * i, phase = 0.7 * i;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        double gradient = (double) y / h - 0.5;
                        double stripes = Math.sin(freq * (xx + (c + 1) * y) + phase);
                        x[((i * 3 + c) * h + y) * w + xx] = (float) Math.max(-1, Math.min(1, 0.6 * stripes + 0.4 * gradient * (c - 1)));
                    }
                }
            }
        }
        return x;
    }

    static float[] plusNoise(float[] x, double sigma, long seed) {
        Random rng = new Random(seed);
        float[] y = x.clone();
        for (int i = 0; i < y.length; i++) y[i] += (float) (sigma * rng.nextGaussian());
        return y;
    }

    @Test
    void levelsStopAtSixteenPixels() {
        assertEquals(3, Swd.levels(64, 128));
        assertEquals(2, Swd.levels(32, 64));
        assertEquals(1, Swd.levels(20, 20));
        assertEquals(7, Swd.levels(1024, 2048));
    }

    @Test
    void laplacianPyramidHandlesOddSizes() {
        float[] x = structured(2, 33, 47); // odd sizes
        float[][] pyr = Swd.pyramids(x, 2, 33, 47, 2);
        assertEquals(2 * 3 * 33 * 47, pyr[0].length);
        assertEquals(2 * 3 * 17 * 24, pyr[1].length);
        double energy = 0;
        for (float v : pyr[0]) energy += v * v;
        assertTrue(energy > 0);
    }

    @Test
    void zeroAgainstItselfSymmetricAndGrowingWithNoise() {
        Swd swd = new Swd(64, 2, 64, 5);
        float[] x = structured(N, H, W);
        Swd.Result self = swd.compute(x, N, x, N, H, W);
        assertEquals(2, self.perLevel().length);

        double[] sigmas = {0.05, 0.1, 0.2, 0.4};
        double previous = self.average();
        for (int k = 0; k < sigmas.length; k++) {
            float[] y = plusNoise(x, sigmas[k], 100 + k);
            Swd.Result r = swd.compute(x, N, y, N, H, W);
            assertTrue(r.average() > previous, "SWD at σ=" + sigmas[k] + " is " + r.average() + ", not above " + previous);
            if (k == 0) {
                Swd.Result back = swd.compute(y, N, x, N, H, W);
                assertEquals(r.average(), back.average(), 1e-9 * r.average());
            }
            previous = r.average();
        }
        assertTrue(self.average() < 1e-6 * previous, "SWD of a set with itself is " + self.average());
    }

    @Test
    void unequalSetSizesAreSubsampled() {
        Swd swd = new Swd(32, 1, 32, 9);
        float[] x = structured(6, H, W), y = structured(4, H, W);
        Swd.Result r = swd.compute(x, 6, y, 4, H, W);
        assertTrue(Double.isFinite(r.average()) && r.average() >= 0);
    }

    /** One-hot label maps [n, k, h, w]: horizontal bands whose class order and widths vary per map. */
    static float[] oneHotBands(int n, int k, int h, int w, int shift) {
        float[] x = new float[n * k * h * w];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    int c = Math.floorMod((y * (2 + i % 3) + xx / (8 + i)) / 6 + shift, k);
                    x[((i * k + c) * h + y) * w + xx] = 1f;
                }
            }
        }
        return x;
    }

    @Test
    void kChannelOneHotMapsMatchThemselvesAndDifferFromOthers() {
        int k = 8;
        Swd swd = new Swd(32, 1, 64, 3);
        float[] a = oneHotBands(N, k, H, W, 0), b = oneHotBands(N, k, H, W, 3);
        Swd.Result self = swd.compute(a, N, a, N, k, H, W);
        Swd.Result other = swd.compute(a, N, b, N, k, H, W);
        assertEquals(2, other.perLevel().length);
        assertEquals(0, self.average(), 1e-9);
        assertTrue(Double.isFinite(other.average()) && other.average() > 1, "SWD of different maps is " + other.average());
        assertEquals(other.average(), swd.compute(b, N, a, N, k, H, W).average(), 1e-9 * other.average());
        // The 3-channel shortcut is the C = 3 case.
        float[] x = structured(N, H, W), y = plusNoise(x, 0.1, 7);
        assertEquals(swd.compute(x, N, y, N, H, W).average(), swd.compute(x, N, y, N, 3, H, W).average(), 0);
    }
}
