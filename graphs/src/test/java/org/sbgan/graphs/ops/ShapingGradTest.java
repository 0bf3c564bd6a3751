package org.sbgan.graphs.ops;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.testing.GradCheck;

/** First-order gradients of the data-movement ops, against central finite differences in ONNX Runtime. */
class ShapingGradTest {
    private static final long END = Long.MAX_VALUE, BEGIN = Long.MIN_VALUE;

    private static long[] s(long... d) {
        return d;
    }

    private static String str(long[] a) {
        return Arrays.toString(a).replace(" ", "");
    }

    // ---- Pad -------------------------------------------------------------------------------------------

    static Stream<Arguments> padCases() {
        return Stream.of(
                Arguments.of(s(3, 4), s(1, 0, 2, 3)),
                Arguments.of(s(5, 7), s(0, 2, 0, 0)),
                Arguments.of(s(2, 3, 5), s(0, 1, 2, 1, 0, 1)),
                Arguments.of(s(1, 2, 3, 4), s(0, 0, 1, 2, 0, 0, 2, 0)));
    }

    @ParameterizedTest
    @MethodSource("padCases")
    void pad(long[] xs, long[] pads) {
        GradCheck.of("pad" + Shapes.str(xs) + str(pads)).input("x", xs).check((g, x) -> g.pad(x.get(0), pads, 0.5f));
    }

    // ---- Concat, Split ---------------------------------------------------------------------------------

    static Stream<Arguments> concatCases() {
        return Stream.of(
                Arguments.of(0, List.of(s(2, 3), s(4, 3))),
                Arguments.of(1, List.of(s(2, 3, 4), s(2, 1, 4))),
                Arguments.of(2, List.of(s(2, 3, 4), s(2, 3, 1), s(2, 3, 2))),
                Arguments.of(-1, List.of(s(2, 3), s(2, 1), s(2, 4))),
                Arguments.of(0, List.of(s(1, 5), s(3, 5), s(2, 5))),
                Arguments.of(1, List.of(s(3, 2, 2), s(3, 5, 2))));
    }

    @ParameterizedTest
    @MethodSource("concatCases")
    void concat(int axis, List<long[]> shapes) {
        StringBuilder name = new StringBuilder("concat" + axis);
        shapes.forEach(sh -> name.append(Shapes.str(sh)));
        GradCheck c = GradCheck.of(name.toString());
        for (int i = 0; i < shapes.size(); i++) c.input("x" + i, shapes.get(i));
        c.check((g, x) -> g.concat(axis, x));
    }

    @Test
    void concatSingleInput() {
        GradCheck.of("concatOne").input("x", 3, 5).check((g, x) -> g.concat(1, x.get(0)));
    }

    @Test
    void concatSameInputTwice() {
        GradCheck.of("concatTwice").input("x", 3, 5).check((g, x) -> g.concat(0, x.get(0), g.tanh(x.get(0)), x.get(0)));
    }

    static Stream<Arguments> splitCases() {
        return Stream.of(
                Arguments.of(s(7, 3), 0, s(2, 5)),
                Arguments.of(s(3, 9), 1, s(4, 1, 4)),
                Arguments.of(s(2, 3, 7), -1, s(3, 4)),
                Arguments.of(s(2, 6, 3), 1, s(1, 2, 3)));
    }

    /** All outputs used, each weighted differently so that swapping pieces would fail. */
    @ParameterizedTest
    @MethodSource("splitCases")
    void split(long[] xs, int axis, long[] sizes) {
        GradCheck.of("split" + Shapes.str(xs) + axis + str(sizes)).input("x", xs).check((g, x) -> {
            List<Value> parts = g.split(x.get(0), axis, sizes);
            Value[] scaled = new Value[parts.size()];
            for (int i = 0; i < scaled.length; i++) scaled[i] = g.mul(g.tanh(parts.get(i)), (float) (i + 1));
            return g.concat(axis, scaled);
        });
    }

    @Test
    void splitOnlyMiddleOutputUsed() {
        GradCheck.of("splitMiddle").input("x", 3, 8).check((g, x) -> g.split(x.get(0), 1, 3, 2, 3).get(1));
    }

    @Test
    void splitFirstAndLastOutputsUsed() {
        GradCheck.of("splitOuter").input("x", 5, 7).check((g, x) -> {
            List<Value> p = g.split(x.get(0), 0, 2, 1, 2);
            return g.mul(p.get(0), p.get(2));
        });
    }

    @Test
    void splitLastOutputUsed() {
        GradCheck.of("splitLast").input("x", 2, 3, 5).check((g, x) -> g.split(x.get(0), 2, 4, 1).get(1));
    }

    // ---- Slice -----------------------------------------------------------------------------------------

