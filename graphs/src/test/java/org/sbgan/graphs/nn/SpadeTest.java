package org.sbgan.graphs.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/** Conv2d, SPADE and the SPADE ResBlk: Java reference, finite differences, shortcut and detached layout. */
class SpadeTest {
    static final int N = 2, C = 3, K = 2, NH = 4, H = 4, W = 4;

    /** ConstParams with larger-than-init SPADE conv weights and biases, so γ and β matter. */
    static ConstParams params(Graph g, boolean training, Random r) {
        return new ConstParams(g, training)
                .with("spade.mlp_shared.weight", scaled(GradCheck.randn(r, NH, K, 3, 3), 0.5f))
                .with("spade.mlp_shared.bias", scaled(GradCheck.randn(r, NH), 0.3f))
                .with("spade.mlp_gamma.weight", scaled(GradCheck.randn(r, C, NH, 3, 3), 0.3f))
                .with("spade.mlp_gamma.bias", scaled(GradCheck.randn(r, C), 0.3f))
                .with("spade.mlp_beta.weight", scaled(GradCheck.randn(r, C, NH, 3, 3), 0.3f))
                .with("spade.mlp_beta.bias", scaled(GradCheck.randn(r, C), 0.3f));
    }

    @Test
    void spadeForwardMatchesAJavaReferenceWithDownAndUpsampledLayouts() throws Exception {
        for (int segSize : new int[] {8, 4, 2}) {
            Graph g = new Graph("spade_ref");
            ConstParams p = params(g, true, new Random(1));
            Value x = g.input("x", N, C, H, W), seg = g.input("seg", N, K, segSize, segSize);
            Spade spade = new Spade(p, "spade", Spade.Config.of(C, K, NH));
            Value y = spade.forward(x, seg);
            assertEquals(2, p.updates.size(), "running mean and variance are written once");
            Tensor xt = GradCheck.randn(new Random(2), N, C, H, W), st = GradCheck.randn(new Random(3), N, K, segSize, segSize);
            float[] got;
            try (Ort ort = new Ort(OnnxExport.model(g, Map.of("y", y)))) {
                got = ort.run(Map.of("x", xt, "seg", st)).get("y").floats();
            }
            assertArrayEquals(reference(p.values, xt.floats(), st.floats(), segSize), got, 1e-4f, "seg " + segSize);
        }
    }

    /** out = BN(x)·(1 + γ) + β with batch statistics, segmap = seg[floor(i·Hs/H), floor(j·Ws/W)]. */
    static float[] reference(Map<String, Tensor> v, float[] x, float[] seg, int hs) {
        float[] sm = new float[N * K * H * W];
        for (int n = 0; n < N; n++) for (int k = 0; k < K; k++) for (int i = 0; i < H; i++) for (int j = 0; j < W; j++) {
            sm[((n * K + k) * H + i) * W + j] = seg[((n * K + k) * hs + i * hs / H) * hs + j * hs / W];
        }
        float[] actv = conv(sm, K, v.get("spade.mlp_shared.weight").floats(), v.get("spade.mlp_shared.bias").floats(), NH);
        for (int i = 0; i < actv.length; i++) actv[i] = Math.max(0, actv[i]);
        float[] gamma = conv(actv, NH, v.get("spade.mlp_gamma.weight").floats(), v.get("spade.mlp_gamma.bias").floats(), C);
        float[] beta = conv(actv, NH, v.get("spade.mlp_beta.weight").floats(), v.get("spade.mlp_beta.bias").floats(), C);
        float[] out = new float[x.length];
        int hw = H * W, cnt = N * hw;
        for (int c = 0; c < C; c++) {
            double mean = 0, var = 0;
            for (int n = 0; n < N; n++) for (int i = 0; i < hw; i++) mean += x[(n * C + c) * hw + i] / (double) cnt;
            for (int n = 0; n < N; n++) for (int i = 0; i < hw; i++) {
                double e = x[(n * C + c) * hw + i] - mean;
                var += e * e / cnt;
            }
            for (int n = 0; n < N; n++) for (int i = 0; i < hw; i++) {
                int k = (n * C + c) * hw + i;
                out[k] = (float) ((x[k] - mean) / Math.sqrt(var + 1e-5) * (1 + gamma[k]) + beta[k]);
            }
        }
        return out;
    }

