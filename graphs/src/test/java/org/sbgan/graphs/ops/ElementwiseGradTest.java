package org.sbgan.graphs.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.testing.GradCheck;

/** First-order gradients of the elementwise ops, against central finite differences in ONNX Runtime. */
class ElementwiseGradTest {
    private static final float[] ZERO = {0f};

    /** Odd, non-square and rank-varied shapes for the unary ops. */
    static Stream<long[]> shapes() {
        return Stream.of(new long[] {5, 7}, new long[] {2, 3, 5}, new long[] {7}, new long[] {3, 1, 2, 4});
    }

    /** Pairs of operand shapes for the binary ops: equal, and every broadcast form, in both orders. */
    static Stream<Arguments> binaryShapes() {
        long[] full = {2, 3, 4};
        return Stream.of(
                Arguments.of(new long[] {5, 7}, new long[] {5, 7}),
                Arguments.of(new long[] {3, 1, 5}, new long[] {3, 1, 5}),
                Arguments.of(full, new long[] {4}),
                Arguments.of(full, new long[] {3, 1}),
                Arguments.of(full, new long[] {1, 3, 1}),
                Arguments.of(full, new long[] {}),
                Arguments.of(new long[] {4}, full),
                Arguments.of(new long[] {3, 1}, full),
                Arguments.of(new long[] {}, full),
                Arguments.of(new long[] {3, 1}, new long[] {1, 5}));
    }

    private static String n(String op, long[]... s) {
        StringBuilder b = new StringBuilder(op);
        for (long[] x : s) b.append(Shapes.str(x));
        return b.toString();
    }

    /** Random values in [0.3, 2.8), no exact 1: for log, sqrt and fractional powers. */
    static Tensor positive(Random r, long... shape) {
        float[] d = new float[Math.toIntExact(Shapes.numel(shape))];
        for (int i = 0; i < d.length; i++) d[i] = 0.3f + (float) Math.abs(r.nextGaussian()) + 0.5f * r.nextFloat();
        return Tensor.floats(d, shape);
    }

    // ---- binary arithmetic ---------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("binaryShapes")
    void add(long[] a, long[] b) {
        GradCheck.of(n("add", a, b)).input("a", a).input("b", b).check((g, x) -> g.add(x.get(0), x.get(1)));
    }

    @ParameterizedTest
    @MethodSource("binaryShapes")
    void sub(long[] a, long[] b) {
        GradCheck.of(n("sub", a, b)).input("a", a).input("b", b).check((g, x) -> g.sub(x.get(0), x.get(1)));
    }

    @ParameterizedTest
    @MethodSource("binaryShapes")
    void mul(long[] a, long[] b) {
        GradCheck.of(n("mul", a, b)).input("a", a).input("b", b).check((g, x) -> g.mul(x.get(0), x.get(1)));
    }

    @ParameterizedTest
    @MethodSource("binaryShapes")
    void div(long[] a, long[] b) {
        // |b| >= 0.5 keeps the quotient and its finite differences well conditioned.
        GradCheck.of(n("div", a, b)).input("a", a).inputAwayFrom("b", 0.5f, ZERO, b)
                .check((g, x) -> g.div(x.get(0), x.get(1)));
    }

    @Test
    void scalarConstantOperands() {
        GradCheck.of("scalarConstants").input("x", 3, 5).check((g, x) ->
                g.div(g.sub(3f, g.mul(g.add(x.get(0), 0.7f), 1.3f)), -2.5f));
    }

    // ---- powers ----------------------------------------------------------------------------------------

    static Stream<Arguments> powCases() {
        List<Arguments> c = new ArrayList<>();
        for (float p : new float[] {2f, 3f, 0.5f, -1f, 1.5f}) {
            c.add(Arguments.of(p, new long[] {5, 7}));
            c.add(Arguments.of(p, new long[] {2, 3, 4}));
        }
        return c.stream();
    }

    @ParameterizedTest
    @MethodSource("powCases")
    void powPositiveBase(float p, long[] s) {
        GradCheck c = GradCheck.of(n("pow" + p, s));
        c.input("x", positive(new Random(Arrays.hashCode(s) + Float.hashCode(p)), s)).check((g, x) -> g.pow(x.get(0), p));
    }

