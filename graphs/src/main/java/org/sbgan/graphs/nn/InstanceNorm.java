package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;

/**
 * Instance normalisation without affine parameters or running statistics (PyTorch's {@code InstanceNorm2d}
 * defaults, as D1 uses it, docs/METHOD.md §2): per (N, C) over (H, W), biased variance, the same in training and
 * inference.
 */
public record InstanceNorm(float eps) {
    public static final float EPS = 1e-5f;

    public InstanceNorm() {
        this(EPS);
    }

    /** x [N, C, H, W] → same shape. */
    public Value forward(Value x) {
        Graph g = x.graph();
        Value xc = g.sub(x, g.reduceMean(x, true, 2, 3));
        Value var = g.reduceMean(g.mul(xc, xc), true, 2, 3);
        return g.div(xc, g.sqrt(g.add(var, eps)));
    }
}
