package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;

/**
 * Plain convolution whose weight is spectrally normalised ({@link SpectralNorm}), as SPADE's ResBlk convs and
 * D1's inner convs use it (docs/METHOD.md §2). Weight xavier-normal with gain 0.02, bias 0; state
 * {@code layer.weight}, {@code layer.bias} (params) and {@code layer.u} (buffer).
 */
public final class SNConv {
    /** Channels, a square kernel, stride and symmetric padding, and whether there is a bias. */
    public record Config(int in, int out, int kernel, int stride, int pad, boolean bias) {
        public static final float INIT_GAIN = 0.02f;

        /** Stride 1, with bias. */
        public static Config of(int in, int out, int kernel, int pad) {
            return new Config(in, out, kernel, 1, pad, true);
        }

        public Config withStride(int s) {
            return new Config(in, out, kernel, s, pad, bias);
        }

        /** Convs followed by a norm have no bias. */
        public Config withoutBias() {
            return new Config(in, out, kernel, stride, pad, false);
        }
    }

    private final String path;
    private final Config cfg;
    private final Value weight;
    private final Value bias;
    private final SpectralNorm sn;

    public SNConv(Params p, String name, Config cfg) {
        this.cfg = cfg;
        try (Graph.Scope s = p.graph().scope(name)) {
            path = p.graph().layer();
            weight = p.param("weight", Init.xavierNormal(Config.INIT_GAIN), cfg.out(), cfg.in(), cfg.kernel(), cfg.kernel());
            bias = cfg.bias() ? p.param("bias", Init.zeros(), cfg.out()) : null;
            sn = new SpectralNorm(p, weight);
        }
    }

    public Value forward(Value x) {
        Graph g = x.graph();
        try (Graph.Scope s = g.scopeAt(path)) {
            return g.conv(x, sn.weight(), bias, ConvSpec.of(cfg.stride(), cfg.stride(), cfg.pad()));
        }
    }

    public Value weight() {
        return weight;
    }

    public SpectralNorm spectralNorm() {
        return sn;
    }
}
