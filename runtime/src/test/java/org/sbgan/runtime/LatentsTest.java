package org.sbgan.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LatentsTest {
    private static float[] z(long seed, long index, int dim, float t) {
        float[] z = new float[dim + 2];
        Latents.z(seed, index, dim, t, z, 1);
        return z;
    }

    @Test
    void zDependsOnlyOnSeedAndIndex() {
        assertArrayEquals(z(5, 17, 128, 0), z(5, 17, 128, 0));
        assertFalse(Arrays.equals(z(5, 17, 128, 0), z(5, 18, 128, 0)));
        assertFalse(Arrays.equals(z(5, 17, 128, 0), z(6, 17, 128, 0)));
        float[] z = z(5, 17, 128, 0);
        assertEquals(0f, z[0]);
        assertEquals(0f, z[129], "writes exactly zDim values at the offset");
        // A shorter z is a prefix of a longer one: the same stream of normals.
        assertArrayEquals(Arrays.copyOfRange(z, 1, 65), Arrays.copyOfRange(z(5, 17, 64, 0), 1, 65));
    }

    @Test
    void scenesOfNearbySeedsAndIndicesHaveDistinctStreams() {
        Set<Long> seeds = new HashSet<>();
        for (long s = 0; s < 50; s++) {
            for (long i = 0; i < 50; i++) seeds.add(Latents.sceneSeed(s, i));
        }
        assertEquals(2500, seeds.size());
    }

    @Test
    void zIsStandardNormal() {
        double sum = 0, sq = 0;
        int n = 0;
        for (long i = 0; i < 200; i++) {
            for (float v : Arrays.copyOfRange(z(1, i, 128, 0), 1, 129)) {
                sum += v;
                sq += v * v;
                n++;
            }
        }
        double mean = sum / n, var = sq / n - mean * mean;
        assertEquals(0, mean, 0.02);
        assertEquals(1, var, 0.03);
    }

    @Test
    void truncationKeepsEveryComponentWithinTheBound() {
        for (float t : new float[] {0.1f, 0.5f, 1f, 2f}) {
            for (long i = 0; i < 50; i++) {
                float[] z = Arrays.copyOfRange(z(3, i, 128, t), 1, 129);
                for (float v : z) assertTrue(Math.abs(v) <= t, "|" + v + "| > " + t);
            }
        }
        // Components already within the bound are kept: a loose bound changes nothing.
        assertArrayEquals(z(3, 4, 128, 0), z(3, 4, 128, 100f));
    }
}
