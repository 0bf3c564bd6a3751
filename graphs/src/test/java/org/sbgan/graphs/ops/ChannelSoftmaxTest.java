package org.sbgan.graphs.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sbgan.graphs.ir.Attrs;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * A softmax over the class axis of an NCHW map is built as the model-local ChannelSoftmax function and computes
 * what ONNX's Softmax over axis 1 computes, also for logits far outside exp's range (its gradient is checked
 * against finite differences, first and second order, in ElementwiseGradTest and SecondOrderTest).
 */
class ChannelSoftmaxTest {

    @ParameterizedTest(name = "logits × {0}")
    @ValueSource(floats = {1f, 300f})
    void matchesOnnxSoftmaxOverAxisOne(float scale) throws Exception {
        long[] shape = {2, 8, 5, 6};
        Graph g = new Graph("channel_softmax");
        Value x = g.mul(g.input("x", shape), scale);
        Value mine = g.softmax(x, 1);
        Value onnx = g.apply1(Elementwise.SOFTMAX, Attrs.of("axis", 1), x);
        OnnxMl.ModelProto model = OnnxExport.model(g, Map.of("mine", mine, "onnx", onnx));
        assertTrue(model.getFunctionsList().stream().anyMatch(f -> f.getName().equals("ChannelSoftmax")), "function exported");
        assertTrue(model.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("ChannelSoftmax")), "called");

        Tensor in = GradCheck.randn(new Random(7), shape);
        Map<String, Tensor> out;
        try (Ort ort = new Ort(model)) {
            out = ort.run(Map.of("x", in));
        }
        float[] a = out.get("mine").floats(), b = out.get("onnx").floats();
        for (int i = 0; i < a.length; i++) {
            assertTrue(Float.isFinite(a[i]), "finite at " + i);
            assertEquals(b[i], a[i], 1e-6f, "element " + i);
        }
    }
}
