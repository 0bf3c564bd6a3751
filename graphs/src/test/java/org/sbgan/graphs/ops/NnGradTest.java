package org.sbgan.graphs.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.testing.GradCheck;

/**
 * First-order gradients of convolution, pooling and nearest resampling, against central finite
 * differences in ONNX Runtime. Strided convolutions run with each {@link Nn.StridedDx} formulation.
 */
class NnGradTest {
    /** Finite-difference probes per input: enough to cover borders and interior at these sizes. */
    private static final int PROBES = 60;

    private static long[] s(long... d) {
        return d;
    }

    private static String str(long[] a) {
        return Arrays.toString(a).replace(" ", "");
    }

    // ---- Conv ------------------------------------------------------------------------------------------

    /** x shape, weight shape, strides, pads [top, left, bottom, right], bias. */
    record ConvCase(long[] x, long[] w, long[] strides, long[] pads, boolean bias) {
        boolean strided() {
            return strides[0] > 1 || strides[1] > 1;
        }

        @Override
        public String toString() {
            return "x" + Shapes.str(x) + " w" + Shapes.str(w) + " s" + str(strides) + " p" + str(pads) + (bias ? " +b" : "");
        }
    }

    static final List<ConvCase> CONV_CASES = List.of(
            // 1x1
            new ConvCase(s(1, 2, 5, 5), s(3, 2, 1, 1), s(1, 1), s(0, 0, 0, 0), true),
            new ConvCase(s(2, 3, 5, 7), s(2, 3, 1, 1), s(2, 2), s(1, 1, 1, 1), false),
            new ConvCase(s(1, 2, 5, 6), s(2, 2, 1, 1), s(1, 1), s(2, 2, 2, 2), true),
            // 3x3
            new ConvCase(s(2, 2, 7, 6), s(3, 2, 3, 3), s(1, 1), s(1, 1, 1, 1), true),
            new ConvCase(s(1, 3, 9, 13), s(2, 3, 3, 3), s(1, 1), s(0, 0, 0, 0), false),
            new ConvCase(s(1, 2, 7, 6), s(3, 2, 3, 3), s(2, 2), s(1, 1, 1, 1), true),
            new ConvCase(s(1, 2, 8, 8), s(2, 2, 3, 3), s(2, 2), s(0, 0, 0, 0), false),
            new ConvCase(s(1, 2, 7, 9), s(2, 2, 3, 3), s(1, 2), s(1, 1, 1, 1), true),
            new ConvCase(s(1, 2, 9, 7), s(2, 2, 3, 3), s(2, 1), s(1, 1, 1, 1), false),
            new ConvCase(s(1, 2, 6, 7), s(2, 2, 3, 3), s(1, 1), s(1, 0, 2, 1), true),
            new ConvCase(s(1, 2, 6, 7), s(2, 2, 3, 3), s(1, 1), s(2, 2, 2, 2), false),
            new ConvCase(s(1, 2, 7, 8), s(2, 2, 3, 3), s(2, 2), s(0, 1, 2, 0), false),
            // 4x4
            new ConvCase(s(1, 2, 7, 6), s(2, 2, 4, 4), s(1, 1), s(2, 2, 2, 2), true),
            new ConvCase(s(1, 2, 9, 13), s(2, 2, 4, 4), s(2, 2), s(1, 1, 1, 1), false),
            new ConvCase(s(1, 2, 8, 7), s(3, 2, 4, 4), s(2, 2), s(2, 1, 0, 1), true),
            // 3x5
            new ConvCase(s(1, 2, 7, 9), s(2, 2, 3, 5), s(1, 1), s(1, 2, 1, 2), true),
            new ConvCase(s(1, 1, 9, 13), s(2, 1, 3, 5), s(2, 2), s(2, 2, 2, 2), false),
            new ConvCase(s(1, 2, 9, 7), s(2, 2, 3, 5), s(2, 1), s(0, 2, 1, 0), true),
            // stride 3, and a stride larger than the kernel (input cells no window reads)
            new ConvCase(s(1, 2, 10, 11), s(2, 2, 3, 3), s(3, 3), s(1, 1, 1, 1), true),
            new ConvCase(s(1, 2, 8, 9), s(3, 2, 2, 2), s(3, 2), s(0, 0, 0, 1), false));

