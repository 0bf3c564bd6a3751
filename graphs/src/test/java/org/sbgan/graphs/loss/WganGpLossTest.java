package org.sbgan.graphs.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.testing.GradCheck;

/** WGAN-GP critic loss and WGAN G loss, run in ONNX Runtime (docs/METHOD.md §1). */
class WganGpLossTest {
    private static final long N = 3, C = 2, H = 3, W = 4;

    /** D(x)_b = Σ w ⊙ x_b, returned as [N,1]: ∇_x̂ D = w for every sample, so ‖∇‖ = ‖w‖ in closed form. */
    private static Function<Value, Value> linearCritic(Graph g, Value w) {
        return x -> g.reshape(g.reduceSum(g.mul(x, w), false, 1, 2, 3), -1, 1);
    }

    @Test
    void linearCriticHasClosedFormPenaltyAndWassersteinTerm() {
        Random r = new Random(7);
        Tensor real = GradCheck.randn(r, N, C, H, W), fake = GradCheck.randn(r, N, C, H, W);
        Tensor alpha = Tensor.floats(new float[] {0.1f, 0.5f, 0.9f}, N, 1, 1, 1);
        Tensor w = GradCheck.randn(r, 1, C, H, W);
        for (float lambda : new float[] {10f, 2f}) {
            Graph g = new Graph("wgan_gp_linear");
            Value wv = g.constant("w", w);
            Losses.WganGp l = lambda == 10f
                    ? Losses.wganGpD(g, linearCritic(g, wv), g.input("real", real.shape), g.input("fake", fake.shape),
                            g.input("alpha", alpha.shape))
                    : Losses.wganGpD(g, linearCritic(g, wv), g.input("real", real.shape), g.input("fake", fake.shape),
                            g.input("alpha", alpha.shape), lambda);
            Map<String, Value> outs = new LinkedHashMap<>();
            outs.put("total", l.total());
            outs.put("wasserstein", l.wasserstein());
            outs.put("penalty", l.penalty());
            outs.put("norm", l.gradNorm());
            Map<String, Tensor> res = LossRun.run(g, outs, Map.of("real", real, "fake", fake, "alpha", alpha));

            float[] wd = w.floats(), rd = real.floats(), fd = fake.floats();
            double wn = 0;
            for (float v : wd) wn += v * v;
            wn = Math.sqrt(wn);
            int per = wd.length;
            double meanReal = 0, meanFake = 0;
            for (int b = 0; b < N; b++) {
                for (int i = 0; i < per; i++) {
                    meanReal += wd[i] * rd[b * per + i] / N;
                    meanFake += wd[i] * fd[b * per + i] / N;
                }
            }
            double wass = meanFake - meanReal, pen = lambda * (wn - 1) * (wn - 1);
            for (float nb : res.get("norm").floats()) assertEquals(wn, nb, 1e-5 * wn, "per-sample ‖∇D‖ = ‖w‖");
            assertEquals(N, res.get("norm").numel());
            assertEquals(wass, LossRun.scalar(res, "wasserstein"), 1e-4);
            assertEquals(pen, LossRun.scalar(res, "penalty"), 1e-4 * Math.max(1, pen));
            assertEquals(wass + pen, LossRun.scalar(res, "total"), 1e-4 * Math.max(1, pen));
        }
    }

