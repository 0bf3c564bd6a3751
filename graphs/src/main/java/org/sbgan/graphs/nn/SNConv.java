package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.ops.Nn;

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
    private final boolean training;

    public SNConv(Params p, String name, Config cfg) {
        this.cfg = cfg;
        try (Graph.Scope s = p.graph().scope(name)) {
            path = p.graph().layer();
            weight = p.param("weight", Init.xavierNormal(Config.INIT_GAIN), cfg.out(), cfg.in(), cfg.kernel(), cfg.kernel());
            bias = cfg.bias() ? p.param("bias", Init.zeros(), cfg.out()) : null;
            sn = new SpectralNorm(p, weight);
            training = p.training();
        }
    }

    /**
     * conv(x, W / σ) + b. Where the output is smaller than the weight (wide layers on small images) and the graph
     * trains, the same value is formed as conv(x, W) · (1/σ) + b: the scaling and its gradient then touch the output
     * instead of every weight.
     */
    public Value forward(Value x) {
        Graph g = x.graph();
        ConvSpec spec = ConvSpec.of(cfg.stride(), cfg.stride(), cfg.pad());
        try (Graph.Scope s = g.scopeAt(path)) {
            if (!scaleOutput(x)) return g.conv(x, sn.weight(), bias, spec);
            Value y = g.mul(g.conv(x, weight, null, spec), g.div(g.scalar(1f), sn.sigma()));
            return bias == null ? y : g.add(y, g.reshape(bias, 1, cfg.out(), 1, 1));
        }
    }

    private boolean scaleOutput(Value x) {
        if (!training || !Shapes.isStatic(x.shape())) return false;
        long ho = Nn.outSize(x.dim(2), cfg.kernel(), cfg.stride(), cfg.pad(), cfg.pad()), wo = Nn.outSize(x.dim(3), cfg.kernel(), cfg.stride(), cfg.pad(), cfg.pad());
        return x.dim(0) * cfg.out() * ho * wo < (long) cfg.out() * cfg.in() * cfg.kernel() * cfg.kernel();
    }

    public Value weight() {
        return weight;
    }

    public SpectralNorm spectralNorm() {
        return sn;
    }
}
