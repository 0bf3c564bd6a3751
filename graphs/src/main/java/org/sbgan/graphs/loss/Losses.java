package org.sbgan.graphs.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.Value;

/**
 * The SB-GAN adversarial losses as pure graph functions (docs/METHOD.md §1–§3): WGAN-GP for the layout critic
 * D_seg, hinge losses for the multi-scale PatchGANs D1/D2, and pix2pixHD/SPADE feature matching. Each
 * function only appends nodes to the graph of its inputs; no parameters, no state.
 */
public final class Losses {
    private Losses() {}

    /** λ of the gradient penalty (docs/METHOD.md §1: "WGAN-GP, λ = 10"). */
    public static final float GP_LAMBDA = 10f;
    /** λ_feat of feature matching (docs/METHOD.md §2: "· 10 / num_D"). */
    public static final float FEAT_LAMBDA = 10f;
    /**
     * Added to the squared gradient norm inside the square root. d√s/ds = 1/(2√s) is infinite at s = 0, so a
     * sample whose critic gradient is exactly zero (a dead critic, all-zero weights) would make the double
     * backward pass 0·∞ = NaN; with the eps the norm's gradient there is 0 instead. 1e-12 moves ‖∇‖ by at most
     * 1e-6 and is lost entirely in float32 rounding whenever ‖∇‖² is above ~1e-5, so the value is the
     * textbook penalty in practice.
     */
    public static final float GP_NORM_EPS = 1e-12f;

    /** The parts of the WGAN-GP critic loss; every value is a scalar except {@code gradNorm} ([N]). */
    public record WganGp(Value total, Value wasserstein, Value penalty, Value gradNorm) {}

    /** {@link #wganGpD(Graph, Function, Value, Value, Value, float)} with λ = 10 (docs/METHOD.md §1). */
    public static WganGp wganGpD(Graph g, Function<Value, Value> critic, Value real, Value fake, Value alpha) {
        return wganGpD(g, critic, real, fake, alpha, GP_LAMBDA);
    }

