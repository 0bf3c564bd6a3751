package org.sbgan.graphs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Attrs;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.ops.Op;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * Mistakes fail where they are made: a shape error while building names the op, its input shapes and the
 * layer in one line; a gradient through an op without a rule names that op and its node. Ops with integer
 * or boolean outputs carry no gradient (zeros, not errors), and StopGradient blocks exactly its operand.
 */
class BuildErrorsTest {

    // ---- shape errors at build time --------------------------------------------------------------------

    @Test
    void convChannelMismatchNamesOpShapesAndLayer() {
        Graph g = new Graph("gen");
        Value x = g.input("x", 8, 64, 32, 32);
        Value w = g.input("w", 64, 32, 3, 3);
        String msg;
        try (Graph.Scope a = g.scope("gseg"); Graph.Scope b = g.scope("block3")) {
            msg = buildError(g, gr -> gr.conv(x, w, null, ConvSpec.of(1, 1)));
        }
        assertOneLineMentioning(msg, "Conv", "[8,64,32,32]", "[64,32,3,3]", "gseg.block3");
        assertTrue(msg.contains("64 channels") && msg.contains("expects 32"), msg);
        assertEquals("", g.layer(), "scopes closed after the failure");
    }

    @Test
    void errorAtTopLevelNamesTheGraph() {
        Graph g = new Graph("critic");
        Value x = g.input("x", 2, 3, 8, 8);
        Value w = g.input("w", 4, 5, 3, 3);
        String msg = buildError(g, gr -> gr.conv(x, w, null, ConvSpec.of(1, 1)));
        assertOneLineMentioning(msg, "Conv", "[2,3,8,8]", "[4,5,3,3]", "graph 'critic'");
    }

    @Test
    void matmulInnerDimensionMismatch() {
        Graph g = new Graph("g");
        Value a = g.input("a", 4, 5), b = g.input("b", 6, 3);
        String msg;
        try (Graph.Scope s = g.scope("head")) {
            msg = buildError(g, gr -> gr.matmul(a, b));
        }
        assertOneLineMentioning(msg, "MatMul", "[4,5]", "[6,3]", "head", "5 vs 6");
    }

    @Test
    void gemmInnerDimensionMismatch() {
        Graph g = new Graph("g");
        Value a = g.input("a", 4, 5), b = g.input("b", 3, 6);
        String msg;
        try (Graph.Scope s = g.scope("fc")) {
            msg = buildError(g, gr -> gr.gemm(a, b, null, 1f, 1f, false, true));
        }
        assertOneLineMentioning(msg, "Gemm", "[4,5]", "[3,6]", "fc", "5 vs 6");
    }

    @Test
    void addBroadcastFailure() {
        Graph g = new Graph("g");
        Value a = g.input("a", 2, 3, 4), b = g.input("b", 2, 5, 4);
        String msg;
        try (Graph.Scope s = g.scope("enc")) {
            msg = buildError(g, gr -> gr.add(a, b));
        }
        assertOneLineMentioning(msg, "Add", "[2,3,4]", "[2,5,4]", "enc", "broadcast");
    }

    @Test
    void reshapeToWrongElementCount() {
        Graph g = new Graph("g");
        Value a = g.input("a", 2, 3, 4);
        String msg;
        try (Graph.Scope s = g.scope("dec")) {
            msg = buildError(g, gr -> gr.reshape(a, 5, 5));
        }
        assertOneLineMentioning(msg, "Reshape", "[2,3,4]", "dec", "24");
    }

    @Test
    void concatWithMismatchedDims() {
        Graph g = new Graph("g");
        Value a = g.input("a", 2, 3, 4), b = g.input("b", 2, 3, 5);
        String msg;
        try (Graph.Scope s = g.scope("skip")) {
            msg = buildError(g, gr -> gr.concat(1, a, b));
        }
        assertOneLineMentioning(msg, "Concat", "[2,3,4]", "[2,3,5]", "skip", "axis 2");
    }

    @Test
    void emptyConcatAndLowRankUpsampleAreNamedErrors() {
        Graph g = new Graph("g");
        Value v = g.input("v", 5);
        String concat, up;
        try (Graph.Scope s = g.scope("merge")) {
            concat = buildError(g, gr -> gr.concat(0));
            up = buildError(g, gr -> gr.upsampleNearest(v, 2, 2));
        }
        assertOneLineMentioning(concat, "Concat", "merge", "at least one input");
        assertOneLineMentioning(up, "Resize", "merge", "[5]");
    }

