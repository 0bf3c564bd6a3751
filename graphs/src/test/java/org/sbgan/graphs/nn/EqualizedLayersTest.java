package org.sbgan.graphs.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Node;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest.StateKind;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

class EqualizedLayersTest {
    /** A two-layer block as G_seg builds them: conv, leaky ReLU, pixel norm, then a 1×1 head. */
    static Value block(Params p, Value x) {
        Graph g = p.graph();
        try (Graph.Scope s = g.scope("gseg"); Graph.Scope b = g.scope("block1")) {
            Value h = new EqualizedConv(p, "conv1", EqualizedConv.Config.of(3, 5, 3, 1)).forward(x);
            h = new PixelNorm(false).forward(g.leakyRelu(h, 0.2f));
            return new EqualizedConv(p, "toSeg", EqualizedConv.Config.of(5, 4, 1, 0).withGain(1f)).forward(h);
        }
    }

    @Test
    void stepAndInferenceGraphsDeclareTheSameParametersWithTheSameInitialValues() {
        StepBuilder sb = new StepBuilder("step");
        block(new StepParams(sb, 42), sb.batch("x", 2, 3, 6, 8));
        sb.metric("dummy", sb.graph().scalar(0f));
        StepGraph step = sb.build(null);
        Graph g = new Graph("infer");
        InferenceParams ip = new InferenceParams(g, 42);
        block(ip, g.input("x", -1, 3, 6, 8));
        Map<String, Tensor> inf = ip.initialValues();
        assertEquals(List.of("gseg.block1.conv1.weight", "gseg.block1.conv1.bias", "gseg.block1.toSeg.weight", "gseg.block1.toSeg.bias"),
                List.copyOf(inf.keySet()));
        for (String n : inf.keySet()) {
            assertEquals(inf.get(n), step.initialState().get(n), n);
            assertEquals(StateKind.PARAM, step.manifest().stateEntry(n).kind());
        }
        float[] w = inf.get("gseg.block1.conv1.weight").floats();
        double mean = 0, var = 0;
        for (float v : w) mean += v / w.length;
        for (float v : w) var += (v - mean) * (v - mean) / w.length;
        assertTrue(Math.abs(var - 1) < 0.35, "equalized weights are stored as N(0,1) samples, variance " + var);
        assertArrayEquals(new float[5], inf.get("gseg.block1.conv1.bias").floats());

        InferenceParams other = new InferenceParams(new Graph("other"), 43);
        block(other, other.graph().input("x", 1, 3, 6, 8));
        assertNotEquals(inf.get("gseg.block1.conv1.weight"), other.initialValues().get("gseg.block1.conv1.weight"));
        assertNotEquals(inf.get("gseg.block1.conv1.weight").floats()[0], inf.get("gseg.block1.toSeg.weight").floats()[0]);
    }

    @Test
    void forwardNodesAreNamedAfterTheirLayer() {
        Graph g = new Graph("names");
        InferenceParams p = new InferenceParams(g, 1);
        Value x = g.input("x", 1, 3, 6, 8);
        block(p, x);
        List<String> convs = g.nodes().stream().filter(n -> n.op().type().equals("Conv")).map(Node::name).toList();
        assertEquals(List.of("gseg.block1.conv1/Conv", "gseg.block1.toSeg/Conv"), convs);
    }

