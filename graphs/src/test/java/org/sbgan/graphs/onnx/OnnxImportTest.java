package org.sbgan.graphs.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;
import org.sbgan.graphs.testing.TinyVgg;

/** ONNX import: a model file inlined into a Graph computes what ONNX Runtime computes on the file. */
class OnnxImportTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> ort(OnnxMl.ModelProto m, Map<String, Tensor> feed) throws Exception {
        try (Ort o = new Ort(m)) {
            return o.run(feed);
        }
    }

    private static void assertClose(Tensor want, Tensor got, double tol, String what) {
        assertArrayEquals(want.shape, got.shape, what);
        float[] a = want.floats(), b = got.floats();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], tol, what + "[" + i + "]");
    }

    @Test
    void importedVggTapsMatchOrtOnTheFile() throws Exception {
        Path file = TinyVgg.write(dir, 2, 11);
        Tensor img = TinyVgg.image(new Random(3), 2);
        Map<String, Tensor> direct = ort(OnnxImport.read(file), Map.of("image", img));

        Graph g = new Graph("host");
        Value x = g.input("x", 2, 3, TinyVgg.SIZE, TinyVgg.SIZE);
        Map<String, Value> vals = OnnxImport.apply(g, file, x, "vgg.");
        assertSame(x, vals.get("image"));
        assertTrue(vals.get("vgg.features.0.weight") == null && vals.get("features.0.weight").isConstant());
        assertEquals("vgg.features.0.weight", vals.get("features.0.weight").name());
        Map<String, Value> outs = new LinkedHashMap<>();
        for (String t : TinyVgg.TAPS) outs.put("o_" + t, vals.get(t));
        Map<String, Tensor> res = ort(OnnxExport.model(g, outs), Map.of("x", img));
        for (String t : TinyVgg.TAPS) assertClose(direct.get(t), res.get("o_" + t), 1e-5, t);

        // A second import with the same prefix shares the weights.
        int constants = g.constants().size();
        Map<String, Value> again = OnnxImport.apply(g, file, g.input("y", 1, 3, 16, 16), "vgg.");
        assertSame(vals.get("features.0.weight"), again.get("features.0.weight"));
        assertEquals(constants, g.constants().size());
        assertArrayEquals(new long[] {1, 8, 2, 2}, again.get("relu4_1").shape());
    }

    /** Pooling, Flatten, Gemm, arithmetic, Reshape, Identity, and a hand-added Dropout and Constant. */
    @Test
    void headOpsMatchOrt() throws Exception {
        Random r = new Random(4);
        Graph src = new Graph("head");
        Value x = src.input("x", 2, 4, 4, 4);
        Value h = src.avgPool(x, PoolSpec.of(3, 1, 1, false));
        h = src.maxPool(h, PoolSpec.of(2, 2, 0, false));
        h = src.avgPool(h, PoolSpec.of(3, 1, 1, true));
        h = src.flatten(h, 1);
        h = src.gemm(h, src.constant("fc.w", GradCheck.randn(r, 10, 16)), src.constant("fc.b", GradCheck.randn(r, 10)), 0.7f, 0.5f, false, true);
        h = src.gemm(h, src.constant("fc2.w", GradCheck.randn(r, 10, 6)), null, 1f, 1f, false, false);
        h = src.add(h, src.constant("a", GradCheck.randn(r, 6)));
        h = src.mul(h, src.constant("m", GradCheck.randn(r, 2, 6)));
        h = src.sub(h, 0.25f);
        h = src.div(h, 1.5f);
        h = src.identity(src.reshape(h, 0, 3, -1));
        OnnxMl.ModelProto base = OnnxExport.model(src, Map.of("out", h));
        OnnxMl.GraphProto.Builder gb = base.getGraph().toBuilder();
        gb.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Constant").setName("k").addOutput("k")
                .addAttribute(OnnxExport.attribute("value", Tensor.floats(new float[] {2f, -1f}, 2))));
        gb.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").setName("times_k").addInput("out").addInput("k").addOutput("scaled"));
        gb.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Dropout").setName("drop").addInput("scaled").addOutput("dropped"));
        gb.addOutput(OnnxExport.valueInfo("dropped", DType.FLOAT, new long[] {2, 3, 2}));
        OnnxMl.ModelProto model = base.toBuilder().setGraph(gb).build();

        Tensor in = GradCheck.randn(r, 2, 4, 4, 4);
        Map<String, Tensor> direct = ort(model, Map.of("x", in));
        Graph g = new Graph("host");
        Value xi = g.input("xi", 2, 4, 4, 4);
        Map<String, Value> vals = OnnxImport.apply(g, model, "head.onnx", xi, "head.");
        Map<String, Tensor> res = ort(OnnxExport.model(g, Map.of("o", vals.get("out"), "d", vals.get("dropped"))), Map.of("xi", in));
        assertClose(direct.get("out"), res.get("o"), 1e-5, "out");
        assertClose(direct.get("dropped"), res.get("d"), 1e-5, "dropped");
    }

    @Test
    void unsupportedOpFailsWithOneLineNamingOpNodeAndFile() throws Exception {
        OnnxMl.GraphProto.Builder gb = OnnxMl.GraphProto.newBuilder().setName("erf")
                .addInput(OnnxExport.valueInfo("x", DType.FLOAT, new long[] {1, 3, 4, 4}))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Relu").setName("r").addInput("x").addOutput("y"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Erf").setName("erf_node").addInput("y").addOutput("z"))
                .addOutput(OnnxExport.valueInfo("z", DType.FLOAT, new long[] {1, 3, 4, 4}));
        OnnxMl.ModelProto m = OnnxMl.ModelProto.newBuilder().setIrVersion(10).setGraph(gb)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(21)).build();
        Path file = dir.resolve("erf_model.onnx");
        OnnxExport.write(m, file);
        Graph g = new Graph("host");
        Value x = g.input("x", 1, 3, 4, 4);
        GraphBuildException e = assertThrows(GraphBuildException.class, () -> OnnxImport.apply(g, file, x, "m."));
        String msg = e.getMessage();
        assertTrue(msg.contains("'Erf'") && msg.contains("erf_node") && msg.contains("erf_model.onnx"), msg);
        assertFalse(msg.contains("\n"), msg);
    }

    @Test
    void nonFloatInitializersAndUnsupportedAttributesAreRejected() {
        OnnxMl.TensorProto dbl = OnnxMl.TensorProto.newBuilder().setName("w").setDataType(11).addDims(1).addDoubleData(1.0).build();
        OnnxMl.ModelProto m = OnnxMl.ModelProto.newBuilder().setGraph(OnnxMl.GraphProto.newBuilder()
                .addInput(OnnxExport.valueInfo("x", DType.FLOAT, new long[] {1}))
                .addInitializer(dbl)).build();
        Graph g = new Graph("host");
        Value x = g.input("x", 1);
        GraphBuildException e = assertThrows(GraphBuildException.class, () -> OnnxImport.apply(g, m, "dbl.onnx", x, "p."));
        assertTrue(e.getMessage().contains("initializer 'w'") && e.getMessage().contains("float32"), e.getMessage());

        OnnxMl.TensorProto w = OnnxExport.tensor("w", GradCheck.randn(new Random(1), 2, 2, 3, 3));
        OnnxMl.ModelProto grouped = OnnxMl.ModelProto.newBuilder().setGraph(OnnxMl.GraphProto.newBuilder()
                .addInput(OnnxExport.valueInfo("x", DType.FLOAT, new long[] {1, 4, 5, 5})).addInitializer(w)
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Conv").setName("gconv").addInput("x").addInput("w").addOutput("y")
                        .addAttribute(OnnxExport.attribute("group", 2L)))).build();
        Value x4 = g.input("x4", 1, 4, 5, 5);
        e = assertThrows(GraphBuildException.class, () -> OnnxImport.apply(g, grouped, "g.onnx", x4, "q."));
        assertTrue(e.getMessage().contains("group") && e.getMessage().contains("gconv"), e.getMessage());

        // float_data initializers are read too.
        OnnxMl.TensorProto fd = OnnxMl.TensorProto.newBuilder().setName("f").setDataType(1).addDims(2).addFloatData(1.5f).addFloatData(-2f).build();
        assertArrayEquals(new float[] {1.5f, -2f}, OnnxImport.tensor(fd, "f", "t").floats());
        assertEquals(List.of(), OnnxImport.outputsOfOpType(m, "Relu"));
    }
}
