package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;

/**
 * Parameter-free 2-D batch normalisation (affine off), per channel over (N, H, W), as SPADE normalises with it
 * (docs/METHOD.md §2). Training graphs normalise with the batch mean and biased variance and write the running
 * statistics as PyTorch does: running = (1 − momentum)·running + momentum·batch, with the unbiased batch
 * variance for {@code running_var}. Inference graphs normalise with the running statistics. State:
 * buffers {@code layer.running_mean} (init 0) and {@code layer.running_var} (init 1).
 *
 * <p>A training graph may call {@link #forward} only once (each buffer is written once per step), which is
 * how G_img uses it: one generator pass per step.
 */
public final class BatchNorm {
    public record Config(int channels, float eps, float momentum) {
        public static final float EPS = 1e-5f, MOMENTUM = 0.1f;

        public static Config of(int channels) {
            return new Config(channels, EPS, MOMENTUM);
        }
    }

    private final String path;
    private final Config cfg;
    private final Params params;
    private final Value runningMean;
    private final Value runningVar;

    public BatchNorm(Params p, String name, Config cfg) {
        this.cfg = cfg;
        this.params = p;
        try (Graph.Scope s = p.graph().scope(name)) {
            path = p.graph().layer();
            runningMean = p.buffer("running_mean", Init.zeros(), cfg.channels());
            runningVar = p.buffer("running_var", Init.constant(1f), cfg.channels());
        }
    }

    /** x [N, C, H, W] → same shape. */
    public Value forward(Value x) {
        Graph g = x.graph();
        try (Graph.Scope s = g.scopeAt(path)) {
            long c = cfg.channels();
            if (!params.training()) {
                Value mean = g.reshape(runningMean, 1, c, 1, 1), var = g.reshape(runningVar, 1, c, 1, 1);
                return g.div(g.sub(x, mean), g.sqrt(g.add(var, cfg.eps())));
            }
            Value mean = g.reduceMean(x, true, 0, 2, 3);
            Value xc = g.sub(x, mean);
            Value var = g.reduceMean(g.mul(xc, xc), true, 0, 2, 3);
            Value y = g.div(xc, g.sqrt(g.add(var, cfg.eps())));
            updateRunning(g, x, mean, var);
            return y;
        }
    }

    // The running update is state bookkeeping, not part of the loss: it reads the batch statistics through
    // stopGradient so no backward pass ever reaches it.
    private void updateRunning(Graph g, Value x, Value mean, Value var) {
        long[] sh = x.shape();
        if (!Shapes.isStatic(sh)) throw new IllegalArgumentException("batch norm in a training graph needs a static input shape, got " + Shapes.str(sh));
        long n = sh[0] * sh[2] * sh[3];
        if (n < 2) throw new IllegalArgumentException("batch norm in training needs more than one value per channel, got " + Shapes.str(sh));
        long c = cfg.channels();
        float m = cfg.momentum();
        Value bm = g.reshape(g.stopGradient(mean), c);
        Value bv = g.mul(g.reshape(g.stopGradient(var), c), (float) n / (n - 1));
        params.update(runningMean, g.add(g.mul(runningMean, 1 - m), g.mul(bm, m)));
        params.update(runningVar, g.add(g.mul(runningVar, 1 - m), g.mul(bv, m)));
    }

    public Value runningMean() {
        return runningMean;
    }

    public Value runningVar() {
        return runningVar;
    }
}