    @Test
    void forwardMatchesAJavaReference() throws Exception {
        Graph g = new Graph("ref");
        InferenceParams p = new InferenceParams(g, 5);
        Value x = g.input("x", 2, 3, 5, 7);
        EqualizedConv.Config cc = EqualizedConv.Config.of(3, 4, 3, 1).withStride(1, 2);
        Value conv = new EqualizedConv(p, "conv", cc).forward(x);
        Value flat = g.flatten(conv, 1);
        EqualizedLinear.Config lc = EqualizedLinear.Config.of(4 * 5 * 4, 3).withGain(0.5f);
        Value lin = new EqualizedLinear(p, "fc", lc).forward(flat);
        Value pn = new PixelNorm(false).forward(conv), pns = new PixelNorm(true).forward(conv);
        Tensor xt = GradCheck.randn(new Random(9), 2, 3, 5, 7);
        Map<String, Tensor> out;
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("conv", conv, "lin", lin, "pn", pn, "pns", pns), p.initialValues()))) {
            out = ort.run(Map.of("x", xt));
        }
        Map<String, Tensor> w = p.initialValues();
        float[] ref = conv(xt.floats(), 2, 3, 5, 7, w.get("conv.weight").floats(), cc.scale(), 4, 3, 1, 2, 1);
        assertArrayEquals(ref, out.get("conv").floats(), 1e-4f);
        float[] fw = w.get("fc.weight").floats();
        float[] linRef = new float[2 * 3];
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 3; o++) {
                double acc = 0;
                for (int i = 0; i < 80; i++) acc += ref[n * 80 + i] * fw[o * 80 + i] * lc.scale();
                linRef[n * 3 + o] = (float) acc;
            }
        }
        assertArrayEquals(linRef, out.get("lin").floats(), 1e-4f);
        float[] pnRef = new float[ref.length], pnsRef = new float[ref.length];
        int hw = 5 * 4;
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < hw; i++) {
                double ms = 0;
                for (int c = 0; c < 4; c++) ms += ref[(n * 4 + c) * hw + i] * ref[(n * 4 + c) * hw + i] / 4.0;
                for (int c = 0; c < 4; c++) {
                    int k = (n * 4 + c) * hw + i;
                    pnRef[k] = (float) (ref[k] / (ms + 1e-8));
                    pnsRef[k] = (float) (ref[k] / Math.sqrt(ms + 1e-8));
                }
            }
        }
        assertArrayEquals(pnRef, out.get("pn").floats(), 1e-3f);
        assertArrayEquals(pnsRef, out.get("pns").floats(), 1e-4f);
    }

    @Test
    void pixelNormGradientsMatchFiniteDifferences() {
        for (boolean sqrt : new boolean[] {false, true}) {
            GradCheck.of("pixelnorm sqrt=" + sqrt).input("x", 2, 5, 3, 4).check((g, x) -> new PixelNorm(sqrt).forward(x.get(0)));
            Random r = new Random(3);
            GradCheck.of("pixelnorm 2nd sqrt=" + sqrt).scalarLoss().eps(2e-3).tolerance(3e-3, 3e-2).input("x", 2, 4, 3, 3)
                    .check((g, x) -> {
                        Value y = new PixelNorm(sqrt).forward(x.get(0));
                        Value gx = Gradients.of(g.sumAll(g.mul(y, g.constant(GradCheck.randn(r, y.shape())))), x.get(0));
                        return g.sumAll(g.mul(gx, g.constant(GradCheck.randn(r, gx.shape()))));
                    });
        }
    }

    /** Plain NCHW convolution with bias 0 and weight·scale, for reference. */
    static float[] conv(float[] x, int n, int c, int h, int w, float[] wt, float scale, int o, int k, int sh, int sw, int pad) {
        int ho = (h + 2 * pad - k) / sh + 1, wo = (w + 2 * pad - k) / sw + 1;
        float[] y = new float[n * o * ho * wo];
        for (int b = 0; b < n; b++) for (int oc = 0; oc < o; oc++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
            double acc = 0;
            for (int ic = 0; ic < c; ic++) for (int u = 0; u < k; u++) for (int v = 0; v < k; v++) {
                int yy = i * sh + u - pad, xx = j * sw + v - pad;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                acc += x[((b * c + ic) * h + yy) * w + xx] * wt[((oc * c + ic) * k + u) * k + v] * scale;
            }
            y[((b * o + oc) * ho + i) * wo + j] = (float) acc;
        }
        return y;
    }
}