    @Test
    void zeroCriticGradientGivesFinitePenaltyGradient() {
        // w = 0: ∇_x̂ D = 0 for every sample. Without the eps inside the sqrt, d‖∇‖ would be 0/0 = NaN.
        Random r = new Random(8);
        Tensor real = GradCheck.randn(r, N, C, H, W), fake = GradCheck.randn(r, N, C, H, W);
        Tensor alpha = Tensor.floats(new float[] {0.2f, 0.4f, 0.6f}, N, 1, 1, 1);
        Graph g = new Graph("wgan_gp_zero");
        Value w = g.input("w", 1, C, H, W);
        Losses.WganGp l = Losses.wganGpD(g, linearCritic(g, w), g.constant("real", real), g.constant("fake", fake),
                g.constant("alpha", alpha));
        Map<String, Tensor> res = LossRun.run(g, Map.of("penalty", l.penalty(), "dw", Gradients.of(l.total(), w)),
                Map.of("w", Tensor.zeros(1, C, H, W)));
        assertEquals(10.0, LossRun.scalar(res, "penalty"), 1e-4);
        float[] dw = res.get("dw").floats(), rd = real.floats(), fd = fake.floats();
        int per = dw.length;
        for (int i = 0; i < per; i++) {
            double expect = 0; // d(mean D(fake) − mean D(real))/dw_i; the penalty's gradient is 0 at w = 0
            for (int b = 0; b < N; b++) expect += (fd[b * per + i] - rd[b * per + i]) / (double) N;
            assertTrue(Float.isFinite(dw[i]), "dw[" + i + "] = " + dw[i]);
            assertEquals(expect, dw[i], 1e-5);
        }
    }

    // ---- a small smooth conv critic: conv3x3 → tanh → avgpool2 → conv3x3/s2 → tanh → linear -------------

    private static Value convCritic(Graph g, Value x, List<Value> p) {
        try (Graph.Scope s = g.scope("critic")) {
            Value h = g.avgPool(g.tanh(g.conv(x, p.get(0), p.get(1), ConvSpec.of(1, 1))), PoolSpec.of(2, 2, 0, false));
            h = g.tanh(g.conv(h, p.get(2), p.get(3), ConvSpec.of(2, 1)));
            return g.gemm(g.flatten(h, 1), p.get(4), p.get(5), 1f, 1f, false, true);
        }
    }

    private static Tensor scaled(Random r, double scale, long... shape) {
        float[] d = GradCheck.randn(r, shape).floats();
        for (int i = 0; i < d.length; i++) d[i] *= (float) scale;
        return Tensor.floats(d, shape);
    }

    /** Critic weights: w1 [4,3,3,3], b1, w2 [4,4,3,3], b2, w3 [1,16], b3 (8×8 input → 4×4 → 2×2·4 = 16). */
    private static List<Tensor> criticWeights(Random r) {
        return List.of(scaled(r, 1.5 / Math.sqrt(27), 4, 3, 3, 3), scaled(r, 0.1, 4), scaled(r, 1.5 / Math.sqrt(36), 4, 4, 3, 3),
                scaled(r, 0.1, 4), scaled(r, 1.5 / Math.sqrt(16), 1, 16), scaled(r, 0.1, 1));
    }

    @Test
    void gpCriticLossGradientWrtCriticWeightsMatchesFiniteDifferences() {
        Random r = new Random(31);
        Tensor real = GradCheck.randn(r, 2, 3, 8, 8), fake = GradCheck.randn(r, 2, 3, 8, 8);
        Tensor alpha = Tensor.floats(new float[] {0.3f, 0.8f}, 2, 1, 1, 1);
        List<Tensor> w = criticWeights(r);
        GradCheck.of("wgan_gp_d_conv_critic").scalarLoss().eps(1e-3).tolerance(3e-3, 3e-2).probes(25)
                .input("w1", w.get(0)).input("b1", w.get(1)).input("w2", w.get(2)).input("b2", w.get(3))
                .input("w3", w.get(4)).input("b3", w.get(5))
                .check((g, p) -> Losses.wganGpD(g, x -> convCritic(g, x, p), g.constant("real", real),
                        g.constant("fake", fake), g.constant("alpha", alpha)).total());
    }