    static Stream<Arguments> convCases() {
        List<Arguments> c = new ArrayList<>();
        for (ConvCase cc : CONV_CASES) {
            if (!cc.strided()) c.add(Arguments.of(cc, ConvGradients.MEASURED.stridedDx()));
            else for (Nn.StridedDx m : Nn.StridedDx.values()) c.add(Arguments.of(cc, m));
        }
        return c.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("convCases")
    void conv(ConvCase cc, Nn.StridedDx mode) {
        GradCheck c = GradCheck.of("conv " + cc + " " + mode).probes(PROBES).input("x", cc.x).input("w", cc.w);
        if (cc.bias) c.input("b", cc.w[0]);
        c.check((g, x) -> g.convGradients(ConvGradients.MEASURED.withStridedDx(mode))
                .conv(x.get(0), x.get(1), cc.bias ? x.get(2) : null, new ConvSpec(cc.strides, cc.pads)));
    }

    // ---- ConvTranspose ---------------------------------------------------------------------------------

    static Stream<Arguments> convTransposeCases() {
        return Stream.of(
                Arguments.of(s(1, 3, 4, 5), s(3, 2, 3, 3), s(1, 1), s(1, 1, 1, 1), s(0, 0)),
                Arguments.of(s(2, 2, 3, 4), s(2, 3, 3, 3), s(1, 1), s(0, 0, 0, 0), s(0, 0)),
                Arguments.of(s(1, 3, 4, 5), s(3, 2, 3, 3), s(2, 2), s(1, 1, 1, 1), s(0, 0)),
                Arguments.of(s(1, 3, 4, 5), s(3, 2, 3, 3), s(2, 2), s(1, 1, 1, 1), s(1, 1)),
                Arguments.of(s(1, 2, 3, 5), s(2, 2, 4, 4), s(2, 2), s(1, 1, 1, 1), s(0, 0)),
                Arguments.of(s(1, 2, 3, 4), s(2, 3, 3, 5), s(2, 1), s(0, 1, 1, 2), s(1, 0)),
                Arguments.of(s(1, 2, 4, 3), s(2, 2, 3, 3), s(1, 2), s(0, 0, 0, 0), s(0, 1)),
                Arguments.of(s(1, 2, 3, 3), s(2, 1, 2, 2), s(3, 3), s(0, 0, 0, 0), s(2, 1)));
    }

    @ParameterizedTest
    @MethodSource("convTransposeCases")
    void convTranspose(long[] xs, long[] ws, long[] strides, long[] pads, long[] outPad) {
        String name = "convT x" + Shapes.str(xs) + " w" + Shapes.str(ws) + " s" + str(strides) + " p" + str(pads) + " op" + str(outPad);
        GradCheck.of(name).probes(PROBES).input("x", xs).input("w", ws)
                .check((g, x) -> g.convTranspose(x.get(0), x.get(1), new ConvSpec(strides, pads), outPad));
    }

    // ---- pooling ---------------------------------------------------------------------------------------

    static PoolSpec pool(long[] k, long[] s, long[] p, boolean includePad) {
        return new PoolSpec(k, s, p, includePad);
    }

    static Stream<Arguments> avgPoolCases() {
        return Stream.of(
                Arguments.of(s(1, 2, 6, 8), PoolSpec.of(2, 2, 0, false)), // exact tiling
                Arguments.of(s(2, 1, 4, 4), PoolSpec.of(2, 2, 0, true)),
                Arguments.of(s(1, 2, 5, 7), PoolSpec.of(2, 2, 0, false)), // windows do not tile
                Arguments.of(s(1, 2, 7, 6), PoolSpec.of(3, 2, 1, true)),
                Arguments.of(s(1, 2, 7, 6), PoolSpec.of(3, 2, 1, false)),
                Arguments.of(s(1, 1, 9, 8), PoolSpec.of(3, 2, 1, false)),
                Arguments.of(s(1, 2, 5, 7), PoolSpec.of(3, 1, 0, false)),
                Arguments.of(s(1, 2, 5, 7), PoolSpec.of(3, 1, 1, false)),
                Arguments.of(s(1, 2, 6, 7), pool(s(2, 3), s(1, 2), s(1, 0, 0, 1), false)),
                Arguments.of(s(1, 2, 6, 7), pool(s(2, 3), s(1, 2), s(1, 0, 0, 1), true)));
    }

    @ParameterizedTest
    @MethodSource("avgPoolCases")
    void averagePool(long[] xs, PoolSpec p) {
        GradCheck.of("avgpool " + Shapes.str(xs) + " " + poolStr(p)).probes(PROBES).input("x", xs)
                .check((g, x) -> g.avgPool(x.get(0), p));
    }

    static Stream<Arguments> maxPoolCases() {
        return Stream.of(
                Arguments.of(s(1, 2, 6, 6), PoolSpec.of(2, 2, 0, false)),
                Arguments.of(s(1, 2, 5, 7), PoolSpec.of(2, 2, 0, false)),
                Arguments.of(s(1, 2, 7, 6), PoolSpec.of(3, 2, 1, false)),
                Arguments.of(s(2, 1, 8, 9), PoolSpec.of(3, 2, 1, false)),
                Arguments.of(s(1, 1, 5, 7), PoolSpec.of(3, 1, 0, false)),
                Arguments.of(s(1, 2, 5, 5), PoolSpec.of(3, 1, 1, false)),
                Arguments.of(s(1, 2, 6, 7), pool(s(2, 3), s(1, 2), s(1, 0, 0, 1), false)));
    }

    @ParameterizedTest
    @MethodSource("maxPoolCases")
    void maxPool(long[] xs, PoolSpec p) {
        String name = "maxpool " + Shapes.str(xs) + " " + poolStr(p);
        GradCheck.of(name).probes(PROBES).input("x", distinct(new Random(name.hashCode()), xs))
                .check((g, x) -> g.maxPool(x.get(0), p));
    }

    /**
     * A random permutation of evenly spaced values (0.05 apart, centred on 0): no ties anywhere, and no
     * finite-difference step (1e-2) can change which element of a window is the maximum.
     */
    static Tensor distinct(Random r, long... shape) {
        int n = Math.toIntExact(Shapes.numel(shape));
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) perm.add(i);
        Collections.shuffle(perm, r);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (perm.get(i) - n / 2f + 0.37f) * 0.05f;
        return Tensor.floats(d, shape);
    }

