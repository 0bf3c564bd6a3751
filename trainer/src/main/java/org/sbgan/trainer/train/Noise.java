package org.sbgan.trainer.train;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.sbgan.runtime.SplitMix64;

/**
 * The random inputs of the step graphs (docs/METHOD.md §1), drawn in Java. Every draw is a pure function of (seed,
 * phase, iteration, graph, input), never of how many draws came before: a resumed run gets exactly the noise an
 * uninterrupted one got, and running the stages in one or several invocations changes nothing.
 */
public final class Noise {
    private Noise() {}

    /** The generator for one input of one step. */
    public static SplittableRandom rng(long seed, String phase, long iteration, String graph, String input) {
        long h = mix(seed ^ SplitMix64.GOLDEN);
        h = mix(h ^ hash(phase));
        h = mix(h ^ iteration);
        h = mix(h ^ hash(graph));
        h = mix(h ^ hash(input));
        return new SplittableRandom(h);
    }

    /** z ~ N(0, I). */
    public static void normal(FloatBuffer dst, SplittableRandom r) {
        for (int i = 0, n = dst.limit(); i < n; i++) dst.put(i, (float) r.nextGaussian());
    }

    /** Gumbel(0, 1) as the spec writes it: −log(E + 1e-10), E ~ Exponential(1). */
    public static void gumbel(FloatBuffer dst, SplittableRandom r) {
        for (int i = 0, n = dst.limit(); i < n; i++) {
            double e = -Math.log(1.0 - r.nextDouble());
            dst.put(i, (float) -Math.log(e + 1e-10));
        }
    }

    /** U(0, 1), for the gradient-penalty interpolation weight. */
    public static void uniform(FloatBuffer dst, SplittableRandom r) {
        for (int i = 0, n = dst.limit(); i < n; i++) dst.put(i, (float) r.nextDouble());
    }

    /** FNV-1a over UTF-8, then mixed: a stable 64-bit hash (String.hashCode is only 32 bits). */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** SplitMix64's finaliser (the one every seed in sbgan goes through). */
    static long mix(long z) {
        return SplitMix64.mix(z);
    }
}
