package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BuiltinFeaturesTest {
    private static final int H = 32, W = 64;

    @Test
    void deterministicAcrossInstancesWithTheStatedDimension() {
        float[] x = SwdTest.structured(3, H, W);
        float[][] a, b;
        try (BuiltinFeatures f = new BuiltinFeatures(H, W)) {
            assertEquals(512, f.dim());
            assertTrue(f.name().contains("NOT Inception"), f.name());
            a = f.features(x, 3, H, W);
        }
        try (BuiltinFeatures f = new BuiltinFeatures(H, W)) {
            b = f.features(x, 3, H, W);
        }
        assertEquals(3, a.length);
        for (int i = 0; i < 3; i++) {
            assertEquals(512, a[i].length);
            assertArrayEquals(a[i], b[i]);
        }
        assertTrue(!Arrays.equals(a[0], a[1]));
    }

    /** Smooth scenes: a vertical colour gradient plus a low-frequency stripe, random parameters per image. */
    private static float[] smooth(int n, Random rng) {
        float[] x = new float[n * 3 * H * W];
        for (int i = 0; i < n; i++) {
            double[] top = new double[3], bottom = new double[3];
            for (int c = 0; c < 3; c++) {
                top[c] = rng.nextDouble() * 2 - 1;
                bottom[c] = rng.nextDouble() * 2 - 1;
            }
            double freq = 0.05 + 0.1 * rng.nextDouble(), phase = 6.3 * rng.nextDouble();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < H; y++) {
                    for (int xx = 0; xx < W; xx++) {
                        double t = (double) y / (H - 1);
                        double v = 0.7 * ((1 - t) * top[c] + t * bottom[c]) + 0.3 * Math.sin(freq * xx + phase);
                        x[((i * 3 + c) * H + y) * W + xx] = (float) v;
                    }
                }
            }
        }
        return x;
    }

    @Test
    void separatesPopulationsFarMoreThanTwoDrawsOfOne() {
        int n = 64;
        Random rng = new Random(12);
        float[] a1 = smooth(n, rng), a2 = smooth(n, rng);
        float[] noise = new float[a1.length];
        for (int i = 0; i < noise.length; i++) noise[i] = (float) Math.max(-1, Math.min(1, 0.5 * rng.nextGaussian()));
        float[][] f1, f2, fn;
        try (BuiltinFeatures f = new BuiltinFeatures(H, W)) {
            f1 = f.features(a1, n, H, W);
            f2 = f.features(a2, n, H, W);
            fn = f.features(noise, n, H, W);
        }
        double within = FrechetDistance.distance(f1, f2), across = FrechetDistance.distance(f1, fn);
        assertTrue(across > 5 * within, "FID smooth vs noise " + across + ", two draws of smooth scenes " + within);
    }

    @Test
    void resizesInputsOfAnotherSize() {
        float[] x = SwdTest.structured(2, 16, 40);
        try (BuiltinFeatures f = new BuiltinFeatures(H, W)) {
            float[][] r = f.features(x, 2, 16, 40);
            assertEquals(2, r.length);
            for (float v : r[1]) assertTrue(Float.isFinite(v));
        }
    }
}
