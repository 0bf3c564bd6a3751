package org.sbgan.graphs.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxImport;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;
import org.sbgan.graphs.testing.TinyVgg;

/** VGG perceptual loss (docs/METHOD.md §2) over a small VGG-shaped ONNX file, checked in ONNX Runtime. */
class VggLossTest {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    @TempDir
    Path dir;

    private static Tensor normalized(Tensor img) {
        float[] d = img.floats().clone();
        long hw = img.shape[2] * img.shape[3];
        for (int i = 0; i < d.length; i++) {
            int c = (int) ((i / hw) % 3);
            d[i] = ((d[i] + 1) / 2 - MEAN[c]) / STD[c];
        }
        return Tensor.floats(d, img.shape);
    }

    @Test
    void valueEqualsPlainComputationFromOrtTaps() throws Exception {
        Path file = TinyVgg.write(dir, 2, 21);
        OnnxMl.ModelProto vgg = OnnxImport.read(file);
        Random r = new Random(8);
        Tensor fake = TinyVgg.image(r, 2), real = TinyVgg.image(r, 2);
        double want = 0;
        try (Ort ort = new Ort(vgg)) {
            Map<String, Tensor> tf = ort.run(Map.of("image", normalized(fake))), tr = ort.run(Map.of("image", normalized(real)));
            for (int i = 0; i < TinyVgg.TAPS.size(); i++) {
                float[] a = tf.get(TinyVgg.TAPS.get(i)).floats(), b = tr.get(TinyVgg.TAPS.get(i)).floats();
                double l1 = 0;
                for (int k = 0; k < a.length; k++) l1 += Math.abs(a[k] - b[k]);
                want += VggLoss.WEIGHTS.get(i) * l1 / a.length;
            }
        }
        want *= 10;

        Graph g = new Graph("vgg_value");
        Value f = g.input("fake", 2, 3, 16, 16), re = g.input("real", 2, 3, 16, 16);
        Value loss = VggLoss.loss(g, vgg, file.toString(), "vgg.", VggLoss.Config.of(TinyVgg.TAPS), f, re);
        Map<String, Tensor> res = LossRun.run(g, Map.of("loss", loss), Map.of("fake", fake, "real", real));
        assertTrue(want > 0.1, "degenerate test: loss " + want);
        assertEquals(want, LossRun.scalar(res, "loss"), 1e-5 * want + 1e-6);
    }

    @Test
    void gradientWrtFakeMatchesFiniteDifferences() throws Exception {
        OnnxMl.ModelProto vgg = OnnxImport.read(TinyVgg.write(dir, 1, 22));
        Random r = new Random(12);
        Tensor fake = TinyVgg.image(r, 1), real = TinyVgg.image(r, 1);
        GradCheck.of("vgg_grad").scalarLoss().probes(40).eps(1e-3).tolerance(2e-3, 5e-2).input("fake", fake)
                .check((g, p) -> VggLoss.loss(g, vgg, "tiny_vgg.onnx", "vgg.", VggLoss.Config.of(TinyVgg.TAPS), p.get(0),
                        g.constant("real", real)));
    }

    @Test
    void realImageGetsNoGradientAndFakeDoes() throws Exception {
        OnnxMl.ModelProto vgg = OnnxImport.read(TinyVgg.write(dir, 1, 23));
        Random r = new Random(10);
        Graph g = new Graph("vgg_stop");
        Value f = g.input("fake", 1, 3, 16, 16), re = g.input("real", 1, 3, 16, 16);
        Value loss = VggLoss.loss(g, vgg, "tiny_vgg.onnx", "vgg.", VggLoss.Config.of(TinyVgg.TAPS), f, re);
        List<Value> grads = Gradients.of(loss, List.of(re, f));
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("dreal", grads.get(0));
        outs.put("dfake", grads.get(1));
        Map<String, Tensor> res = LossRun.run(g, outs, Map.of("fake", TinyVgg.image(r, 1), "real", TinyVgg.image(r, 1)));
        for (float v : res.get("dreal").floats()) assertEquals(0f, v);
        double norm = 0;
        for (float v : res.get("dfake").floats()) norm += Math.abs(v);
        assertTrue(norm > 0, "fake image gets a gradient");
    }

    @Test
    void configs() {
        // A VGG19-like node list: 16 Relus, taps at the 1st, 3rd, 5th, 9th and 13th.
        OnnxMl.GraphProto.Builder gb = OnnxMl.GraphProto.newBuilder();
        List<String> relus = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            gb.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Conv").addOutput("c" + i));
            gb.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Relu").addOutput("/features/" + i + "/Relu_output_0"));
            relus.add("/features/" + i + "/Relu_output_0");
        }
        VggLoss.Config c = VggLoss.Config.vgg19ByReluOrder(OnnxMl.ModelProto.newBuilder().setGraph(gb).build());
        assertEquals(List.of(relus.get(0), relus.get(2), relus.get(4), relus.get(8), relus.get(12)), c.taps());
        assertEquals(VggLoss.WEIGHTS, c.weights());
        assertEquals(10f, c.lambda());
        assertThrows(IllegalArgumentException.class, () -> new VggLoss.Config(List.of("a"), List.of(1f, 2f), 10f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VggLoss.Config.vgg19ByReluOrder(OnnxMl.ModelProto.getDefaultInstance()));
        assertTrue(e.getMessage().contains("Relu"), e.getMessage());
    }

    @Test
    void unknownTapIsNamed() throws Exception {
        OnnxMl.ModelProto vgg = OnnxImport.read(TinyVgg.write(dir, 1, 24));
        Graph g = new Graph("vgg_tap");
        Value f = g.input("fake", 1, 3, 16, 16), re = g.input("real", 1, 3, 16, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VggLoss.loss(g, vgg, "tiny_vgg.onnx", "vgg.",
                VggLoss.Config.of(List.of("relu1_1", "nope", "relu3_1", "relu4_1", "relu5_1")), f, re));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("tiny_vgg.onnx"), e.getMessage());
    }
}
