package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;

/**
 * Pixelwise feature normalisation over channels (axis 1). The released SB-GAN code divides by
 * mean(x²) + 1e-8 without a square root (the default); {@code sqrt = true} is the textbook ProGAN form
 * x / √(mean(x²) + 1e-8) (docs/METHOD.md §1, flag {@code pixelNormSqrt}).
 */
public record PixelNorm(boolean sqrt) {
    public static final float EPS = 1e-8f;

    public Value forward(Value x) {
        Graph g = x.graph();
        Value denom = g.add(g.reduceMean(g.mul(x, x), true, 1), EPS);
        return g.div(x, sqrt ? g.sqrt(denom) : denom);
    }
}
