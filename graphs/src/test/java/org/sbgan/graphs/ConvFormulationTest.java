package org.sbgan.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
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
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.ops.ConvGradients;
import org.sbgan.graphs.ops.Nn;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * Every convolution-gradient formulation ({@link Nn.WeightGrad} for dW, {@link Nn.StridedDx} for strided dX,
 * {@link Nn.Stride1Dx} for stride-1 dX)
 * against finite differences, differentiated once and twice, and all formulations against each other.
 */
class ConvFormulationTest {
    /** Strides and pads [top, left, bottom, right] of the cases: stride 1, 2, per-axis (1, 2), odd padding. */
    static final List<ConvSpec> SPECS = List.of(
            ConvSpec.of(1, 1),
            ConvSpec.of(2, 1),
            ConvSpec.of(1, 2, 1),
            new ConvSpec(new long[] {2, 1}, new long[] {0, 2, 1, 0}));

    static Stream<Arguments> weightGradCases() {
        List<Arguments> out = new ArrayList<>();
        for (Nn.WeightGrad m : Nn.WeightGrad.values()) for (ConvSpec s : SPECS) out.add(Arguments.of(m, s));
        return out.stream();
    }

    static Stream<Arguments> formulations() {
        List<Arguments> out = new ArrayList<>();
        for (Nn.WeightGrad m : Nn.WeightGrad.values()) for (Nn.StridedDx d : Nn.StridedDx.values()) out.add(Arguments.of(m, d));
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("weightGradCases")
    void convGradientMatchesFiniteDifferences(Nn.WeightGrad mode, ConvSpec spec) {
        GradCheck.of("conv " + mode + " " + str(spec)).probes(40)
                .input("x", 2, 3, 7, 6).input("w", 4, 3, 3, 3).input("b", 4)
                .check(under(ConvGradients.MEASURED.withWeightGrad(mode), (g, p) -> g.conv(p.get(0), p.get(1), p.get(2), spec)));
    }

    @ParameterizedTest
    @MethodSource("weightGradCases")
    void oneByOneAndWideKernels(Nn.WeightGrad mode, ConvSpec spec) {
        ConvGradients policy = ConvGradients.MEASURED.withWeightGrad(mode);
        GradCheck.of("conv1x1 " + mode + " " + str(spec)).probes(30).input("x", 2, 3, 5, 6).input("w", 2, 3, 1, 1)
                .check(under(policy, (g, p) -> g.conv(p.get(0), p.get(1), null, spec)));
        GradCheck.of("conv2x4 " + mode + " " + str(spec)).probes(30).input("x", 1, 2, 7, 9).input("w", 3, 2, 2, 4)
                .check(under(policy, (g, p) -> g.conv(p.get(0), p.get(1), null, spec)));
    }

    @ParameterizedTest
    @MethodSource("weightGradCases")
    void convTransposeGradientMatchesFiniteDifferences(Nn.WeightGrad mode, ConvSpec spec) {
        long[] outPad = {spec.strides()[0] - 1, 0};
        GradCheck.of("convT " + mode + " " + str(spec)).probes(40)
                .input("x", 1, 3, 4, 5).input("w", 3, 2, 3, 3)
                .check(under(ConvGradients.MEASURED.withWeightGrad(mode), (g, p) -> g.convTranspose(p.get(0), p.get(1), spec, outPad)));
    }

    /**
     * Σ R₁ ⊙ dD/dX + Σ R₂ ⊙ dD/dW with D = Σ R ⊙ tanh(conv(x, w)) (a Hessian-vector product), differentiated
     * again with respect to x and w. Projecting the gradients linearly keeps the loss small, so float32
     * rounding does not swamp the finite differences (a sum of squared gradients is in the thousands here);
     * eps is 2e-3 because at the default 1e-2 the truncation error (eps²·f‴/6) of a few probes exceeds the
     * tolerance — identically for every formulation.
     */
    @ParameterizedTest
    @MethodSource("formulations")
    void secondOrderThroughBothGradients(Nn.WeightGrad mode, Nn.StridedDx dx) {
        for (ConvSpec spec : List.of(ConvSpec.of(1, 1), ConvSpec.of(2, 1), ConvSpec.of(1, 2, 1))) {
            Random r = new Random(17);
            GradCheck.of("conv2nd " + mode + " " + dx + " " + str(spec)).scalarLoss().eps(2e-3).tolerance(3e-3, 3e-2).probes(40)
                    .input("x", GradCheck.randn(r, 2, 2, 6, 7)).input("w", scaled(r, 0.4, 3, 2, 3, 3))
                    .check(under(new ConvGradients(dx, null, mode), (g, p) -> {
                        Value y = g.tanh(g.conv(p.get(0), p.get(1), null, spec));
                        Value d = g.sumAll(g.mul(y, g.constant(GradCheck.randn(r, y.shape()))));
                        List<Value> gr = Gradients.of(d, p);
                        Value px = g.sumAll(g.mul(gr.get(0), g.constant(GradCheck.randn(r, gr.get(0).shape()))));
                        return g.add(px, g.sumAll(g.mul(gr.get(1), g.constant(GradCheck.randn(r, gr.get(1).shape())))));
                    }));
        }
    }

    /** Both stride-1 dX formulations, including pads larger than kernel − 1 (the gradient then crops dY). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Nn.Stride1Dx.class)
    void stride1InputGradientEachFormulation(Nn.Stride1Dx dx) {
        List<ConvSpec> specs = List.of(ConvSpec.of(1, 1), ConvSpec.of(1, 0), new ConvSpec(new long[] {1, 1}, new long[] {3, 0, 1, 2}));
        for (ConvSpec spec : specs) {
            Random r = new Random(29);
            ConvGradients policy = ConvGradients.MEASURED.withStride1Dx(dx);
            GradCheck.of("conv s1 " + dx + " " + str(spec)).probes(40)
                    .input("x", GradCheck.randn(r, 2, 5, 9, 8)).input("w", GradCheck.randn(r, 3, 5, 3, 3))
                    .check(under(policy, (g, p) -> g.conv(p.get(0), p.get(1), null, spec)));
            GradCheck.of("conv s1 2nd " + dx + " " + str(spec)).scalarLoss().eps(2e-3).tolerance(3e-3, 3e-2).probes(40)
                    .input("x", GradCheck.randn(r, 2, 5, 9, 8)).input("w", scaled(r, 0.3, 3, 5, 3, 3))
                    .check(under(policy, (g, p) -> {
                        Value y = g.tanh(g.conv(p.get(0), p.get(1), null, spec));
                        Value gx = Gradients.of(g.sumAll(g.mul(y, g.constant(GradCheck.randn(r, y.shape())))), p.get(0));
                        return g.sumAll(g.mul(gx, g.constant(GradCheck.randn(r, gx.shape()))));
                    }));
        }
    }

    /**
     * The SELECT_GEMM forward against ORT's Conv (values, with a bias), and its gradients — which autodiff derives
     * from the selection and weight products — against finite differences, once and differentiated twice, for
     * every spec (stride 2, per-axis stride, asymmetric pads) and a 4×3 kernel.
     */
    @Test
    void selectGemmForwardAndItsGradients() throws Exception {
        List<ConvSpec> specs = new ArrayList<>(SPECS);
        specs.add(ConvSpec.of(1, 0));
        for (ConvSpec spec : specs) {
            for (long[] wShape : List.of(new long[] {4, 3, 3, 3}, new long[] {4, 3, 4, 3})) {
                Random r = new Random(41);
                Tensor x = GradCheck.randn(r, 2, 3, 5, 6), w = GradCheck.randn(r, wShape), b = GradCheck.randn(r, 4);
                float[][] y = new float[2][];
                for (Nn.ConvForward f : Nn.ConvForward.values()) {
                    Graph g = new Graph("fwd").convGradients(ConvGradients.MEASURED.withForward(f));
                    Value out = g.conv(g.input("x", x.shape), g.input("w", w.shape), g.input("b", b.shape), spec);
                    assertEquals(f == Nn.ConvForward.SELECT_GEMM, g.nodes().stream().noneMatch(n -> n.op().type().equals("Conv")), f + " builds Conv nodes");
                    try (Ort ort = new Ort(OnnxExport.model(g, Map.of("y", out)))) {
                        y[f.ordinal()] = ort.run(Map.of("x", x, "w", w, "b", b)).get("y").floats();
                    }
                }
                assertEquals(y[0].length, y[1].length);
                for (int i = 0; i < y[0].length; i++) assertEquals(y[0][i], y[1][i], 1e-5 * (1 + Math.abs(y[0][i])), "y[" + i + "] " + str(spec));
                ConvGradients policy = ConvGradients.MEASURED.withForward(Nn.ConvForward.SELECT_GEMM);
                String name = "select " + java.util.Arrays.toString(wShape) + " " + str(spec);
                GradCheck.of(name).probes(40).input("x", x).input("w", w).input("b", b)
                        .check(under(policy, (g, p) -> g.conv(p.get(0), p.get(1), p.get(2), spec)));
                GradCheck.of(name + " 2nd").scalarLoss().eps(2e-3).tolerance(3e-3, 3e-2).probes(40)
                        .input("x", x).input("w", scaled(r, 0.4, wShape))
                        .check(under(policy, (g, p) -> {
                            Value yy = g.tanh(g.conv(p.get(0), p.get(1), null, spec));
                            List<Value> gr = Gradients.of(g.sumAll(g.mul(yy, g.constant(GradCheck.randn(r, yy.shape())))), p);
                            Value px = g.sumAll(g.mul(gr.get(0), g.constant(GradCheck.randn(r, gr.get(0).shape()))));
                            return g.add(px, g.sumAll(g.mul(gr.get(1), g.constant(GradCheck.randn(r, gr.get(1).shape())))));
                        }));
            }
        }
    }

    @Test
    void forwardRuleTakesTheSelectionOnlyForSmallWideLayers() {
        assertEquals(Nn.ConvForward.SELECT_GEMM, Nn.convForwardFor(new long[] {8, 256, 2, 4}, 256, 8), "G_middle at tiny");
        assertEquals(Nn.ConvForward.SELECT_GEMM, Nn.convForwardFor(new long[] {8, 256, 4, 8}, 128, 32), "up_0 at tiny");
        assertEquals(Nn.ConvForward.ORT_CONV, Nn.convForwardFor(new long[] {8, 64, 8, 16}, 64, 128), "more than 64 output pixels");
        assertEquals(Nn.ConvForward.ORT_CONV, Nn.convForwardFor(new long[] {16, 64, 10, 18}, 32, 45), "selection costs more than a quarter");
        assertEquals(Nn.ConvForward.ORT_CONV, Nn.convForwardFor(new long[] {8, 8, 2, 4}, 256, 8), "thin input");
        assertEquals(Nn.ConvForward.ORT_CONV, Nn.convForwardFor(new long[] {-1, 256, 2, 4}, 256, 8), "dynamic batch");
    }

    @Test
    void stride1RuleFollowsTheMeasurements() {
        assertEquals(Nn.Stride1Dx.FLIPPED_CONV, Nn.stride1DxFor(64, 64 * 64), "C64 64x64");
        assertEquals(Nn.Stride1Dx.FLIPPED_CONV, Nn.stride1DxFor(256, 16 * 16), "C256 16x16");
        assertEquals(Nn.Stride1Dx.CONV_TRANSPOSE, Nn.stride1DxFor(256, 8 * 8), "C256 8x8");
        assertEquals(Nn.Stride1Dx.CONV_TRANSPOSE, Nn.stride1DxFor(512, 4 * 4), "C512 4x4");
        assertEquals(Nn.Stride1Dx.CONV_TRANSPOSE, Nn.stride1DxFor(3, 64 * 64), "RGB input");
        assertEquals(Nn.Stride1Dx.FLIPPED_CONV, Nn.stride1DxFor(64, 64 * 64), "RGB output: dX has 64 channels");
    }

    /** All formulations compute the same dX and dW (up to float rounding) on a larger, batched case. */
    @Test
    void formulationsAgree() {
        for (ConvSpec spec : SPECS) {
            Random r = new Random(3);
            Tensor x = GradCheck.randn(r, 3, 8, 11, 10), w = GradCheck.randn(r, 5, 8, 3, 3);
            Map<String, float[]> ref = null;
            for (Nn.WeightGrad m : Nn.WeightGrad.values()) {
                for (Nn.StridedDx d : Nn.StridedDx.values()) for (Nn.Stride1Dx d1 : Nn.Stride1Dx.values()) {
                    Map<String, float[]> got = gradients(new ConvGradients(d, d1, m), spec, x, w);
                    if (ref == null) {
                        ref = got;
                        continue;
                    }
                    for (String k : ref.keySet()) {
                        float[] a = ref.get(k), b = got.get(k);
                        assertEquals(a.length, b.length);
                        for (int i = 0; i < a.length; i++) {
                            assertEquals(a[i], b[i], 1e-4 * (1 + Math.abs(a[i])), k + "[" + i + "] with " + m + ", " + d + ", " + d1 + ", " + str(spec));
                        }
                    }
                }
            }
        }
    }

    /** Nn's per-shape dW rule gives the formulations measured fastest (docs/BENCHMARKS.md). */
    @Test
    void defaultRuleFollowsTheMeasurements() {
        assertEquals(Nn.WeightGrad.TAP_BATCHED, Nn.weightGradFor(64, 64 * 64), "N8 C64 64x64, stride 1");
        assertEquals(Nn.WeightGrad.TAP_BATCHED, Nn.weightGradFor(64, 32 * 32), "stride 2");
        assertEquals(Nn.WeightGrad.TAP_BATCHED, Nn.weightGradFor(64, 64 * 32), "stride (1, 2)");
        assertEquals(Nn.WeightGrad.TAP_GEMM, Nn.weightGradFor(256, 16 * 16), "C256 16x16");
        assertEquals(Nn.WeightGrad.IM2COL, Nn.weightGradFor(256, 8 * 8), "C256 8x8");
        assertEquals(Nn.WeightGrad.IM2COL, Nn.weightGradFor(3, 64 * 64), "RGB input");
    }

    /** dX and dW of conv(x, w) for a fixed dY, with convolution gradients formed as {@code policy} says. */
    private static Map<String, float[]> gradients(ConvGradients policy, ConvSpec spec, Tensor x, Tensor w) {
        Graph g = new Graph("agree").convGradients(policy);
        Value xi = g.input("x", x.shape), wi = g.input("w", w.shape);
        Value y = g.conv(xi, wi, null, spec);
        Value dy = g.constant("dy", GradCheck.randn(new Random(5), y.shape()));
        List<Value> gr = Gradients.vjp(List.of(y), List.of(dy), List.of(xi, wi));
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("dx", gr.get(0), "dw", gr.get(1))))) {
            Map<String, Tensor> res = ort.run(Map.of("x", x, "w", w));
            Map<String, float[]> got = new LinkedHashMap<>();
            got.put("dx", res.get("dx").floats());
            got.put("dw", res.get("dw").floats());
            return got;
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The function, built in a graph that forms convolution gradients as {@code policy} says. */
    private static GradCheck.Fn under(ConvGradients policy, GradCheck.Fn fn) {
        return (g, p) -> fn.apply(g.convGradients(policy), p);
    }

    private static String str(ConvSpec s) {
        return "s" + java.util.Arrays.toString(s.strides()) + " p" + java.util.Arrays.toString(s.pads());
    }

    private static Tensor scaled(Random r, double scale, long... shape) {
        float[] d = GradCheck.randn(r, shape).floats();
        for (int i = 0; i < d.length; i++) d[i] *= (float) scale;
        return Tensor.floats(d, shape);
    }
}
