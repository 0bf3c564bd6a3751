package org.sbgan.runtime;

import java.util.SplittableRandom;

/**
 * The latent vector z of scene {@code index} of seed {@code seed}.
 *
 * <p>Each scene gets its own generator, seeded with a SplitMix64 mix of (seed, index), so a scene is the same
 * whatever the batch size, the count asked for or the number of threads. Normals come from Box–Muller on
 * {@link SplittableRandom#nextDouble()} with {@link StrictMath}, whose results the Java specification fixes, so
 * z is also the same on every JVM and platform (unlike {@code nextGaussian()}, whose algorithm may change).
 */
public final class Latents {
    private Latents() {}

    /** The seed of scene {@code index}'s generator. */
    static long sceneSeed(long seed, long index) {
        return SplitMix64.mix(SplitMix64.mix(seed) + SplitMix64.GOLDEN * (index + 1));
    }

    /** z of scene {@code index} of {@code seed}: {@code zDim} standard normals (untruncated). */
    public static float[] z(long seed, long index, int zDim) {
        float[] z = new float[zDim];
        z(seed, index, zDim, 0, z, 0);
        return z;
    }

    /**
     * Writes z (length {@code zDim}) into {@code dest} at {@code offset}. With {@code truncation} &gt; 0 every
     * component whose magnitude exceeds it is drawn again (the truncation trick: samples nearer the mode of
     * the prior, less variety, fewer failures).
     */
    static void z(long seed, long index, int zDim, float truncation, float[] dest, int offset) {
        SplittableRandom rng = new SplittableRandom(sceneSeed(seed, index));
        double spare = Double.NaN;
        for (int i = 0; i < zDim; ) {
            double v;
            if (!Double.isNaN(spare)) {
                v = spare;
                spare = Double.NaN;
            } else {
                double u1 = 1.0 - rng.nextDouble(); // (0, 1]: log is finite
                double u2 = rng.nextDouble();
                double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
                v = r * StrictMath.cos(2 * Math.PI * u2);
                spare = r * StrictMath.sin(2 * Math.PI * u2);
            }
            float f = (float) v;
            if (truncation > 0 && Math.abs(f) > truncation) continue;
            dest[offset + i++] = f;
        }
    }
}
