package org.sbgan.graphs.nn;

import java.util.Random;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;

/** How a parameter's initial value is drawn, given a generator seeded from the run seed and the parameter's name. */
@FunctionalInterface
public interface Init {
    Tensor draw(Random rng, long[] shape);

    static Init zeros() {
        return (r, s) -> Tensor.zeros(s);
    }

    static Init constant(float v) {
        return (r, s) -> Tensor.filled(v, s);
    }

    /** N(0, std²): equalized-learning-rate layers store N(0, 1) weights and scale them at run time. */
    static Init normal(float std) {
        return (r, s) -> {
            float[] d = new float[Math.toIntExact(Shapes.numel(s))];
            for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextGaussian() * std);
            return Tensor.floats(d, s);
        };
    }

    /** Xavier (Glorot) normal: std = gain·√(2 / (fan_in + fan_out)), fans of a [out, in, kh, kw] or [out, in] weight. */
    static Init xavierNormal(float gain) {
        return (r, s) -> {
            long receptive = 1;
            for (int i = 2; i < s.length; i++) receptive *= s[i];
            double fanIn = s[1] * receptive, fanOut = s[0] * receptive;
            return normal((float) (gain * Math.sqrt(2.0 / (fanIn + fanOut)))).draw(r, s);
        };
    }

    /**
     * He (Kaiming) normal for layers followed by ReLU: std = √(2 / fan_in), fan_in of a [out, in, kh, kw] or [out, in]
     * weight (PyTorch's {@code kaiming_normal_(mode="fan_in", nonlinearity="relu")}).
     */
    static Init kaimingNormal() {
        return (r, s) -> {
            long fanIn = s[1];
            for (int i = 2; i < s.length; i++) fanIn *= s[i];
            return normal((float) Math.sqrt(2.0 / fanIn)).draw(r, s);
        };
    }

    /** A generator for one named parameter: the same (seed, name) always gives the same values. */
    static Random rng(long seed, String name) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < name.length(); i++) h = (h ^ name.charAt(i)) * 0x100000001B3L;
        return new Random(h ^ (h >>> 29));
    }
}