    /** 3×3, pad 1 conv on [N, in, H, W] with bias. */
    static float[] conv(float[] x, int in, float[] w, float[] b, int out) {
        float[] y = EqualizedLayersTest.conv(x, N, in, H, W, w, 1f, out, 3, 1, 1, 1);
        for (int i = 0; i < y.length; i++) y[i] += b[(i / (H * W)) % out];
        return y;
    }

    @Test
    void spadeGradientWrtXMatchesFiniteDifferences() {
        Tensor seg = GradCheck.randn(new Random(4), N, K, 8, 8);
        GradCheck.of("spade").input("x", N, C, H, W).check((g, in) ->
                new Spade(params(g, true, new Random(5)), "spade", Spade.Config.of(C, K, NH)).forward(in.get(0), g.constant(seg)));
    }

    /**
     * γ and β are one conv of 2·C outputs (Conv2d.forwardAll): the gradients of each conv's own weight and bias
     * through the concatenated weights and the split output, against finite differences.
     */
    @Test
    void spadeGradientWrtGammaAndBetaConvsMatchesFiniteDifferences() {
        Tensor seg = GradCheck.randn(new Random(4), N, K, 8, 8);
        GradCheck.of("spade_gamma_beta").input("x", N, C, H, W)
                .input("spade.mlp_gamma.weight", scaled(GradCheck.randn(new Random(9), C, NH, 3, 3), 0.3f)).input("spade.mlp_gamma.bias", C)
                .input("spade.mlp_beta.weight", scaled(GradCheck.randn(new Random(10), C, NH, 3, 3), 0.3f)).input("spade.mlp_beta.bias", C)
                .check((g, in) -> {
                    Map<String, Value> given = Map.of("spade.mlp_gamma.weight", in.get(1), "spade.mlp_gamma.bias", in.get(2),
                            "spade.mlp_beta.weight", in.get(3), "spade.mlp_beta.bias", in.get(4));
                    ConstParams constants = params(g, true, new Random(5));
                    Params p = new Params() {
                        public Graph graph() { return g; }
                        public Value param(String local, Init init, long... shape) {
                            Value v = given.get(g.qualify(local));
                            return v != null ? v : constants.param(local, init, shape);
                        }
                        public Value buffer(String local, Init init, long... shape) { return constants.buffer(local, init, shape); }
                        public void update(Value buffer, Value next) { constants.update(buffer, next); }
                        public boolean training() { return true; }
                    };
                    return new Spade(p, "spade", Spade.Config.of(C, K, NH)).forward(in.get(0), g.constant(seg));
                });
    }

    @Test
    void convsRunAsOneMustDifferOnlyInOutputs() {
        Graph g = new Graph("c");
        InferenceParams p = new InferenceParams(g, 3);
        Conv2d a = new Conv2d(p, "a", Conv2d.Config.same3x3(4, 8)), b = new Conv2d(p, "b", Conv2d.Config.same3x3(4, 2));
        assertEquals(List.of(8L, 2L), Conv2d.forwardAll(g.input("x", 1, 4, H, W), a, b).stream().map(v -> v.dim(1)).toList());
        Conv2d c = new Conv2d(p, "c", Conv2d.Config.of(4, 2, 1, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv2d.forwardAll(g.input("y", 1, 4, H, W), a, c));
        assertTrue(e.getMessage().contains("'a' and 'c'"), e.getMessage());
    }

    @Test
    void resizeNeedsIntegerFactors() {
        Graph g = new Graph("bad");
        Value x = g.input("x", 1, C, H, W), seg = g.input("seg", 1, K, 6, 6);
        Spade spade = new Spade(new ConstParams(g, false), "spade", Spade.Config.of(C, K, NH));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spade.forward(x, seg));
        assertTrue(e.getMessage().contains("6×6 to 4×4"), e.getMessage());
    }