    /** Integer exponents also take negative bases (fractional ones would give NaN). */
    static Stream<Arguments> powSignedCases() {
        return Stream.of(Arguments.of(2f, new long[] {5, 7}), Arguments.of(3f, new long[] {2, 3, 4}),
                Arguments.of(-1f, new long[] {5, 7}), Arguments.of(-1f, new long[] {3, 1, 4}));
    }

    @ParameterizedTest
    @MethodSource("powSignedCases")
    void powSignedBase(float p, long[] s) {
        GradCheck.of(n("powSigned" + p, s)).inputAwayFrom("x", 0.4f, ZERO, s).check((g, x) -> g.pow(x.get(0), p));
    }

    // ---- unary -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("shapes")
    void neg(long[] s) {
        GradCheck.of(n("neg", s)).input("x", s).check((g, x) -> g.neg(x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void exp(long[] s) {
        GradCheck.of(n("exp", s)).input("x", s).check((g, x) -> g.exp(x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void log(long[] s) {
        GradCheck.of(n("log", s)).input("x", positive(new Random(Arrays.hashCode(s)), s)).check((g, x) -> g.log(x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void logOfExp(long[] s) {
        // log over the whole real line through exp: d/dx log(exp(x) + 0.5)
        GradCheck.of(n("logexp", s)).input("x", s).check((g, x) -> g.log(g.add(g.exp(x.get(0)), 0.5f)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void sqrt(long[] s) {
        GradCheck.of(n("sqrt", s)).input("x", positive(new Random(Arrays.hashCode(s) + 1), s)).check((g, x) -> g.sqrt(x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void abs(long[] s) {
        GradCheck.of(n("abs", s)).inputAwayFrom("x", 0.1f, ZERO, s).check((g, x) -> g.abs(x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void relu(long[] s) {
        GradCheck.of(n("relu", s)).inputAwayFrom("x", 0.1f, ZERO, s).check((g, x) -> g.relu(x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void leakyRelu(long[] s) {
        GradCheck.of(n("lrelu", s)).inputAwayFrom("x", 0.1f, ZERO, s).check((g, x) -> g.leakyRelu(x.get(0), 0.2f));
    }

    @Test
    void leakyReluSmallSlope() {
        GradCheck.of("lrelu001").inputAwayFrom("x", 0.1f, ZERO, 4, 9).check((g, x) -> g.leakyRelu(x.get(0), 0.01f));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void tanh(long[] s) {
        GradCheck.of(n("tanh", s)).input("x", s).check((g, x) -> g.tanh(x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void sigmoid(long[] s) {
        GradCheck.of(n("sigmoid", s)).input("x", s).check((g, x) -> g.sigmoid(x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void identity(long[] s) {
        GradCheck.of(n("identity", s)).input("x", s).check((g, x) -> g.mul(g.identity(x.get(0)), x.get(0)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void castFloatToFloat(long[] s) {
        GradCheck.of(n("cast", s)).input("x", s).check((g, x) -> g.mul(g.cast(x.get(0), DType.FLOAT), g.tanh(x.get(0))));
    }

    // ---- softmax ---------------------------------------------------------------------------------------

    static Stream<Arguments> softmaxCases() {
        return Stream.of(
                Arguments.of(new long[] {5, 7}, 1), Arguments.of(new long[] {5, 7}, 0),
                Arguments.of(new long[] {3, 4, 5}, 0), Arguments.of(new long[] {3, 4, 5}, 1),
                Arguments.of(new long[] {3, 4, 5}, 2), Arguments.of(new long[] {3, 4, 5}, -1),
                Arguments.of(new long[] {2, 3, 2, 3}, -3));
    }

    @ParameterizedTest
    @MethodSource("softmaxCases")
    void softmax(long[] s, int axis) {
        GradCheck.of(n("softmax" + axis, s)).input("x", s).check((g, x) -> g.softmax(g.mul(x.get(0), 2f), axis));
    }

    @ParameterizedTest
    @MethodSource("softmaxCases")
    void logSoftmax(long[] s, int axis) {
        GradCheck.of(n("logsoftmax" + axis, s)).input("x", s).check((g, x) -> g.logSoftmax(g.mul(x.get(0), 2f), axis));
    }

    // ---- min, max, clip, where -----------------------------------------------------------------------

    /**
     * Input b, and input a drawn so that every pair compared after broadcasting differs by at least 0.2:
     * a finite-difference step never crosses the switch between the two operands.
     */
    private static GradCheck apart(String name, long[] as, long[] bs) {
        Random r = new Random(name.hashCode());
        Tensor b = GradCheck.randn(r, bs);
        Tensor a = GradCheck.randn(r, as);
        long[] out = Shapes.broadcast(as, bs);
        float[] ad = a.floats(), bd = b.floats();
        for (int tries = 0; tries < 100; tries++) {
            boolean ok = true;
            for (long i = 0; i < Shapes.numel(out); i++) {
                int ia = index(i, out, as), ib = index(i, out, bs);
                if (Math.abs(ad[ia] - bd[ib]) < 0.2f) {
                    ad[ia] = (float) r.nextGaussian() * 2f;
                    ok = false;
                }
            }
            if (ok) return GradCheck.of(name).input("a", a).input("b", b);
        }
        throw new IllegalStateException("could not draw operands apart for " + name);
    }

    /** The flat index into a broadcast operand of shape {@code s} for flat output index {@code i}. */
    private static int index(long i, long[] out, long[] s) {
        long idx = 0, stride = 1;
        for (int d = out.length - 1, k = s.length - 1; d >= 0; d--, k--) {
            long c = i % out[d];
            i /= out[d];
            if (k < 0) continue;
            if (s[k] != 1) idx += c * stride;
            stride *= s[k];
        }
        return (int) idx;
    }

    static Stream<Arguments> minMaxShapes() {
        return Stream.of(
                Arguments.of(new long[] {5, 7}, new long[] {5, 7}),
                Arguments.of(new long[] {2, 3, 5}, new long[] {2, 3, 5}),
                Arguments.of(new long[] {2, 3, 4}, new long[] {4}),
                Arguments.of(new long[] {3, 1}, new long[] {2, 3, 4}),
                Arguments.of(new long[] {2, 3, 4}, new long[] {}));
    }

    @ParameterizedTest
    @MethodSource("minMaxShapes")
    void min(long[] a, long[] b) {
        apart(n("min", a, b), a, b).check((g, x) -> g.min(x.get(0), x.get(1)));
    }

    @ParameterizedTest
    @MethodSource("minMaxShapes")
    void max(long[] a, long[] b) {
        apart(n("max", a, b), a, b).check((g, x) -> g.max(x.get(0), x.get(1)));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void clip(long[] s) {
        GradCheck.of(n("clip", s)).inputAwayFrom("x", 0.05f, new float[] {-0.5f, 0.7f}, s)
                .check((g, x) -> g.clip(x.get(0), -0.5f, 0.7f));
    }

    static Stream<Arguments> whereShapes() {
        return Stream.of(
                Arguments.of(new long[] {5, 7}, new long[] {5, 7}, new long[] {5, 7}),
                Arguments.of(new long[] {2, 3, 4}, new long[] {3, 4}, new long[] {}),
                Arguments.of(new long[] {2, 3, 4}, new long[] {3, 1}, new long[] {2, 1, 4}),
                Arguments.of(new long[] {3, 1}, new long[] {1, 5}, new long[] {3, 5}));
    }

    @ParameterizedTest
    @MethodSource("whereShapes")
    void where(long[] cs, long[] as, long[] bs) {
        String name = n("where", cs, as, bs);
        Tensor c = GradCheck.randn(new Random(name.hashCode()), cs);
        GradCheck.of(name).input("a", as).input("b", bs).check((g, x) ->
                g.where(g.greater(g.constant("cond_source", c), 0f), x.get(0), x.get(1)));
    }

    @Test
    void whereConditionFromInputAndConstantBranch() {
        // The condition depends on the differentiated input itself (through a Boolean, so no gradient).
        GradCheck.of("whereSelf").inputAwayFrom("x", 0.1f, ZERO, 4, 7).check((g, x) ->
                g.where(g.greater(x.get(0), 0f), g.mul(x.get(0), x.get(0)), 0.5f));
    }
}
