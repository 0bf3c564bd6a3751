package org.sbgan.graphs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.MinibatchStddev;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.ops.ConvGradients;
import org.sbgan.graphs.ops.Nn;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * Second-order derivatives: the gradient of a gradient-norm penalty (WGAN-GP) with respect to the weights
 * and inputs of the network it differentiates, run in ONNX Runtime and compared with finite differences of
 * the penalty itself. Each check builds D(x), takes dD/dx with {@link Gradients}, forms
 * mean_b (‖dD/dx_b‖₂ − 1)² and lets {@link GradCheck} (scalar-loss mode) differentiate that again.
 */
class SecondOrderTest {
    private static final float NORM_EPS = 1e-6f;

    // ---- the acceptance check: WGAN-GP through a small conv critic ------------------------------------

    /**
     * D(x) = Gemm(flatten(LeakyReLU(conv3x3/s2/p1(AvgPool2x2(LeakyReLU(conv3x3/p1(x)))))), weights as inputs.
     *
     * <p>LeakyReLU is piecewise linear: second derivatives through it vanish almost everywhere, but dD/dx
     * jumps where a pre-activation changes sign, so the penalty is discontinuous there and a finite
     * difference straddling such a point is meaningless. The data are fixed (seed 251, picked by scanning
     * seeds for one whose pre-activations all keep clear of 0) and {@link #assertProbesStayOffKinks} proves, from the actual pre-activations, that no probe of size eps
     * on any single weight can move any pre-activation across 0 — so every finite difference below is taken
     * on one linear piece. eps is 1e-3 (small against the margins); float32 rounding of the penalty then
     * limits finite differences to about 1e-3 absolute, hence the tolerance.
     */
    @Test
    void wganGpPenaltyThroughConvCriticMatchesFiniteDifferences() {
        Random r = new Random(251);
        long n = 2, c = 3, h = 8, w = 8;
        Tensor real = GradCheck.randn(r, n, c, h, w);
        Tensor fake = GradCheck.randn(r, n, c, h, w);
        float[] a = {r.nextFloat(), r.nextFloat()};
        Tensor alpha = Tensor.floats(a, n, 1, 1, 1);
        Tensor w1 = scaled(r, 1.0 / Math.sqrt(27), 4, 3, 3, 3), b1 = scaled(r, 0.1, 4);
        Tensor w2 = scaled(r, 1.0 / Math.sqrt(36), 4, 4, 3, 3), b2 = scaled(r, 0.1, 4);
        Tensor w3 = scaled(r, 1.0 / Math.sqrt(16), 1, 16), b3 = scaled(r, 0.1, 1);
        double eps = 1e-3;

        assertProbesStayOffKinks(real, fake, alpha, List.of(w1, b1, w2, b2, w3, b3), eps);

        GradCheck.of("wgan_gp_conv_critic").scalarLoss().eps(eps).tolerance(3e-3, 3e-2).probes(40)
                .input("w1", w1).input("b1", b1).input("w2", w2).input("b2", b2).input("w3", w3).input("b3", b3)
                .check((g, p) -> {
                    Value xhat = interpolate(g, real, fake, alpha);
                    return gradientPenalty(g, xhat, x -> critic(g, x, p).get(CRITIC_OUT));
                });
    }

    private static final int Z1 = 0, POOLED = 1, Z2 = 2, CRITIC_OUT = 3;

    /** The critic; returns [pre-activation 1, pooled activation 1, pre-activation 2, D(x)]. */
    private static List<Value> critic(Graph g, Value x, List<Value> p) {
        Value z1, pooled, z2, out;
        try (Graph.Scope s = g.scope("critic")) {
            z1 = g.conv(x, p.get(0), p.get(1), ConvSpec.of(1, 1));
            pooled = g.avgPool(g.leakyRelu(z1, 0.2f), PoolSpec.of(2, 2, 0, false));
            z2 = g.conv(pooled, p.get(2), p.get(3), ConvSpec.of(2, 1));
            out = g.gemm(g.flatten(g.leakyRelu(z2, 0.2f), 1), p.get(4), p.get(5), 1f, 1f, false, true);
        }
        return List.of(z1, pooled, z2, out);
    }

    /** x̂ = α·real + (1 − α)·fake, all constants. */
    private static Value interpolate(Graph g, Tensor real, Tensor fake, Tensor alpha) {
        Value al = g.constant("alpha", alpha);
        return g.add(g.mul(al, g.constant("real", real)), g.mul(g.sub(1f, al), g.constant("fake", fake)));
    }