    static Stream<Arguments> sliceCases() {
        return Stream.of(
                Arguments.of(s(5, 7), s(1), s(4), s(0), s(1)),
                Arguments.of(s(5, 7), s(0, 1), s(5, 7), s(0, 1), s(2, 3)),
                Arguments.of(s(5, 7), s(1, 0), s(END, END), s(0, 1), s(2, 2)),
                Arguments.of(s(4, 9), s(2), s(100), s(1), s(3)),
                Arguments.of(s(6, 7), s(-4, -6), s(-1, -2), s(0, 1), s(1, 1)),
                Arguments.of(s(5, 7), s(-1), s(BEGIN), s(1), s(-1)),
                Arguments.of(s(5, 7), s(-1, -1), s(BEGIN, BEGIN), s(0, 1), s(-1, -1)),
                Arguments.of(s(5, 7), s(-1, 5), s(BEGIN, 0), s(0, 1), s(-2, -1)),
                Arguments.of(s(6, 8), s(4, -2), s(0, -8), s(0, 1), s(-2, -3)),
                Arguments.of(s(2, 5, 7), s(6, 1), s(0, 4), s(-1, -2), s(-3, 2)),
                Arguments.of(s(2, 5, 7), s(1, -3, 1), s(2, 100, -1), s(0, 1, 2), s(1, 1, 2)),
                Arguments.of(s(3, 6), s(-100), s(100), s(1), s(1)),
                Arguments.of(s(4, 6), s(100, 2), s(-100, 100), s(0, 1), s(-1, 7)),
                Arguments.of(s(7, 3), s(5), s(-9), s(0), s(-3)));
    }

    @ParameterizedTest
    @MethodSource("sliceCases")
    void slice(long[] xs, long[] starts, long[] ends, long[] axes, long[] steps) {
        GradCheck.of("slice" + Shapes.str(xs) + str(starts) + str(ends) + str(axes) + str(steps)).input("x", xs)
                .check((g, x) -> g.slice(x.get(0), starts, ends, axes, steps));
    }

    // ---- Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Expand ---------------------------------------

    static Stream<long[]> reshapeTargets() {
        return Stream.of(s(0, -1), s(-1, 4), s(4, 0, 2), s(6, -1), s(0, 0, 2, 2), s(24), s(-1));
    }

    @ParameterizedTest
    @MethodSource("reshapeTargets")
    void reshape(long[] target) {
        GradCheck.of("reshape" + str(target)).input("x", 2, 3, 4).check((g, x) -> g.reshape(x.get(0), target));
    }

    static Stream<Arguments> flattenCases() {
        return Stream.of(Arguments.of(s(2, 3, 5), 0), Arguments.of(s(2, 3, 5), 1), Arguments.of(s(2, 3, 5), 2),
                Arguments.of(s(2, 3, 5), 3), Arguments.of(s(3, 1, 2, 3), -1), Arguments.of(s(5, 7), 1));
    }

    @ParameterizedTest
    @MethodSource("flattenCases")
    void flatten(long[] xs, int axis) {
        GradCheck.of("flatten" + Shapes.str(xs) + axis).input("x", xs).check((g, x) -> g.flatten(x.get(0), axis));
    }

    static Stream<Arguments> transposeCases() {
        return Stream.of(Arguments.of(s(5, 7), s(1, 0)), Arguments.of(s(2, 3, 5), s(1, 0, 2)),
                Arguments.of(s(2, 3, 5), s(2, 0, 1)), Arguments.of(s(2, 3, 5), s(0, 2, 1)),
                Arguments.of(s(2, 3, 5), s(1, 2, 0)), Arguments.of(s(2, 3, 4, 5), s(0, 2, 3, 1)),
                Arguments.of(s(2, 3, 4, 5), s(3, 1, 0, 2)));
    }

    @ParameterizedTest
    @MethodSource("transposeCases")
    void transpose(long[] xs, long[] perm) {
        GradCheck.of("transpose" + Shapes.str(xs) + str(perm)).input("x", xs).check((g, x) -> g.transpose(x.get(0), perm));
    }

    static Stream<Arguments> squeezeCases() {
        return Stream.of(Arguments.of(s(3, 1, 4, 1), s(1)), Arguments.of(s(3, 1, 4, 1), s(1, 3)),
                Arguments.of(s(3, 1, 4, 1), s(-1)), Arguments.of(s(1, 5, 7), s(0)));
    }

    @ParameterizedTest
    @MethodSource("squeezeCases")
    void squeeze(long[] xs, long[] axes) {
        GradCheck.of("squeeze" + Shapes.str(xs) + str(axes)).input("x", xs).check((g, x) -> g.squeeze(x.get(0), axes));
    }

    static Stream<Arguments> unsqueezeCases() {
        return Stream.of(Arguments.of(s(3, 4), s(0)), Arguments.of(s(3, 4), s(1, 3)),
                Arguments.of(s(3, 4), s(-1)), Arguments.of(s(5, 7), s(2, 0)));
    }

    @ParameterizedTest
    @MethodSource("unsqueezeCases")
    void unsqueeze(long[] xs, long[] axes) {
        GradCheck.of("unsqueeze" + Shapes.str(xs) + str(axes)).input("x", xs).check((g, x) -> g.unsqueeze(x.get(0), axes));
    }

    static Stream<Arguments> expandCases() {
        return Stream.of(Arguments.of(s(3, 1), s(2, 3, 4)), Arguments.of(s(4), s(3, 4)),
                Arguments.of(s(1, 5), s(3, 5)), Arguments.of(s(2, 1, 3), s(2, 4, 3)),
                Arguments.of(s(), s(2, 3)), Arguments.of(s(3, 1), s(1, 1)));
    }

    @ParameterizedTest
    @MethodSource("expandCases")
    void expand(long[] xs, long[] shape) {
        GradCheck.of("expand" + Shapes.str(xs) + str(shape)).input("x", xs).check((g, x) -> g.expand(x.get(0), shape));
    }
}
