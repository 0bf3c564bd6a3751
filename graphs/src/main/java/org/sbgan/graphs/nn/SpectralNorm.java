package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;

/**
 * Spectral normalisation (Miyato et al.) of a weight [O, ...], viewed as the matrix W [O, M], M = the product
 * of the other axes (docs/METHOD.md §2). The persistent buffer {@code u} [O] (declared in the current layer scope)
 * holds the left singular vector estimate; each graph runs one power iteration
 * v = normalize(Wᵀu), u' = normalize(W v) on a stop-gradient copy of W, so u' and v are constants, and
 * σ = u'ᵀ W v is differentiated through W only, as in PyTorch's {@code spectral_norm}. The weight used is W / σ.
 *
 * <p>Training graphs write u' back to {@code u}. Inference graphs run the same iteration from the stored u
 * without writing it: PyTorch's eval mode reuses its stored u and v instead, but only u is kept here, so v
 * and u' are recomputed from it (one more iteration from a converged u changes σ negligibly).
 *
 * <p>{@link #weight()} builds the iteration once per graph and caches it: the buffer may be written only
 * once per step, and a network that calls a layer twice in one step still does one iteration per step.
 */
public final class SpectralNorm {
    /** Added to the norm in normalize(x) = x / (‖x‖ + EPS), as in PyTorch. */
    public static final float EPS = 1e-12f;

    private final Params params;
    private final Value w;
    private final Value u;
    private Value normalized, sigma, uNext;

    /** Declares {@code u} in the current scope; w must belong to p's graph. */
    public SpectralNorm(Params p, Value weight) {
        if (weight.rank() < 2 || !Shapes.isStatic(weight.shape())) {
            throw new IllegalArgumentException("spectral norm needs a static weight of rank >= 2, got " + Shapes.str(weight.shape()));
        }
        this.params = p;
        this.w = weight;
        this.u = p.buffer("u", unitNormal(), weight.dim(0));
    }

    /** u starts as N(0, 1) samples scaled to unit length, like PyTorch's {@code normalize(randn(O))}. */
    static Init unitNormal() {
        return (r, s) -> {
            float[] d = Init.normal(1f).draw(r, s).floats();
            double n = 0;
            for (float x : d) n += (double) x * x;
            float k = (float) (1 / (Math.sqrt(n) + EPS));
            for (int i = 0; i < d.length; i++) d[i] *= k;
            return Tensor.floats(d, s);
        };
    }

    /** W / σ, same shape as the weight; nodes are built in the caller's scope on first use. */
    public Value weight() {
        if (normalized == null) normalized = w.graph().div(w, sigma());
        return normalized;
    }

    /** σ = u'ᵀ W v (a scalar), built with the power iteration and u's update on first use. */
    public Value sigma() {
        if (sigma != null) return sigma;
        Graph g = w.graph();
        long o = w.dim(0);
        Value wm = g.reshape(w, o, -1);
        // Power iteration on a constant copy of W: u' and v carry no gradient.
        Value wc = g.stopGradient(wm);
        Value uRow = g.reshape(u, 1, o);
        Value v = normalize(g, g.matmul(uRow, wc));                    // [1, M] = (Wᵀu)ᵀ
        Value u2 = normalize(g, g.gemm(v, wc, null, 1f, 0f, false, true)); // [1, O] = (W v)ᵀ
        // σ = u'ᵀ W v: differentiable in W only.
        sigma = g.sumAll(g.mul(u2, g.gemm(v, wm, null, 1f, 0f, false, true)));
        uNext = g.reshape(u2, o);
        if (params.training()) params.update(u, uNext);
        return sigma;
    }

    /** The updated vector u' [O] (written to the buffer in training graphs). */
    public Value uNext() {
        sigma();
        return uNext;
    }

    public Value u() {
        return u;
    }

    private static Value normalize(Graph g, Value x) {
        return g.div(x, g.add(g.sqrt(g.reduceSumSquare(x, true)), EPS));
    }
}
