package org.sbgan.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnx.proto.OnnxMl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.ops.GumbelSoftmaxST;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * The straight-through Gumbel-softmax: forward exactly one-hot at argmax((log(p + 1e-5) + noise) / T)
 * over axis 1 (run in ONNX Runtime through the model-local function), gradient equal to that of the
 * tempered softmax, which is itself checked against finite differences, and differentiable again.
 */
class GumbelSoftmaxSTTest {

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (long[] shape : new long[][] {{2, 5, 3, 4}, {1, 8, 4, 8}}) {
            for (float t : new float[] {0.5f, 1f, 2f}) b.add(Arguments.of(shape, t));
        }
        return b.build();
    }

    @ParameterizedTest(name = "shape {0}, T = {1}")
    @MethodSource("cases")
    void forwardIsExactlyOneHotAtTheArgmax(long[] shape, float t) {
        Random r = new Random(31 * shape[1] + (long) (4 * t));
        Tensor p = probabilities(r, shape);
        Tensor noise = gumbel(r, p, t);
        Graph g = new Graph("gst_forward");
        Value y = g.gumbelSoftmaxST(g.input("p", shape), g.input("noise", shape), t);
        float[] out = run(g, Map.of("y", y), Map.of("p", p, "noise", noise)).get("y").floats();

        int classes = (int) shape[1], pixels = (int) (p.numel() / shape[0] / classes);
        for (int b = 0; b < shape[0]; b++) {
            for (int px = 0; px < pixels; px++) {
                int expected = argmax(logits(p, noise, t, b, px, shape));
                for (int c = 0; c < classes; c++) {
                    float v = out[index(b, c, px, classes, pixels)];
                    assertEquals(c == expected ? 1f : 0f, v, 0f,
                            "sample " + b + ", pixel " + px + ", class " + c + " (argmax is " + expected + ")");
                }
            }
        }
    }

    @ParameterizedTest(name = "shape {0}, T = {1}")
    @MethodSource("cases")
    void gradientIsTheTemperedSoftmaxGradient(long[] shape, float t) {
        Random r = new Random(17 * shape[1] + (long) (4 * t));
        Tensor p = probabilities(r, shape);
        Tensor noise = gumbel(r, p, t);
        Graph g = new Graph("gst_gradient");
        Value pin = g.input("p", shape), nin = g.input("noise", shape);
        Value proj = g.constant("R", GradCheck.randn(r, shape));
        Value hard = g.sumAll(g.mul(proj, g.gumbelSoftmaxST(pin, nin, t)));
        Value soft = g.sumAll(g.mul(proj, GumbelSoftmaxST.temperedSoftmax(g, pin, nin, t)));
        List<Value> dHard = Gradients.of(hard, List.of(pin, nin));
        List<Value> dSoft = Gradients.of(soft, List.of(pin, nin));
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("hard_dp", dHard.get(0));
        outs.put("hard_dnoise", dHard.get(1));
        outs.put("soft_dp", dSoft.get(0));
        outs.put("soft_dnoise", dSoft.get(1));
        Map<String, Tensor> res = run(g, outs, Map.of("p", p, "noise", noise));
        for (String which : new String[] {"dp", "dnoise"}) {
            float[] h = res.get("hard_" + which).floats(), s = res.get("soft_" + which).floats();
            assertEquals(s.length, h.length);
            double largest = 0;
            for (int i = 0; i < h.length; i++) {
                largest = Math.max(largest, Math.abs(s[i]));
                if (Math.abs(h[i] - s[i]) > 1e-6 + 1e-5 * Math.abs(s[i])) {
                    fail(which + "[" + i + "]: straight-through gradient " + h[i] + ", tempered-softmax gradient " + s[i]);
                }
            }
            assertTrue(largest > 1e-3, which + " gradient vanishes; the comparison would be vacuous");
        }
    }

    @Test
    void temperedSoftmaxGradientMatchesFiniteDifferences() {
        for (float t : new float[] {0.5f, 1f, 2f}) {
            Random r = new Random(5 + (long) (4 * t));
            long[] shape = {2, 5, 3, 2};
            Tensor p = probabilities(r, shape);
            // p ≥ 0.05 keeps p ± eps well inside log's domain and its curvature modest.
            GradCheck.of("tempered_softmax_T" + t).eps(2e-3).tolerance(2e-3, 2e-2)
                    .input("p", p).input("noise", gumbel(r, p, t))
                    .check((g, in) -> GumbelSoftmaxST.temperedSoftmax(g, in.get(0), in.get(1), t));
        }
    }

    @Test
    void exportedModelCallsAModelLocalFunctionWithTemperatureAttribute() {
        Graph g = new Graph("gst_export");
        long[] shape = {1, 4, 2, 2};
        Value y = g.gumbelSoftmaxST(g.input("p", shape), g.input("noise", shape), 0.7f);
        OnnxMl.ModelProto m = OnnxExport.model(g, Map.of("y", y));

        assertEquals(1, m.getFunctionsCount(), "one FunctionProto");
        OnnxMl.FunctionProto f = m.getFunctions(0);
        assertEquals(GumbelSoftmaxST.DOMAIN, f.getDomain());
        assertEquals("org.sbgan", f.getDomain());
        assertEquals("GumbelSoftmaxST", f.getName());
        assertTrue(f.getAttributeProtoList().stream().anyMatch(a -> a.getName().equals("T"))
                || f.getAttributeList().contains("T"), "function declares attribute T");
        assertTrue(f.getNodeList().stream().flatMap(n -> n.getAttributeList().stream())
                .anyMatch(a -> a.getRefAttrName().equals("T")), "function body refers to T");
        assertTrue(f.getNodeList().stream().anyMatch(n -> n.getOpType().equals("ArgMax"))
                && f.getNodeList().stream().anyMatch(n -> n.getOpType().equals("OneHot")), "body is argmax → one-hot");
        assertTrue(m.getOpsetImportList().stream().anyMatch(o -> o.getDomain().equals("org.sbgan")), "org.sbgan opset imported");

        OnnxMl.NodeProto call = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("GumbelSoftmaxST"))
                .findFirst().orElseThrow();
        assertEquals("org.sbgan", call.getDomain());
        OnnxMl.AttributeProto t = call.getAttributeList().stream().filter(a -> a.getName().equals("T")).findFirst().orElseThrow();
        assertEquals(0.7f, t.getF(), 0f);
        // ...and ONNX Runtime accepts it.
        Random r = new Random(3);
        Tensor p = probabilities(r, shape);
        float[] out = run(g, Map.of("y", y), Map.of("p", p, "noise", gumbel(r, p, 0.7f))).get("y").floats();
        double sum = 0;
        for (float v : out) sum += v;
        assertEquals(4, sum, 0, "one 1 per pixel");
    }

    /**
     * Second order: mean_b (‖d(Σ R ⊙ GST(softmax(l), noise))/dl‖ − 1)², differentiated again with respect to
     * the logits l and the noise. The penalty is built from the straight-through gradient, so it is smooth
     * (it never sees the argmax) and finite differences apply.
     */
    @Test
    void gradientPenaltyThroughTheStraightThroughGradient() {
        for (float t : new float[] {0.5f, 2f}) {
            Random r = new Random(23 + (long) (4 * t));
            long[] shape = {2, 4, 2, 3};
            Tensor l = GradCheck.randn(r, shape);
            Tensor noise = gumbel(r, Tensor.filled(0.25f, shape), t);
            Tensor proj = GradCheck.randn(r, shape);
            GradCheck.of("gst_penalty_T" + t).scalarLoss().eps(2e-3).tolerance(2e-3, 2e-2)
                    .input("l", l).input("noise", noise)
                    .check((g, in) -> SecondOrderTest.gradientPenalty(g, in.get(0),
                            x -> g.sumAll(g.mul(g.gumbelSoftmaxST(g.softmax(x, 1), in.get(1), t), g.constant(proj)))));
        }
    }

    // ---- data and the plain-Java reference ---------------------------------------------------------------

    /** Positive class probabilities in [0.05, 1), normalised over axis 1. */
    private static Tensor probabilities(Random r, long[] shape) {
        float[] d = new float[Math.toIntExact(Shapes.numel(shape))];
        for (int i = 0; i < d.length; i++) d[i] = 0.05f + 0.95f * r.nextFloat();
        int classes = (int) shape[1], pixels = (int) (d.length / shape[0] / classes);
        for (int b = 0; b < shape[0]; b++) {
            for (int px = 0; px < pixels; px++) {
                float s = 0;
                for (int c = 0; c < classes; c++) s += d[index(b, c, px, classes, pixels)];
                for (int c = 0; c < classes; c++) d[index(b, c, px, classes, pixels)] /= s;
            }
        }
        return Tensor.floats(d, shape);
    }

    /**
     * Gumbel(0, 1) noise −log(−log u). Where the two largest logits of a pixel come within 1e-3 of each
     * other the pixel's noise is drawn again: ONNX Runtime's float log may round differently from Java's,
     * and such a near-tie would let rounding, not the op, decide the argmax.
     */
    private static Tensor gumbel(Random r, Tensor p, float t) {
        long[] shape = p.shape;
        float[] d = new float[p.floats().length];
        Tensor noise = Tensor.floats(d, shape);
        int classes = (int) shape[1], pixels = (int) (d.length / shape[0] / classes);
        for (int b = 0; b < shape[0]; b++) {
            for (int px = 0; px < pixels; px++) {
                do {
                    for (int c = 0; c < classes; c++) {
                        d[index(b, c, px, classes, pixels)] = (float) -Math.log(-Math.log(1e-6 + (1 - 2e-6) * r.nextDouble()));
                    }
                } while (topTwoGap(logits(p, noise, t, b, px, shape)) < 1e-3);
            }
        }
        return noise;
    }

    /** (log(p + 1e-5) + noise) / T over the classes of one pixel, in float as the model computes it. */
    private static float[] logits(Tensor p, Tensor noise, float t, int b, int px, long[] shape) {
        int classes = (int) shape[1], pixels = (int) (p.numel() / shape[0] / classes);
        float[] z = new float[classes];
        for (int c = 0; c < classes; c++) {
            int i = index(b, c, px, classes, pixels);
            z[c] = ((float) Math.log(p.floats()[i] + GumbelSoftmaxST.EPS) + noise.floats()[i]) / t;
        }
        return z;
    }

    private static int argmax(float[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
        return best;
    }

    private static double topTwoGap(float[] z) {
        int best = argmax(z);
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < z.length; i++) if (i != best) second = Math.max(second, z[i]);
        return z[best] - second;
    }

    private static int index(int b, int c, int px, int classes, int pixels) {
        return (b * classes + c) * pixels + px;
    }

    private static Map<String, Tensor> run(Graph g, Map<String, Value> outputs, Map<String, Tensor> feed) {
        try (Ort ort = new Ort(OnnxExport.model(g, outputs))) {
            return ort.run(feed);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
