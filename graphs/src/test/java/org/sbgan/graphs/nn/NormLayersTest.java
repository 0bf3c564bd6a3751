package org.sbgan.graphs.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest.StateKind;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/** BatchNorm (training and eval, running statistics) and InstanceNorm against Java references and FD. */
class NormLayersTest {
    static final int N = 2, C = 3, H = 4, W = 5;

    @Test
    void batchNormTrainingNormalisesWithBatchStatsAndUpdatesRunningStats() throws Exception {
        StepBuilder sb = new StepBuilder("bn");
        Value x = sb.batch("x", N, C, H, W);
        BatchNorm bn;
        try (Graph.Scope s = sb.graph().scope("spade")) {
            bn = new BatchNorm(new StepParams(sb, 3), "norm", BatchNorm.Config.of(C));
        }
        sb.metric("y", bn.forward(x));
        StepGraph step = sb.build(null);
        for (String n : List.of("spade.norm.running_mean", "spade.norm.running_var")) {
            assertEquals(StateKind.BUFFER, step.manifest().stateEntry(n).kind());
            assertTrue(step.manifest().stateEntry(n).written(), n);
        }
        assertArrayEquals(new float[C], step.initialState().get("spade.norm.running_mean").floats());
        assertArrayEquals(new float[] {1, 1, 1}, step.initialState().get("spade.norm.running_var").floats());

        Tensor xt = shifted(GradCheck.randn(new Random(1), N, C, H, W));
        Map<String, Tensor> feed = new LinkedHashMap<>(step.initialState());
        feed.put("x", xt);
        Map<String, Tensor> out;
        try (Ort ort = new Ort(step.model())) {
            out = ort.run(feed);
        }
        double[][] st = channelStats(xt.floats());
        float[] ref = new float[N * C * H * W];
        for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) for (int i = 0; i < H * W; i++) {
            int k = (n * C + c) * H * W + i;
            ref[k] = (float) ((xt.floats()[k] - st[0][c]) / Math.sqrt(st[1][c] + 1e-5));
        }
        assertArrayEquals(ref, out.get("y").floats(), 1e-4f);
        float[] rm = new float[C], rv = new float[C];
        int cnt = N * H * W;
        for (int c = 0; c < C; c++) {
            rm[c] = (float) (0.1 * st[0][c]);
            rv[c] = (float) (0.9 + 0.1 * st[1][c] * cnt / (cnt - 1));
        }
        assertArrayEquals(rm, out.get(StepBuilder.nextName("spade.norm.running_mean")).floats(), 1e-5f);
        assertArrayEquals(rv, out.get(StepBuilder.nextName("spade.norm.running_var")).floats(), 1e-5f);
    }

    @Test
    void batchNormEvalUsesRunningStats() throws Exception {
        Graph g = new Graph("bn_eval");
        InferenceParams p = new InferenceParams(g, 3);
        Value x = g.input("x", -1, C, H, W);
        Value y = new BatchNorm(p, "norm", BatchNorm.Config.of(C)).forward(x);
        Tensor xt = shifted(GradCheck.randn(new Random(2), N, C, H, W));
        float[] rm = {0.5f, -1f, 2f}, rv = {0.25f, 4f, 1.5f};
        Map<String, Tensor> out;
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("y", y)))) {
            out = ort.run(Map.of("x", xt, "norm.running_mean", Tensor.floats(rm, C), "norm.running_var", Tensor.floats(rv, C)));
        }
        float[] ref = new float[N * C * H * W];
        for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) for (int i = 0; i < H * W; i++) {
            int k = (n * C + c) * H * W + i;
            ref[k] = (float) ((xt.floats()[k] - rm[c]) / Math.sqrt(rv[c] + 1e-5));
        }
        assertArrayEquals(ref, out.get("y").floats(), 1e-4f);
        assertEquals(List.of("norm.running_mean", "norm.running_var"), List.copyOf(p.initialValues().keySet()));
    }

    @Test
    void batchNormTrainingGradientsMatchFiniteDifferences() {
        GradCheck.of("batchnorm").input("x", 3, 2, 3, 3)
                .check((g, x) -> new BatchNorm(new ConstParams(g, true), "bn", BatchNorm.Config.of(2)).forward(x.get(0)));
        Random r = new Random(4);
        GradCheck.of("batchnorm 2nd").scalarLoss().eps(2e-3).tolerance(3e-3, 3e-2).input("x", 2, 2, 3, 3).check((g, x) -> {
            Value y = new BatchNorm(new ConstParams(g, true), "bn", BatchNorm.Config.of(2)).forward(x.get(0));
            Value gx = Gradients.of(g.sumAll(g.mul(y, g.constant(GradCheck.randn(r, y.shape())))), x.get(0));
            return g.sumAll(g.mul(gx, g.constant(GradCheck.randn(r, gx.shape()))));
        });
    }

    @Test
    void instanceNormMatchesAJavaReference() throws Exception {
        Graph g = new Graph("in");
        Value x = g.input("x", -1, C, H, W);
        Value y = new InstanceNorm().forward(x);
        Tensor xt = shifted(GradCheck.randn(new Random(5), N, C, H, W));
        Map<String, Tensor> out;
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("y", y)))) {
            out = ort.run(Map.of("x", xt));
        }
        float[] d = xt.floats(), ref = new float[d.length];
        int hw = H * W;
        for (int nc = 0; nc < N * C; nc++) {
            double mean = 0, var = 0;
            for (int i = 0; i < hw; i++) mean += d[nc * hw + i] / (double) hw;
            for (int i = 0; i < hw; i++) var += (d[nc * hw + i] - mean) * (d[nc * hw + i] - mean) / hw;
            for (int i = 0; i < hw; i++) ref[nc * hw + i] = (float) ((d[nc * hw + i] - mean) / Math.sqrt(var + 1e-5));
        }
        assertArrayEquals(ref, out.get("y").floats(), 1e-4f);
    }

    @Test
    void instanceNormGradientsMatchFiniteDifferences() {
        GradCheck.of("instancenorm").input("x", 2, 3, 3, 4).check((g, x) -> new InstanceNorm().forward(x.get(0)));
        Random r = new Random(6);
        GradCheck.of("instancenorm 2nd").scalarLoss().eps(2e-3).tolerance(3e-3, 3e-2).input("x", 2, 2, 3, 3).check((g, x) -> {
            Value y = new InstanceNorm().forward(x.get(0));
            Value gx = Gradients.of(g.sumAll(g.mul(y, g.constant(GradCheck.randn(r, y.shape())))), x.get(0));
            return g.sumAll(g.mul(gx, g.constant(GradCheck.randn(r, gx.shape()))));
        });
    }

    /** Gives each channel its own offset and scale, so per-channel statistics matter. */
    static Tensor shifted(Tensor t) {
        float[] d = t.floats().clone();
        int hw = H * W;
        for (int k = 0; k < d.length; k++) {
            int c = (k / hw) % C;
            d[k] = d[k] * (1 + c) + 2 * c - 1;
        }
        return Tensor.floats(d, t.shape);
    }

    /** Per-channel mean and biased variance over (N, H, W). */
    static double[][] channelStats(float[] d) {
        double[][] st = new double[2][C];
        int cnt = N * H * W;
        for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) for (int i = 0; i < H * W; i++) st[0][c] += d[(n * C + c) * H * W + i] / cnt;
        for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) for (int i = 0; i < H * W; i++) {
            double e = d[(n * C + c) * H * W + i] - st[0][c];
            st[1][c] += e * e / cnt;
        }
        return st;
    }
}