    @Test
    void convWeightOfWrongRankIsReportedByTheOp() {
        // The builder reads the kernel size from the weight; a 3-D weight must still give the op's message.
        Graph g = new Graph("g");
        Value x = g.input("x", 2, 3, 8, 8), w = g.input("w", 4, 3, 3);
        String conv, convT;
        try (Graph.Scope s = g.scope("dec")) {
            conv = buildError(g, gr -> gr.conv(x, w, null, ConvSpec.of(1, 1)));
            convT = buildError(g, gr -> gr.convTranspose(x, w, ConvSpec.of(2, 1), new long[] {1, 1}));
        }
        assertOneLineMentioning(conv, "Conv", "[2,3,8,8]", "[4,3,3]", "dec", "rank 4");
        assertOneLineMentioning(convT, "ConvTranspose", "[2,3,8,8]", "[4,3,3]", "dec", "rank 4");
    }

    @Test
    void softmaxAxisOutOfRangeFailsAtBuildTime() {
        // Otherwise the graph builds and ONNX Runtime rejects the model.
        Graph g = new Graph("g");
        Value x = g.input("x", 2, 5, 4, 4);
        String soft, logSoft;
        try (Graph.Scope s = g.scope("seg")) {
            soft = buildError(g, gr -> gr.softmax(x, 4));
            logSoft = buildError(g, gr -> gr.logSoftmax(x, -5));
        }
        assertOneLineMentioning(soft, "Softmax", "[2,5,4,4]", "seg", "axis 4");
        assertOneLineMentioning(logSoft, "LogSoftmax", "[2,5,4,4]", "seg", "axis -5");
        g.softmax(x, -1); // the valid range still builds
        g.logSoftmax(x, 3);
    }

    @Test
    void inputFromAnotherGraphIsNamed() {
        Graph g = new Graph("g"), other = new Graph("other");
        Value x = g.input("x", 2, 3), z = other.input("z", 2, 3);
        String msg;
        try (Graph.Scope s = g.scope("enc")) {
            msg = buildError(g, gr -> gr.add(x, z));
        }
        assertOneLineMentioning(msg, "Add", "enc", "'z'", "'other'");
    }

    // ---- gradients through ops without rules -------------------------------------------------------------

    /** Every float → float op of the catalog has a rule, so the test builds one without: Erf. */
    private static final Op ERF = Op.nonDifferentiable("Erf", (in, a) -> List.of(new Op.Out(in.get(0).dtype(), in.get(0).shape())));

    @Test
    void gradientThroughOpWithoutRuleNamesTheOpAndNode() {
        Graph g = new Graph("g");
        Value x = g.input("x", 2, 3);
        Value y;
        try (Graph.Scope s = g.scope("enc")) {
            y = g.apply1(ERF, Attrs.NONE, g.mul(x, 2f));
        }
        Value loss = g.sumAll(g.mul(y, y));
        GraphBuildException e = assertThrows(GraphBuildException.class, () -> Gradients.of(loss, x));
        assertOneLineMentioning(e.getMessage(), "Erf", "'enc/Erf'", "layer 'enc'", "'x'");
    }

    @Test
    void opWithoutRuleOffThePathIsFine() {
        // Only nodes between the wrt values and the loss are visited: Erf(x) does not matter for d/dz.
        Graph g = new Graph("g");
        Value x = g.input("x", 2, 3), z = g.input("z", 2, 3);
        Value loss = g.add(g.sumAll(g.apply1(ERF, Attrs.NONE, x)), g.sumAll(g.mul(z, z)));
        Value dz = Gradients.of(loss, z);
        Tensor zv = Tensor.floats(new float[] {1, -2, 3, -4, 5, -6}, 2, 3);
        Map<String, Tensor> res = run(g, Map.of("dz", dz, "loss", loss), Map.of("x", Tensor.zeros(2, 3), "z", zv));
        assertArrayEquals(new float[] {2, -4, 6, -8, 10, -12}, res.get("dz").floats(), 0f);
        assertEquals(91f, res.get("loss").floats()[0], 1e-5f, "Erf(0) = 0 contributes nothing");
    }

    // ---- integer and boolean values carry no gradient -------------------------------------------------------

