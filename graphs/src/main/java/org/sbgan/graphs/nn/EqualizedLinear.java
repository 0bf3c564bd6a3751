package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;

/** Fully connected layer with an equalized learning rate: weight [out, in] ~ N(0, 1) scaled by gain / √in. */
public final class EqualizedLinear {
    public record Config(int in, int out, float gain, boolean bias) {
        public static Config of(int in, int out) {
            return new Config(in, out, EqualizedConv.Config.SQRT2, true);
        }

        public Config withGain(float g) {
            return new Config(in, out, g, bias);
        }

        public float scale() {
            return (float) (gain / Math.sqrt(in));
        }
    }

    private final String path;
    private final Config cfg;
    private final Value weight;
    private final Value bias;

    public EqualizedLinear(Params p, String name, Config cfg) {
        this.cfg = cfg;
        try (Graph.Scope s = p.graph().scope(name)) {
            path = p.graph().layer();
            weight = p.param("weight", Init.normal(1f), cfg.out(), cfg.in());
            bias = cfg.bias() ? p.param("bias", Init.zeros(), cfg.out()) : null;
        }
    }

    /** x [N, in] → [N, out]. */
    public Value forward(Value x) {
        Graph g = x.graph();
        try (Graph.Scope s = g.scopeAt(path)) {
            return g.gemm(x, g.mul(weight, cfg.scale()), bias, 1f, 1f, false, true);
        }
    }
}