    private static String poolStr(PoolSpec p) {
        return "k" + str(p.kernel()) + " s" + str(p.strides()) + " p" + str(p.pads()) + (p.countIncludePad() ? " incl" : "");
    }

    // ---- nearest resampling ----------------------------------------------------------------------------

    static Stream<Arguments> upsampleCases() {
        return Stream.of(
                Arguments.of(s(1, 2, 3, 4), 2, 2), Arguments.of(s(2, 1, 3, 5), 2, 2),
                Arguments.of(s(1, 2, 3, 2), 3, 3), Arguments.of(s(1, 2, 3, 4), 2, 1),
                Arguments.of(s(1, 2, 3, 5), 1, 2), Arguments.of(s(1, 1, 3, 2), 3, 2));
    }

    @ParameterizedTest
    @MethodSource("upsampleCases")
    void upsampleNearest(long[] xs, int fh, int fw) {
        GradCheck.of("up " + Shapes.str(xs) + " " + fh + "x" + fw).probes(PROBES).input("x", xs)
                .check((g, x) -> g.upsampleNearest(x.get(0), fh, fw));
    }

    static Stream<Arguments> downsampleCases() {
        return Stream.of(
                Arguments.of(s(1, 2, 6, 8), 2, 2), Arguments.of(s(1, 2, 7, 9), 2, 2),
                Arguments.of(s(2, 1, 5, 6), 2, 2), Arguments.of(s(1, 1, 7, 8), 3, 3),
                Arguments.of(s(1, 2, 5, 7), 2, 1), Arguments.of(s(1, 2, 5, 7), 1, 3));
    }

    @ParameterizedTest
    @MethodSource("downsampleCases")
    void downsampleNearest(long[] xs, int fh, int fw) {
        GradCheck.of("down " + Shapes.str(xs) + " " + fh + "x" + fw).probes(PROBES).input("x", xs)
                .check((g, x) -> g.downsampleNearest(x.get(0), fh, fw));
    }
}
