package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;

/**
 * Convolution with an equalized learning rate (ProGAN): the weight is stored as N(0, 1) samples and scaled
 * at run time by gain / √fan_in, fan_in = in·kh·kw; the bias starts at 0 (docs/METHOD.md §1).
 */
public final class EqualizedConv {
    /** Channels, a square kernel, per-axis stride, symmetric padding, gain (√2 by default) and bias. */
    public record Config(int in, int out, int kernel, int strideH, int strideW, int pad, float gain, boolean bias) {
        public static final float SQRT2 = (float) Math.sqrt(2);

        public static Config of(int in, int out, int kernel, int pad) {
            return new Config(in, out, kernel, 1, 1, pad, SQRT2, true);
        }

        public Config withStride(int h, int w) {
            return new Config(in, out, kernel, h, w, pad, gain, bias);
        }

        public Config withGain(float g) {
            return new Config(in, out, kernel, strideH, strideW, pad, g, bias);
        }

        public Config withoutBias() {
            return new Config(in, out, kernel, strideH, strideW, pad, gain, false);
        }

        /** The run-time weight scale gain / √(in·k·k). */
        public float scale() {
            return (float) (gain / Math.sqrt((double) in * kernel * kernel));
        }
    }

    private final String path;
    private final Config cfg;
    private final Value weight;
    private final Value bias;

    public EqualizedConv(Params p, String name, Config cfg) {
        this.cfg = cfg;
        try (Graph.Scope s = p.graph().scope(name)) {
            path = p.graph().layer();
            weight = p.param("weight", Init.normal(1f), cfg.out(), cfg.in(), cfg.kernel(), cfg.kernel());
            bias = cfg.bias() ? p.param("bias", Init.zeros(), cfg.out()) : null;
        }
    }

    public Value forward(Value x) {
        Graph g = x.graph();
        try (Graph.Scope s = g.scopeAt(path)) {
            return g.conv(x, g.mul(weight, cfg.scale()), bias, ConvSpec.of(cfg.strideH(), cfg.strideW(), cfg.pad()));
        }
    }

    public Value weight() {
        return weight;
    }
}