    @Test
    void conv2dIsXavierNormalWithZeroBias() {
        Graph g = new Graph("c");
        InferenceParams p = new InferenceParams(g, 3);
        new Conv2d(p, "conv", Conv2d.Config.same3x3(16, 32));
        float[] w = p.initialValues().get("conv.weight").floats();
        double ms = 0;
        for (float v : w) ms += v * v / w.length;
        double expected = 0.02 * Math.sqrt(2.0 / ((16 + 32) * 9));
        assertEquals(expected, Math.sqrt(ms), expected * 0.1);
        assertArrayEquals(new float[32], p.initialValues().get("conv.bias").floats());
        assertEquals(32 * 16 * 9 + 32, Conv2d.Config.same3x3(16, 32).parameterCount());
    }

    @Test
    void shortcutIsLearnedIffChannelsDiffer() {
        for (int fout : new int[] {4, 2}) {
            Graph g = new Graph("blk");
            InferenceParams p = new InferenceParams(g, 1);
            SpadeResBlock blk = new SpadeResBlock(p, "blk", SpadeResBlock.Config.of(4, fout, K, NH, true));
            Value y = blk.forward(g.input("x", -1, 4, H, W), g.input("seg", -1, K, 8, 8));
            assertArrayEquals(new long[] {-1, fout, H, W}, y.shape());
            Map<String, Tensor> v = p.initialValues();
            boolean learned = fout != 4;
            for (String n : List.of("blk.conv_s.weight", "blk.conv_s.u", "blk.norm_s.mlp_shared.weight", "blk.norm_s.param_free_norm.running_mean")) {
                assertEquals(learned, v.containsKey(n), n + " with fout " + fout);
            }
            assertFalse(v.containsKey("blk.conv_s.bias"), "conv_s has no bias");
            assertArrayEquals(new long[] {Math.min(4, fout), 4, 3, 3}, v.get("blk.conv_0.weight").shape, "fmid = min(fin, fout)");
            assertArrayEquals(new long[] {fout, Math.min(4, fout), 3, 3}, v.get("blk.conv_1.weight").shape);
            if (learned) assertArrayEquals(new long[] {fout, 4, 1, 1}, v.get("blk.conv_s.weight").shape);
            long params = v.entrySet().stream().filter(e -> !e.getKey().endsWith(".u") && !e.getKey().contains("running_"))
                    .mapToLong(e -> e.getValue().numel()).sum();
            assertEquals(blk.config().parameterCount(), params);
        }
    }

    @Test
    void detachedLayoutGetsNoGradientThroughTheBlock() throws Exception {
        for (boolean detach : new boolean[] {true, false}) {
            Graph g = new Graph("detach");
            Value x = g.input("x", N, 4, H, W), seg = g.input("seg", N, K, 8, 8);
            SpadeResBlock blk = new SpadeResBlock(new ConstParams(g, true), "blk", SpadeResBlock.Config.of(4, 2, K, NH, detach));
            Value y = blk.forward(x, seg);
            Value loss = g.sumAll(g.mul(y, g.constant(GradCheck.randn(new Random(6), y.shape()))));
            Value gs = Gradients.of(loss, seg), gx = Gradients.of(loss, x);
            Map<String, Tensor> out;
            try (Ort ort = new Ort(OnnxExport.model(g, Map.of("gseg", gs, "gx", gx)))) {
                out = ort.run(Map.of("x", GradCheck.randn(new Random(7), N, 4, H, W), "seg", GradCheck.randn(new Random(8), N, K, 8, 8)));
            }
            assertTrue(maxAbs(out.get("gx").floats()) > 0, "x always gets a gradient");
            double m = maxAbs(out.get("gseg").floats());
            if (detach) assertEquals(0.0, m, "detached: no gradient reaches seg");
            else assertTrue(m > 0, "not detached: seg gets a gradient, max " + m);
        }
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    static Tensor scaled(Tensor t, float k) {
        float[] d = t.floats().clone();
        for (int i = 0; i < d.length; i++) d[i] *= k;
        return Tensor.floats(d, t.shape);
    }
}
