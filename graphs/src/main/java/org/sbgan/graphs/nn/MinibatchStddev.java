package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;

/**
 * ProGAN's minibatch standard deviation: x [N, C, H, W] → [N, C+1, H, W], the extra feature map holding, for each
 * sample, one number that says how much the samples of its group differ. A critic that sees it can tell a batch of
 * near-identical fakes from a varied real batch, which is what pushes a collapsing generator apart.
 *
 * <pre>
 *   groups: sample n belongs to group n mod M, M = N / G (G samples per group, strided as in ProGAN)
 *   s[m]   = mean over (c, h, w) of √(var over the group's G samples of x[·, c, h, w] + 1e-8)
 *   out    = concat(x, s[n mod M] broadcast over [1, H, W]) along channels
 * </pre>
 *
 * G is {@link #GROUP} (4), or the batch when smaller; when N is not a multiple of it, the largest divisor of N not
 * above it (a group of 1 has zero variance: the extra map is then the constant √1e-8). With a symbolic batch (an
 * inference graph) G is 4 and N must be a multiple of 4 when it runs. The variance is the biased one (mean of
 * squared deviations). Built only from ops with gradient rules, so WGAN-GP differentiates through it twice.
 */
public final class MinibatchStddev {
    public static final int GROUP = 4;
    public static final float EPS = 1e-8f;

    private MinibatchStddev() {}

    /** The group size for a batch of n: min(4, n), lowered to a divisor of n. */
    public static int groupSize(long n) {
        int g = (int) Math.min(GROUP, n);
        while (n % g != 0) g--;
        return g;
    }

    public static Value forward(Value x) {
        Graph g = x.graph();
        if (x.rank() != 4) throw new IllegalArgumentException("minibatch stddev expects [N, C, H, W], got " + x);
        long n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int gs = n > 0 ? groupSize(n) : GROUP;
        try (Graph.Scope s = g.scope("mbstd")) {
            Value y = g.reshape(x, gs, -1, c, h, w); // [G, M, C, H, W]: sample n is member n / M of group n mod M
            Value dev = g.sub(y, g.reduceMean(y, true, 0));
            Value sd = g.sqrt(g.add(g.reduceMean(g.mul(dev, dev), true, 0), EPS)); // [1, M, C, H, W]
            Value perGroup = g.reduceMean(sd, true, 2, 3, 4); // [1, M, 1, 1, 1]
            // broadcast to [G, M, 1, H, W] against a zero template, so a symbolic M needs no static Expand shape
            Value template = g.mul(g.slice(y, new long[] {0}, new long[] {1}, new long[] {2}, new long[] {1}), 0f);
            Value map = g.reshape(g.add(template, perGroup), -1, 1, h, w);
            return g.concat(1, x, map);
        }
    }
}
