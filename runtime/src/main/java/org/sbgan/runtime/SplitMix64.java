package org.sbgan.runtime;

/**
 * SplitMix64's finaliser, a bijective 64-bit mix: how every seed in sbgan (a scene's latent, a training step's
 * noise, a sample's augmentation) is derived from the user's seed and a position, so that the result depends on the
 * position alone and not on thread timing, batch size or count.
 */
public final class SplitMix64 {
    /** The golden-ratio increment of SplitMix64's sequence. */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private SplitMix64() {}

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
