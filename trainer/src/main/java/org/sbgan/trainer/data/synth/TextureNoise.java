package org.sbgan.trainer.data.synth;

/** Stateless hash noise for textures (value noise, fBm; MurmurHash3's finaliser): the same (salt, coordinates) always give the same value. */
final class TextureNoise {
    private TextureNoise() {}

    static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** Uniform in [0, 1). */
    static double hash(long salt, long a, long b) {
        return (mix64(salt + a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL) >>> 11) * 0x1.0p-53;
    }

    /** Smooth value noise in [0, 1) with features about one unit apart. */
    static double value(long salt, double x, double y) {
        double xf = Math.floor(x), yf = Math.floor(y);
        long xi = (long) xf, yi = (long) yf;
        double tx = x - xf, ty = y - yf;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        double a = hash(salt, xi, yi), b = hash(salt, xi + 1, yi), c = hash(salt, xi, yi + 1), d = hash(salt, xi + 1, yi + 1);
        return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
    }

    /** Four octaves of value noise, in [0, 1). */
    static double fbm(long salt, double x, double y) {
        double sum = 0, amp = 0.5, norm = 0;
        for (int o = 0; o < 4; o++) {
            sum += amp * value(salt + o * 7919L, x, y);
            norm += amp;
            x *= 2.03;
            y *= 2.03;
            amp *= 0.5;
        }
        return sum / norm;
    }
}