    @Test
    void argMaxOneHotGivesZeroGradient() {
        Random r = new Random(1);
        Graph g = new Graph("g");
        Value x = g.input("x", 2, 5, 3);
        Value hot = g.oneHot(g.argMax(x, 1, false), 5, 1);
        Tensor proj = GradCheck.randn(r, 2, 5, 3);
        Value loss = g.sumAll(g.mul(hot, g.constant("R", proj)));
        Value dx = Gradients.of(loss, x);
        // The same selection applied to x itself: the gradient flows through x, not through the indices.
        Value picked = g.sumAll(g.mul(hot, x));
        Value dPicked = Gradients.of(picked, x);
        Tensor xv = GradCheck.randn(r, 2, 5, 3);
        Map<String, Tensor> res = run(g, Map.of("dx", dx, "loss", loss, "hot", hot, "dpicked", dPicked), Map.of("x", xv));

        assertArrayEquals(new float[30], res.get("dx").floats(), 0f, "argmax → one-hot carries no gradient");
        float[] h = res.get("hot").floats();
        double expectedLoss = 0;
        for (int b = 0; b < 2; b++) {
            for (int px = 0; px < 3; px++) {
                int best = 0;
                for (int c = 1; c < 5; c++) if (xv.floats()[(b * 5 + c) * 3 + px] > xv.floats()[(b * 5 + best) * 3 + px]) best = c;
                for (int c = 0; c < 5; c++) assertEquals(c == best ? 1f : 0f, h[(b * 5 + c) * 3 + px], 0f);
                expectedLoss += proj.floats()[(b * 5 + best) * 3 + px];
            }
        }
        assertEquals(expectedLoss, res.get("loss").floats()[0], 1e-5, "the forward value is not zero");
        assertArrayEquals(h, res.get("dpicked").floats(), 0f, "d(Σ onehot ⊙ x)/dx = onehot");
    }

    @Test
    void comparisonsGiveZeroGradient() {
        Graph g = new Graph("g");
        Value x = g.input("x", 2, 3);
        Value mask = g.cast(g.greater(x, 0f), DType.FLOAT);
        Value loss = g.sumAll(g.mul(mask, g.constant("R", Tensor.floats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))));
        Value dx = Gradients.of(loss, x);
        Map<String, Tensor> res = run(g, Map.of("dx", dx, "loss", loss),
                Map.of("x", Tensor.floats(new float[] {1, -1, 1, -1, 1, -1}, 2, 3)));
        assertArrayEquals(new float[6], res.get("dx").floats(), 0f);
        assertEquals(1 + 3 + 5, res.get("loss").floats()[0], 0f);
    }

    // ---- StopGradient --------------------------------------------------------------------------------------

    @Test
    void stopGradientBlocksItsOperandOnly() {
        Graph g = new Graph("g");
        Value x = g.input("x", 2, 3), y = g.input("y", 2, 3);
        // loss = Σ sg(x)·x + Σ sg(y)² + Σ 3·y : d/dx = x (not 2x), d/dy = 3 (nothing through sg(y)²).
        Value sy = g.stopGradient(y);
        Value loss = g.add(g.add(g.sumAll(g.mul(g.stopGradient(x), x)), g.sumAll(g.mul(sy, sy))), g.sumAll(g.mul(y, 3f)));
        List<Value> d = Gradients.of(loss, List.of(x, y));
        // Blocked entirely: a loss that reaches x only through StopGradient gives zeros.
        Value blocked = Gradients.of(g.sumAll(g.exp(g.stopGradient(x))), x);
        float[] xv = {0.5f, -1.5f, 2f, -3f, 4f, 0.25f}, yv = {1, 2, 3, 4, 5, 6};
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("dx", d.get(0));
        outs.put("dy", d.get(1));
        outs.put("blocked", blocked);
        outs.put("loss", loss);
        Map<String, Tensor> res = run(g, outs, Map.of("x", Tensor.floats(xv, 2, 3), "y", Tensor.floats(yv, 2, 3)));
        assertArrayEquals(xv, res.get("dx").floats(), 1e-6f);
        assertArrayEquals(new float[] {3, 3, 3, 3, 3, 3}, res.get("dy").floats(), 0f);
        assertArrayEquals(new float[6], res.get("blocked").floats(), 0f);
        double expected = 0;
        for (int i = 0; i < 6; i++) expected += xv[i] * xv[i] + yv[i] * yv[i] + 3 * yv[i];
        assertEquals(expected, res.get("loss").floats()[0], 1e-4, "StopGradient is the identity forward");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** Runs a build step that must fail; checks the graph gained no node. */
    private static String buildError(Graph g, Consumer<Graph> step) {
        int before = g.nodes().size();
        GraphBuildException e = assertThrows(GraphBuildException.class, () -> step.accept(g));
        assertEquals(before, g.nodes().size(), "a failed op must not be added to the graph");
        return e.getMessage();
    }

    private static void assertOneLineMentioning(String msg, String... parts) {
        assertFalse(msg.contains("\n") || msg.contains("\r"), "message must be one line: " + msg);
        for (String p : parts) assertTrue(msg.contains(p), "message lacks '" + p + "': " + msg);
    }

    private static Map<String, Tensor> run(Graph g, Map<String, Value> outputs, Map<String, Tensor> feed) {
        try (Ort ort = new Ort(OnnxExport.model(g, outputs))) {
            return ort.run(feed);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
