package org.sbgan.graphs.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.testing.GradCheck;

/** First-order gradients of MatMul and Gemm, against central finite differences in ONNX Runtime. */
class LinalgGradTest {

    static Stream<Arguments> matmulShapes() {
        return Stream.of(
                Arguments.of(new long[] {5, 7}, new long[] {7, 3}),
                Arguments.of(new long[] {1, 4}, new long[] {4, 5}),
                Arguments.of(new long[] {3, 4}, new long[] {4, 1}),
                Arguments.of(new long[] {2, 3, 4}, new long[] {2, 4, 5}),
                Arguments.of(new long[] {2, 3, 4, 5}, new long[] {5, 6}),
                Arguments.of(new long[] {3, 5}, new long[] {2, 5, 4}),
                Arguments.of(new long[] {2, 1, 3, 4}, new long[] {3, 4, 2}),
                Arguments.of(new long[] {3, 2, 5}, new long[] {1, 5, 3}));
    }

    @ParameterizedTest
    @MethodSource("matmulShapes")
    void matmul(long[] a, long[] b) {
        GradCheck.of("matmul" + Shapes.str(a) + Shapes.str(b)).input("a", a).input("b", b)
                .check((g, x) -> g.matmul(x.get(0), x.get(1)));
    }

    /** Every transpose combination, each without C and with C as [m,n], [n], [1,n], [m,1] and a scalar. */
    static Stream<Arguments> gemmCases() {
        List<Arguments> c = new ArrayList<>();
        long[][] cShapes = {null, {3, 4}, {4}, {1, 4}, {3, 1}, {}};
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (long[] cs : cShapes) c.add(Arguments.of(ta, tb, cs, 0.7f, 1.3f));
                c.add(Arguments.of(ta, tb, new long[] {3, 4}, 1f, 1f));
                c.add(Arguments.of(ta, tb, null, 1f, 1f));
            }
        }
        return c.stream();
    }

    @ParameterizedTest
    @MethodSource("gemmCases")
    void gemm(boolean ta, boolean tb, long[] cShape, float alpha, float beta) {
        long m = 3, k = 5, n = 4; // all different, so a transposed operand cannot pass
        String name = "gemm" + (ta ? "T" : "N") + (tb ? "T" : "N") + (cShape == null ? "" : Shapes.str(cShape)) + alpha + "," + beta;
        GradCheck c = GradCheck.of(name).input("a", ta ? new long[] {k, m} : new long[] {m, k})
                .input("b", tb ? new long[] {n, k} : new long[] {k, n});
        if (cShape != null) c.input("c", cShape);
        c.check((g, x) -> g.gemm(x.get(0), x.get(1), cShape == null ? null : x.get(2), alpha, beta, ta, tb));
    }
}
