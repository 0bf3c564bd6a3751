package org.sbgan.graphs.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.testing.GradCheck;

/** First-order gradients of ReduceSum, ReduceMean and ReduceSumSquare, against central finite differences. */
class ReductionsGradTest {
    enum Kind { SUM, MEAN, SUM_SQUARE }

    /** Single axis (positive and negative), several axes, all axes given explicitly and by omission. */
    static Stream<Arguments> cases() {
        List<Arguments> c = new ArrayList<>();
        long[][] shapes = {{3, 4, 5}, {5, 7}};
        long[][][] axesPerShape = {
            {{1}, {-1}, {0}, {0, 2}, {2, 0, 1}, {}},
            {{0}, {1}, {0, 1}, {}},
        };
        for (Kind k : Kind.values()) {
            for (int i = 0; i < shapes.length; i++) {
                for (long[] axes : axesPerShape[i]) {
                    for (boolean keep : new boolean[] {true, false}) c.add(Arguments.of(k, shapes[i], axes, keep));
                }
            }
        }
        return c.stream();
    }

    private static Value reduce(Graph g, Kind k, Value x, boolean keep, long[] axes) {
        return switch (k) {
            case SUM -> g.reduceSum(x, keep, axes);
            case MEAN -> g.reduceMean(x, keep, axes);
            case SUM_SQUARE -> g.reduceSumSquare(x, keep, axes);
        };
    }

    @ParameterizedTest(name = "{0} {1} axes {2} keepdims {3}")
    @MethodSource("cases")
    void reduce(Kind k, long[] xs, long[] axes, boolean keep) {
        String name = k + Shapes.str(xs) + Arrays.toString(axes) + keep;
        GradCheck.of(name).input("x", xs).check((g, x) -> reduce(g, k, x.get(0), keep, axes));
    }
}