    @Test
    void realAndFakeGetNoGradientFromTheCriticLoss() {
        Random r = new Random(32);
        Tensor z = GradCheck.randn(r, 2, 3, 8, 8), real = GradCheck.randn(r, 2, 3, 8, 8);
        Tensor alpha = Tensor.floats(new float[] {0.3f, 0.8f}, 2, 1, 1, 1);
        List<Tensor> w = criticWeights(r);
        Graph g = new Graph("wgan_gp_constants");
        List<Value> p = new java.util.ArrayList<>();
        for (int i = 0; i < w.size(); i++) p.add(g.constant("w" + i, w.get(i)));
        Value zIn = g.input("z", z.shape), realIn = g.input("real", real.shape);
        Value fake = g.tanh(zIn); // a stand-in generator upstream of the fake
        Losses.WganGp l = Losses.wganGpD(g, x -> convCritic(g, x, p), realIn, fake, g.constant("alpha", alpha));
        List<Value> grads = Gradients.of(l.total(), List.of(zIn, realIn, fake));
        // Not vacuous: without stopGradient the same critic does pass gradient to its input.
        Value direct = Gradients.of(g.meanAll(convCritic(g, realIn, p)), realIn);
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("dz", grads.get(0));
        outs.put("dreal", grads.get(1));
        outs.put("dfake", grads.get(2));
        outs.put("direct", direct);
        Map<String, Tensor> res = LossRun.run(g, outs, Map.of("z", z, "real", real));
        for (String k : List.of("dz", "dreal", "dfake")) {
            for (float v : res.get(k).floats()) assertEquals(0f, v, k + " must be zero");
        }
        double m = 0;
        for (float v : res.get("direct").floats()) m = Math.max(m, Math.abs(v));
        assertTrue(m > 1e-4, "critic passes gradient to an input that is not stopped: " + m);
    }

    @Test
    void wganGIsMinusMean() {
        Random r = new Random(9);
        Tensor s = GradCheck.randn(r, 5, 1);
        Graph g = new Graph("wgan_g");
        Value l = Losses.wganG(g.input("s", s.shape));
        Map<String, Tensor> res = LossRun.run(g, Map.of("l", l), Map.of("s", s));
        assertEquals(-LossRun.mean(s.floats()), LossRun.scalar(res, "l"), 1e-6);
        GradCheck.of("wgan_g").scalarLoss().input("s", s).check((gg, p) -> Losses.wganG(p.get(0)));
    }

    @Test
    void shapeMistakesFailInOneLine() {
        Graph g = new Graph("wgan_gp_bad");
        Value real = g.input("real", 2, 3, 4, 4), fake = g.input("fake", 2, 3, 4, 4);
        Value w = g.constant("w", Tensor.filled(1f, 1, 3, 4, 4));
        GraphBuildException e = assertThrows(GraphBuildException.class,
                () -> Losses.wganGpD(g, x -> g.mul(x, w), real, fake, g.input("alpha", 2, 1, 1, 1)));
        assertTrue(e.getMessage().contains("one score per sample"), e.getMessage());
        e = assertThrows(GraphBuildException.class,
                () -> Losses.wganGpD(g, x -> g.sumAll(x), real, fake, g.input("alpha3", 3, 1, 1, 1)));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        e = assertThrows(GraphBuildException.class,
                () -> Losses.wganGpD(g, x -> g.sumAll(x), real, g.input("fake2", 2, 3, 4, 2), g.input("alpha2", 2)));
        assertTrue(e.getMessage().contains("differ in shape"), e.getMessage());
    }

    @Test
    void alphaMayBeGivenPerSampleAsVector() {
        Graph g = new Graph("wgan_gp_alpha_vec");
        Value w = g.constant("w", Tensor.filled(0.5f, 1, C, H, W));
        Losses.WganGp l = Losses.wganGpD(g, linearCritic(g, w), g.input("real", N, C, H, W), g.input("fake", N, C, H, W),
                g.input("alpha", N));
        assertEquals(0, l.total().rank());
        assertEquals(N, l.gradNorm().dim(0));
    }
}