    /**
     * Bounds how far one probe (a single weight moved by ±eps) can move each pre-activation, and asserts
     * every pre-activation is farther than twice that from LeakyReLU's kink at 0. z1 is linear in w1, b1;
     * z2 is linear in w2, b2 and moves with a1 (|Δa1| ≤ |Δz1|, AvgPool only averages) by at most
     * max_o Σ|w2[o]|·|Δz1|; the Gemm weights do not move any pre-activation.
     */
    private static void assertProbesStayOffKinks(Tensor real, Tensor fake, Tensor alpha, List<Tensor> weights, double eps) {
        Graph g = new Graph("critic_margins");
        List<Value> p = new java.util.ArrayList<>();
        String[] names = {"w1", "b1", "w2", "b2", "w3", "b3"};
        for (int i = 0; i < weights.size(); i++) p.add(g.constant(names[i], weights.get(i)));
        Value xhat = interpolate(g, real, fake, alpha);
        List<Value> v = critic(g, xhat, p);
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("xhat", xhat);
        outs.put("z1", v.get(Z1));
        outs.put("pooled", v.get(POOLED));
        outs.put("z2", v.get(Z2));
        Map<String, Tensor> res;
        try (Ort ort = new Ort(OnnxExport.model(g, outs))) {
            res = ort.run(Map.of());
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
        double dz1 = eps * Math.max(1, maxAbs(res.get("xhat").floats()));
        float[] w2 = weights.get(2).floats();
        int per = w2.length / (int) weights.get(2).shape[0];
        double rowSum = 0;
        for (int o = 0; o < weights.get(2).shape[0]; o++) {
            double s = 0;
            for (int k = 0; k < per; k++) s += Math.abs(w2[o * per + k]);
            rowSum = Math.max(rowSum, s);
        }
        double dz2 = Math.max(eps * Math.max(1, maxAbs(res.get("pooled").floats())), dz1 * rowSum);
        double m1 = minAbs(res.get("z1").floats()), m2 = minAbs(res.get("z2").floats());
        assertTrue(m1 > 2 * dz1 && m2 > 2 * dz2, String.format(
                "test data put a LeakyReLU pre-activation within a probe of the kink: min|z1| %.2e (probe moves it ≤ %.2e),"
                        + " min|z2| %.2e (≤ %.2e); pick another seed", m1, dz1, m2, dz2));
    }

    // ---- the building blocks that appear inside gradients ---------------------------------------------

    @Test
    void penaltyThroughStride2Conv() {
        // 8 → 4 with k3 s2 p1 leaves one input row past the last window: dX needs output_padding 1.
        convPenalty("stride2", 8, 8, ConvSpec.of(2, 1));
    }

    @Test
    void penaltyThroughPerAxisStrideConv() {
        convPenalty("stride1x2", 6, 7, ConvSpec.of(1, 2, 1));
    }

    @Test
    void penaltyThroughStridedConvWithDilatedInputGradient() {
        ConvGradients dilated = ConvGradients.MEASURED.withStridedDx(Nn.StridedDx.DILATED_CONV);
        convPenalty("stride2_dilated", 8, 7, ConvSpec.of(2, 1), dilated);
        convPenalty("stride1x2_dilated", 6, 8, ConvSpec.of(1, 2, 1), dilated);
    }

    @Test
    void penaltyThroughConvWithAsymmetricPadding() {
        convPenalty("asym_pad", 6, 7, new ConvSpec(new long[] {1, 1}, new long[] {0, 2, 1, 0}));
        convPenalty("asym_pad_stride2", 7, 6, new ConvSpec(new long[] {2, 2}, new long[] {2, 0, 0, 1}));
    }

    /** D(x) = Σ R ⊙ tanh(conv(x, w, b)); checks d(penalty)/d(x, w, b). */
    private static void convPenalty(String name, long h, long w, ConvSpec spec) {
        convPenalty(name, h, w, spec, ConvGradients.MEASURED);
    }

    private static void convPenalty(String name, long h, long w, ConvSpec spec, ConvGradients policy) {
        Random r = new Random(name.hashCode());
        GradCheck.of("gp_conv_" + name).scalarLoss().probes(30)
                .input("x", GradCheck.randn(r, 2, 3, h, w))
                .input("w", scaled(r, 0.3, 4, 3, 3, 3))
                .input("b", scaled(r, 0.3, 4))
                .check((g, p) -> gradientPenalty(g.convGradients(policy), p.get(0), x -> project(g, r, g.tanh(g.conv(x, p.get(1), p.get(2), spec)))));
    }

    @Test
    void penaltyThroughAvgPoolExcludingPadding() {
        // 3x3, stride 2, pad 1, count_include_pad = 0: border windows average fewer cells.
        blockPenalty("avgpool3s2p1", new long[] {2, 3, 7, 8}, (g, x) -> g.avgPool(x, PoolSpec.of(3, 2, 1, false)));
    }

    @Test
    void penaltyThroughAvgPoolIncludingPadding() {
        blockPenalty("avgpool3s2p1_incl", new long[] {2, 3, 8, 7}, (g, x) -> g.avgPool(x, PoolSpec.of(3, 2, 1, true)));
    }

    @Test
    void penaltyThroughAvgPoolTiles() {
        blockPenalty("avgpool2", new long[] {2, 3, 6, 4}, (g, x) -> g.avgPool(x, PoolSpec.of(2, 2, 0, true)));
    }

    @Test
    void penaltyThroughNearestUpsampling() {
        blockPenalty("upsample2x3", new long[] {2, 3, 3, 4}, (g, x) -> g.upsampleNearest(x, 2, 3));
    }

    @Test
    void penaltyThroughSoftmax() {
        blockPenalty("softmax", new long[] {2, 5, 3, 3}, (g, x) -> g.softmax(x, 1), false);
    }

    @Test
    void penaltyThroughTanh() {
        blockPenalty("tanh", new long[] {2, 4, 3, 3}, (g, x) -> g.tanh(x), false);
    }

    @Test
    void penaltyThroughSigmoid() {
        blockPenalty("sigmoid", new long[] {2, 4, 3, 3}, (g, x) -> g.sigmoid(x), false);
    }

    @Test
    void penaltyThroughMinibatchStddev() {
        // WGAN-GP differentiates D_seg's minibatch-stddev layer twice; groups of 4 (batch 8) and of 3 (batch 3).
        blockPenalty("mbstd", new long[] {8, 2, 2, 3}, (g, x) -> MinibatchStddev.forward(x), false);
        blockPenalty("mbstd_g3", new long[] {3, 3, 2, 2}, (g, x) -> MinibatchStddev.forward(x), false);
    }

    @Test
    void penaltyThroughMatMul() {
        // x [2,4,5] · w [5,3]: w is broadcast over the batch, so its gradients are summed back (sumTo).
        Random r = new Random(11);
        GradCheck.of("gp_matmul").scalarLoss()
                .input("x", GradCheck.randn(r, 2, 4, 5))
                .input("w", scaled(r, 0.5, 5, 3))
                .check((g, p) -> gradientPenalty(g, p.get(0), x -> project(g, r, g.tanh(g.matmul(x, p.get(1))))));
    }

    /**
     * D(x) = Σ R ⊙ f(block(x) ⊙ s) with a per-channel scale s (a weight); f is tanh for linear blocks so
     * that dD/dx depends on x. Checks d(penalty)/d(x, s).
     */
    private static void blockPenalty(String name, long[] shape, BiFunction<Graph, Value, Value> block) {
        blockPenalty(name, shape, block, true);
    }

    private static void blockPenalty(String name, long[] shape, BiFunction<Graph, Value, Value> block, boolean squash) {
        Random r = new Random(name.hashCode());
        GradCheck.of("gp_" + name).scalarLoss().probes(40)
                .input("x", GradCheck.randn(r, shape))
                .input("s", scaled(r, 1.0, 1, shape[1], 1, 1))
                .check((g, p) -> gradientPenalty(g, p.get(0), x -> {
                    Value y = squash ? g.mul(block.apply(g, x), p.get(1)) : block.apply(g, g.mul(x, p.get(1)));
                    return project(g, r, squash ? g.tanh(y) : y);
                }));
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** mean over the batch of (‖dD/dx‖₂ − 1)², the norm over all non-batch axes. */
    static Value gradientPenalty(Graph g, Value x, java.util.function.Function<Value, Value> d) {
        Value gx = Gradients.of(g.sumAll(d.apply(x)), x);
        long[] axes = new long[x.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        Value norm = g.sqrt(g.add(g.reduceSumSquare(gx, false, axes), NORM_EPS));
        return g.meanAll(g.pow(g.sub(norm, 1f), 2f));
    }

    /** Σ over non-batch axes of R ⊙ y for a fixed random R: one scalar per sample, every element weighted. */
    private static Value project(Graph g, Random r, Value y) {
        long[] axes = new long[y.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        return g.reduceSum(g.mul(y, g.constant(GradCheck.randn(r, y.shape()))), false, axes);
    }

    private static Tensor scaled(Random r, double scale, long... shape) {
        float[] d = GradCheck.randn(r, shape).floats();
        for (int i = 0; i < d.length; i++) d[i] *= (float) scale;
        return Tensor.floats(d, shape);
    }

    private static double maxAbs(float[] d) {
        double m = 0;
        for (float v : d) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static double minAbs(float[] d) {
        double m = Double.POSITIVE_INFINITY;
        for (float v : d) m = Math.min(m, Math.abs(v));
        return m;
    }
}
