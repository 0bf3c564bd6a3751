package org.sbgan.graphs.nn;

import java.util.List;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;

/**
 * Plain 2-D convolution as the SPADE networks initialise it (docs/METHOD.md §2): weight xavier-normal with gain
 * 0.02, bias 0. State {@code layer.weight} [out, in, k, k] and, with a bias, {@code layer.bias} [out].
 * Used for G_img's input conv ({@code gimg.fc}), its output conv and SPADE's own convs (not spectrally
 * normalised; see {@link SNConv} for the ResBlk convs).
 */
public final class Conv2d {
    /** Channels, a square kernel, stride and symmetric padding, and whether there is a bias. */
    public record Config(int in, int out, int kernel, int stride, int pad, boolean bias) {
        public static final float INIT_GAIN = 0.02f;

        public Config {
            if (in < 1 || out < 1 || kernel < 1 || stride < 1 || pad < 0) {
                throw new IllegalArgumentException("bad conv config " + in + "→" + out + " k" + kernel + " s" + stride + " p" + pad);
            }
        }

        /** Stride 1, with bias. */
        public static Config of(int in, int out, int kernel, int pad) {
            return new Config(in, out, kernel, 1, pad, true);
        }

        /** A 3×3, stride 1, pad 1 ("same") conv with bias. */
        public static Config same3x3(int in, int out) {
            return of(in, out, 3, 1);
        }

        public Config withStride(int s) {
            return new Config(in, out, kernel, s, pad, bias);
        }

        public Config withoutBias() {
            return new Config(in, out, kernel, stride, pad, false);
        }

        /** Number of trainable values: out·in·k² (+ out with a bias). */
        public long parameterCount() {
            return (long) out * in * kernel * kernel + (bias ? out : 0);
        }
    }

    private final String path;
    private final Config cfg;
    private final Value weight;
    private final Value bias;

    public Conv2d(Params p, String name, Config cfg) {
        this.cfg = cfg;
        try (Graph.Scope s = p.graph().scope(name)) {
            path = p.graph().layer();
            weight = p.param("weight", Init.xavierNormal(Config.INIT_GAIN), cfg.out(), cfg.in(), cfg.kernel(), cfg.kernel());
            bias = cfg.bias() ? p.param("bias", Init.zeros(), cfg.out()) : null;
        }
    }

    public Value forward(Value x) {
        Graph g = x.graph();
        try (Graph.Scope s = g.scopeAt(path)) {
            return g.conv(x, weight, bias, ConvSpec.of(cfg.stride(), cfg.stride(), cfg.pad()));
        }
    }

    /**
     * Several convolutions of the same input, run as one: their weights and biases concatenated on the output
     * axis, one Conv, the result split back. The same values as each {@link #forward}, with one wider GEMM
     * forward and one each for dX and dW instead of one per conv. The convs must agree on everything but their
     * output channels.
     */
    public static List<Value> forwardAll(Value x, Conv2d... convs) {
        if (convs.length == 1) return List.of(convs[0].forward(x));
        Config first = convs[0].cfg;
        long[] outs = new long[convs.length];
        Value[] ws = new Value[convs.length], bs = new Value[convs.length];
        for (int i = 0; i < convs.length; i++) {
            Config c = convs[i].cfg;
            if (c.in() != first.in() || c.kernel() != first.kernel() || c.stride() != first.stride() || c.pad() != first.pad() || c.bias() != first.bias()) {
                throw new IllegalArgumentException("convs run as one must differ only in output channels: '" + convs[0].path + "' and '" + convs[i].path + "'");
            }
            outs[i] = c.out();
            ws[i] = convs[i].weight;
            bs[i] = convs[i].bias;
        }
        Graph g = x.graph();
        Value y = g.conv(x, g.concat(0, ws), first.bias() ? g.concat(0, bs) : null, ConvSpec.of(first.stride(), first.stride(), first.pad()));
        return g.split(y, 1, outs);
    }

    public Config config() {
        return cfg;
    }

    public Value weight() {
        return weight;
    }

    public Value bias() {
        return bias;
    }
}
