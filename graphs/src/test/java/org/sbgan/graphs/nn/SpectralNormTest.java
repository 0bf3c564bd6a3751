package org.sbgan.graphs.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest.StateKind;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/** SpectralNorm / SNConv: σ against Java power iteration, convergence over steps, gradients, state. */
class SpectralNormTest {
    static final int IN = 3, OUT = 4, K = 3;
    static final String U = "d1.conv1.u", WEIGHT = "d1.conv1.weight";

    static StepGraph stepGraph(SNConv[] layer) {
        StepBuilder sb = new StepBuilder("sn");
        Value x = sb.batch("x", 2, IN, 6, 7);
        try (Graph.Scope s = sb.graph().scope("d1")) {
            layer[0] = new SNConv(new StepParams(sb, 11), "conv1", SNConv.Config.of(IN, OUT, K, 1).withStride(2));
        }
        sb.metric("y", layer[0].forward(x));
        sb.metric("sigma", layer[0].spectralNorm().sigma());
        return sb.build(null);
    }

    @Test
    void sigmaAndOutputMatchAJavaPowerIterationAndUIsAWrittenBuffer() throws Exception {
        SNConv[] layer = new SNConv[1];
        StepGraph step = stepGraph(layer);
        assertEquals(StateKind.BUFFER, step.manifest().stateEntry(U).kind());
        assertTrue(step.manifest().stateEntry(U).written());
        assertEquals(StateKind.PARAM, step.manifest().stateEntry(WEIGHT).kind());
        assertEquals(StateKind.PARAM, step.manifest().stateEntry("d1.conv1.bias").kind());
        float[] u0 = step.initialState().get(U).floats();
        assertEquals(1.0, norm(toDouble(u0)), 1e-5);

        float[] w = step.initialState().get(WEIGHT).floats();
        double std = 0;
        for (float v : w) std += v * v / w.length;
        double expected = 0.02 * Math.sqrt(2.0 / ((IN + OUT) * K * K));
        assertEquals(expected, Math.sqrt(std), expected * 0.3, "xavier-normal(0.02) weight");

        Tensor xt = GradCheck.randn(new Random(2), 2, IN, 6, 7);
        Map<String, Tensor> feed = new LinkedHashMap<>(step.initialState());
        feed.put("x", xt);
        Map<String, Tensor> out;
        try (Ort ort = new Ort(step.model())) {
            out = ort.run(feed);
        }
        double[] uNext = new double[OUT];
        double sigma = powerStep(w, toDouble(u0), uNext);
        assertEquals(sigma, out.get("sigma").floats()[0], 1e-4 * sigma);
        assertArrayEquals(toFloat(uNext), out.get(StepBuilder.nextName(U)).floats(), 1e-4f);
        float[] ref = EqualizedLayersTest.conv(xt.floats(), 2, IN, 6, 7, w, (float) (1 / sigma), OUT, K, 2, 2, 1);
        assertArrayEquals(ref, out.get("y").floats(), 1e-4f);

        // The inference graph runs the same iteration from the stored u and writes nothing.
        Graph g = new Graph("sn_infer");
        InferenceParams ip = new InferenceParams(g, 11);
        SNConv inf;
        try (Graph.Scope s = g.scope("d1")) {
            inf = new SNConv(ip, "conv1", SNConv.Config.of(IN, OUT, K, 1).withStride(2));
        }
        Value y = inf.forward(g.input("x", -1, IN, 6, 7));
        assertEquals(step.initialState().get(U), ip.initialValues().get(U));
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("y", y, "sigma", inf.spectralNorm().sigma()), ip.initialValues()))) {
            Map<String, Tensor> o = ort.run(Map.of("x", xt));
            assertEquals(sigma, o.get("sigma").floats()[0], 1e-4 * sigma);
            assertArrayEquals(ref, o.get("y").floats(), 1e-4f);
        }
    }

    @Test
    void sigmaConvergesToTheLargestSingularValueOverSteps() throws Exception {
        SNConv[] layer = new SNConv[1];
        StepGraph step = stepGraph(layer);
        float[] w = step.initialState().get(WEIGHT).floats();
        double[] u = toDouble(step.initialState().get(U).floats()), next = new double[OUT];
        double sMax = 0;
        for (int i = 0; i < 2000; i++) {
            sMax = powerStep(w, u, next);
            System.arraycopy(next, 0, u, 0, OUT);
        }
        Map<String, Tensor> feed = new LinkedHashMap<>(step.initialState());
        feed.put("x", GradCheck.randn(new Random(3), 2, IN, 6, 7));
        float sigma = 0;
        try (Ort ort = new Ort(step.model())) {
            for (int i = 0; i < 60; i++) {
                Map<String, Tensor> out = ort.run(feed);
                sigma = out.get("sigma").floats()[0];
                feed.put(U, out.get(StepBuilder.nextName(U)));
            }
        }
        assertEquals(sMax, sigma, 1e-4 * sMax);
        double[] u2 = toDouble(feed.get(U).floats());
        assertEquals(1.0, norm(u2), 1e-5);
    }

    /**
     * With u at the top singular vector, σ(W) = ‖W·normalize(Wᵀu)‖ has gradient u'vᵀ exactly (v moves
     * orthogonally to itself), so the constant-(u', v) gradient must match finite differences of the whole
     * forward, power iteration included.
     */
    @Test
    void gradientAtTheConvergedVectorMatchesFiniteDifferences() {
        Tensor w = GradCheck.randn(new Random(4), OUT, IN, K, K);
        Tensor u = Tensor.floats(toFloat(converged(w.floats())), OUT);
        Tensor x = GradCheck.randn(new Random(5), 1, IN, 4, 4);
        GradCheck.of("spectral norm").eps(3e-3).input("w", w).check((g, in) -> {
            ConstParams p = new ConstParams(g, true).with("u", u);
            SpectralNorm sn = new SpectralNorm(p, in.get(0));
            Value y = g.conv(g.constant(x), sn.weight(), null, ConvSpec.of(1, 1));
            assertEquals(sn.uNext(), p.updates.get(sn.u()), "u' is written in training graphs");
            return y;
        });
    }

    /**
     * SNConv in a training graph forms conv(x, W/σ) + b as conv(x, W)·(1/σ) + b where the output is smaller than
     * the weight: both forms against finite differences in x, W and b, and the chosen form checked by whether the
     * graph divides the whole weight.
     */
    @Test
    void snConvGradientMatchesFiniteDifferencesWhetherItScalesTheWeightOrTheOutput() {
        Tensor w = GradCheck.randn(new Random(8), OUT, IN, K, K);
        Tensor u = Tensor.floats(toFloat(converged(w.floats())), OUT);
        for (long[] xShape : new long[][] {{1, IN, 2, 2}, {2, IN, 6, 7}}) {
            boolean scalesOutput = xShape[2] == 2;
            GradCheck.of("snconv " + java.util.Arrays.toString(xShape)).eps(3e-3).input("x", xShape).input("w", w).input("b", OUT).check((g, in) -> {
                ConstParams constants = new ConstParams(g, true).with("c.u", u);
                Params p = new Params() {
                    public Graph graph() { return g; }
                    public Value param(String local, Init init, long... shape) { return local.equals("weight") ? in.get(1) : in.get(2); }
                    public Value buffer(String local, Init init, long... shape) { return constants.buffer(local, init, shape); }
                    public void update(Value buffer, Value next) { constants.update(buffer, next); }
                    public boolean training() { return true; }
                };
                Value y = new SNConv(p, "c", SNConv.Config.of(IN, OUT, K, 1)).forward(in.get(0));
                boolean dividesWeight = g.nodes().stream().anyMatch(n -> n.op().type().equals("Div") && java.util.Arrays.equals(n.out(0).shape(), w.shape));
                assertEquals(!scalesOutput, dividesWeight, "W/σ formed for input " + java.util.Arrays.toString(xShape));
                return y;
            });
        }
    }

    /** Away from convergence the gradient still treats u' and v as constants: R/σ − ⟨W, R⟩/σ² · u'vᵀ. */
    @Test
    void gradientTreatsTheSingularVectorsAsConstants() throws Exception {
        Graph g = new Graph("sn_grad");
        Value w = g.input("w", OUT, IN, K, K);
        ConstParams p = new ConstParams(g, false);
        SpectralNorm sn = new SpectralNorm(p, w);
        Tensor r = GradCheck.randn(new Random(6), OUT, IN, K, K), wt = GradCheck.randn(new Random(7), OUT, IN, K, K);
        Value grad = Gradients.of(g.sumAll(g.mul(sn.weight(), g.constant(r))), w);
        assertTrue(p.updates.isEmpty(), "inference graphs write no state");
        float[] got;
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("grad", grad)))) {
            got = ort.run(Map.of("w", wt)).get("grad").floats();
        }
        float[] wd = wt.floats(), rd = r.floats();
        int m = wd.length / OUT;
        double[] u2 = new double[OUT];
        double sigma = powerStep(wd, toDouble(p.values.get("u").floats()), u2);
        double[] v = new double[m];
        for (int o = 0; o < OUT; o++) for (int j = 0; j < m; j++) v[j] += wd[o * m + j] * p.values.get("u").floats()[o];
        scale(v, 1 / norm(v));
        double wr = 0;
        for (int i = 0; i < wd.length; i++) wr += wd[i] * rd[i];
        float[] ref = new float[wd.length];
        for (int o = 0; o < OUT; o++) for (int j = 0; j < m; j++) {
            ref[o * m + j] = (float) (rd[o * m + j] / sigma - wr / (sigma * sigma) * u2[o] * v[j]);
        }
        assertArrayEquals(ref, got, 1e-3f);
    }

    static double[] converged(float[] w) {
        double[] u = new double[OUT], next = new double[OUT];
        u[0] = 1;
        for (int i = 0; i < 2000; i++) {
            powerStep(w, u, next);
            System.arraycopy(next, 0, u, 0, OUT);
        }
        return u;
    }

    /** One power iteration from u on W [OUT, IN·K·K]: writes u' and returns σ = u'ᵀ W v. */
    static double powerStep(float[] w, double[] u, double[] uNext) {
        int m = w.length / OUT;
        double[] v = new double[m];
        for (int o = 0; o < OUT; o++) for (int j = 0; j < m; j++) v[j] += w[o * m + j] * u[o];
        scale(v, 1 / (norm(v) + 1e-12));
        double[] wv = new double[OUT];
        for (int o = 0; o < OUT; o++) for (int j = 0; j < m; j++) wv[o] += w[o * m + j] * v[j];
        System.arraycopy(wv, 0, uNext, 0, OUT);
        scale(uNext, 1 / (norm(uNext) + 1e-12));
        double s = 0;
        for (int o = 0; o < OUT; o++) s += uNext[o] * wv[o];
        return s;
    }

    static double norm(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return Math.sqrt(s);
    }

    static void scale(double[] a, double k) {
        for (int i = 0; i < a.length; i++) a[i] *= k;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }
}