    /**
     * WGAN-GP critic loss (docs/METHOD.md §1, "Loss and optimizer"):
     * mean D(fake) − mean D(real) + λ · mean_b((‖∇_x̂ D(x̂)_b‖₂ − 1)²), x̂ = α·real + (1−α)·fake.
     *
     * <p>{@code real} and {@code fake} pass through stopGradient ("real and fake both treated as constants"),
     * so nothing upstream of them (e.g. G_seg) gets a gradient from this loss. The per-sample norm is over
     * all non-batch axes. ∇_x̂ is taken of Σ_b D(x̂)_b, which equals the per-sample gradients as long as the
     * critic does not mix samples (no batch statistics — true of D_seg). The penalty is a gradient of a
     * gradient when differentiated w.r.t. the critic's weights (double backprop via {@link Gradients}).
     *
     * @param critic maps a batch [N, ...] to scores [N, 1] or [N]; called three times (real, fake, x̂)
     * @param alpha  per-sample mixing weights, [N, 1, ..., 1] of the same rank as real (or [N]); U(0,1)
     *               samples drawn outside the graph
     */
    public static WganGp wganGpD(Graph g, Function<Value, Value> critic, Value real, Value fake, Value alpha, float lambda) {
        if (!java.util.Arrays.equals(real.shape(), fake.shape())) {
            throw new GraphBuildException("wganGpD: real " + java.util.Arrays.toString(real.shape()) + " and fake "
                    + java.util.Arrays.toString(fake.shape()) + " differ in shape");
        }
        int rank = real.rank();
        Value a = alpha;
        if (alpha.rank() == 1 && rank > 1) {
            long[] s = new long[rank];
            java.util.Arrays.fill(s, 1);
            s[0] = alpha.dim(0);
            a = g.reshape(alpha, s);
        }
        if (a.rank() != rank || a.dim(0) != real.dim(0) || a.numel() != real.dim(0)) {
            throw new GraphBuildException("wganGpD: alpha must be [N] or [N,1,...,1] with N = " + real.dim(0) + ", got "
                    + java.util.Arrays.toString(alpha.shape()));
        }
        Value r = g.stopGradient(real), f = g.stopGradient(fake);
        Value dReal = scores(critic.apply(r), real.dim(0));
        Value dFake = scores(critic.apply(f), real.dim(0));
        Value wasserstein = g.sub(g.meanAll(dFake), g.meanAll(dReal));

        Value xhat = g.add(g.mul(a, r), g.mul(g.sub(1f, a), f));
        Value dHat = scores(critic.apply(xhat), real.dim(0));
        Value grad = Gradients.of(g.sumAll(dHat), xhat);
        long[] axes = new long[rank - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        Value sq = axes.length == 0 ? g.pow(grad, 2f) : g.reduceSumSquare(grad, false, axes);
        Value norm = g.sqrt(g.add(sq, GP_NORM_EPS));
        Value penalty = g.mul(g.meanAll(g.pow(g.sub(norm, 1f), 2f)), lambda);
        return new WganGp(g.add(wasserstein, penalty), wasserstein, penalty, norm);
    }

    /** WGAN generator loss −mean D(fake) (docs/METHOD.md §1: "G loss = − mean D(ST-Gumbel(G_seg(z)))"). */
    /**
     * Mean over samples and pixels of the entropy −Σ_c p log p of class probabilities p [N, K, H, W] (softmax over
     * axis 1), in nats; the log is of p + {@link #ENTROPY_EPS}, so a one-hot p has a finite gradient.
     */
    public static Value pixelEntropy(Graph g, Value p) {
        try (Graph.Scope s = g.scope("entropy")) {
            return g.neg(g.meanAll(g.reduceSum(g.mul(p, g.log(g.add(p, ENTROPY_EPS))), false, 1)));
        }
    }

    public static final float ENTROPY_EPS = 1e-8f;

    /**
     * Per-pixel softmax cross-entropy of class scores {@code logits} [N, K, H, W] against one-hot targets of the same
     * shape, averaged over labelled pixels: Σ_p w_{y_p} · (−log softmax(logits)_{y_p}) / Σ_p w_{y_p}, PyTorch's
     * {@code cross_entropy(weight=w, reduction="mean", ignore_index=…)}. A pixel whose target row is all zeros is
     * unlabelled: it is in neither sum, as PyTorch's ignored index. {@code classWeights} (length K) may be null for all
     * ones. The targets get no gradient; the gradient w.r.t. the logits is w_{y_p}·(softmax − onehot) / Σ w, through
     * LogSoftmax's own rule. A batch without a labelled pixel has loss 0 (the denominator is at least 1e-6).
     */
    public static Value pixelCrossEntropy(Graph g, Value logits, Value oneHot, float[] classWeights) {
        if (logits.rank() != 4 || !java.util.Arrays.equals(logits.shape(), oneHot.shape())) {
            throw new GraphBuildException("pixelCrossEntropy: logits " + java.util.Arrays.toString(logits.shape()) + " and one-hot targets "
                    + java.util.Arrays.toString(oneHot.shape()) + " must both be [N, K, H, W]");
        }
        long k = logits.dim(1);
        if (classWeights != null && classWeights.length != k) {
            throw new GraphBuildException("pixelCrossEntropy: " + classWeights.length + " class weights for " + k + " classes");
        }
        try (Graph.Scope s = g.scope("cross_entropy")) {
            Value y = g.stopGradient(oneHot);
            Value nll = g.neg(g.reduceSum(g.mul(y, g.logSoftmax(logits, 1)), true, 1)); // [N,1,H,W], 0 where unlabelled
            Value weighted = classWeights == null ? y : g.mul(y, g.constant(org.sbgan.graphs.ir.Tensor.floats(classWeights.clone(), 1, k, 1, 1)));
            Value w = g.reduceSum(weighted, true, 1); // w_{y_p}, 0 where unlabelled
            Value total = g.max(g.sumAll(w), g.scalar(CE_MIN_WEIGHT));
            return g.div(g.sumAll(classWeights == null ? nll : g.mul(w, nll)), total);
        }
    }

    /** The least total weight {@link #pixelCrossEntropy} divides by, so a batch with no labelled pixel has loss 0. */
    public static final float CE_MIN_WEIGHT = 1e-6f;

    public static Value wganG(Value scoresFake) {
        Graph g = scoresFake.graph();
        return g.neg(g.meanAll(scoresFake));
    }

    /** Hinge D loss of one scale: mean(relu(1 − D(real))) + mean(relu(1 + D(fake))) (docs/METHOD.md §2). */
    public static Value hingeD(Value realScores, Value fakeScores) {
        Graph g = realScores.graph();
        return g.add(g.meanAll(g.relu(g.sub(1f, realScores))), g.meanAll(g.relu(g.add(fakeScores, 1f))));
    }

    /** Hinge G loss of one scale: −mean D(fake) (docs/METHOD.md §2). */
    public static Value hingeG(Value fakeScores) {
        Graph g = fakeScores.graph();
        return g.neg(g.meanAll(fakeScores));
    }

    /**
     * Multi-scale hinge D loss: {@link #hingeD(Value, Value)} averaged over the scales, one score map (the last
     * output) per scale (docs/METHOD.md §2: "averaged over the scales (last output of each scale)").
     */
    public static Value hingeD(List<Value> realPerScale, List<Value> fakePerScale) {
        if (realPerScale.size() != fakePerScale.size() || realPerScale.isEmpty()) {
            throw new IllegalArgumentException("hingeD: need the same non-zero number of real and fake scales, got "
                    + realPerScale.size() + " and " + fakePerScale.size());
        }
        List<Value> terms = new ArrayList<>();
        for (int i = 0; i < realPerScale.size(); i++) terms.add(hingeD(realPerScale.get(i), fakePerScale.get(i)));
        return average(terms);
    }

    /** Multi-scale hinge G loss: −mean D(fake) averaged over the scales (docs/METHOD.md §2). */
    public static Value hingeG(List<Value> fakePerScale) {
        if (fakePerScale.isEmpty()) throw new IllegalArgumentException("hingeG: no scales");
        List<Value> terms = new ArrayList<>();
        for (Value v : fakePerScale) terms.add(hingeG(v));
        return average(terms);
    }

    /** The last output of each scale (the score map), from per-scale lists of all D outputs. */
    public static List<Value> lastOfEachScale(List<List<Value>> perScaleOutputs) {
        List<Value> out = new ArrayList<>();
        for (List<Value> s : perScaleOutputs) out.add(s.get(s.size() - 1));
        return out;
    }

    /** The intermediate outputs of each scale (all but the last), the inputs of feature matching. */
    public static List<List<Value>> intermediatesOfEachScale(List<List<Value>> perScaleOutputs) {
        List<List<Value>> out = new ArrayList<>();
        for (List<Value> s : perScaleOutputs) out.add(s.subList(0, s.size() - 1));
        return out;
    }

    /** {@link #featureMatching(List, List, float)} with λ = 10 (docs/METHOD.md §2). */
    public static Value featureMatching(List<List<Value>> fakeFeats, List<List<Value>> realFeats) {
        return featureMatching(fakeFeats, realFeats, FEAT_LAMBDA);
    }

    /**
     * Feature matching (docs/METHOD.md §2): Σ over scales i and intermediate layers j of
     * L1(fake[i][j], stopGradient(real[i][j])) · λ / num_D, L1 being the mean absolute difference over all
     * elements of the layer (pix2pixHD/SPADE {@code nn.L1Loss()}, reduction mean); num_D = number of scales.
     *
     * @param fakeFeats per scale, per intermediate layer (the final score map excluded) D's outputs on fakes
     * @param realFeats the same for the real inputs; gets no gradient
     */
    public static Value featureMatching(List<List<Value>> fakeFeats, List<List<Value>> realFeats, float lambda) {
        if (fakeFeats.size() != realFeats.size() || fakeFeats.isEmpty()) {
            throw new IllegalArgumentException("featureMatching: need the same non-zero number of scales, got "
                    + fakeFeats.size() + " fake and " + realFeats.size() + " real");
        }
        int numD = fakeFeats.size();
        Graph g = null;
        Value sum = null;
        for (int i = 0; i < numD; i++) {
            List<Value> fs = fakeFeats.get(i), rs = realFeats.get(i);
            if (fs.size() != rs.size()) {
                throw new IllegalArgumentException("featureMatching: scale " + i + " has " + fs.size() + " fake and "
                        + rs.size() + " real layers");
            }
            for (int j = 0; j < fs.size(); j++) {
                g = fs.get(j).graph();
                Value l1 = g.meanAll(g.abs(g.sub(fs.get(j), g.stopGradient(rs.get(j)))));
                sum = sum == null ? l1 : g.add(sum, l1);
            }
        }
        if (sum == null) throw new IllegalArgumentException("featureMatching: no intermediate layers");
        return g.mul(sum, lambda / numD);
    }

    /** D scores as given: [N, 1] or [N] (any shape with N elements is accepted). */
    private static Value scores(Value s, long n) {
        if (s.rank() == 0 || s.numel() != n || s.dim(0) != n) {
            throw new GraphBuildException("wganGpD: the critic must return one score per sample ([" + n + ",1] or [" + n
                    + "]), got " + java.util.Arrays.toString(s.shape()));
        }
        return s;
    }

    private static Value average(List<Value> terms) {
        Graph g = terms.get(0).graph();
        Value sum = terms.get(0);
        for (int i = 1; i < terms.size(); i++) sum = g.add(sum, terms.get(i));
        return terms.size() == 1 ? sum : g.div(sum, (float) terms.size());
    }
}
