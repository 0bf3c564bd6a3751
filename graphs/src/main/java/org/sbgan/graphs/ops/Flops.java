package org.sbgan.graphs.ops;

import java.util.Collection;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Node;
import org.sbgan.graphs.ir.Value;

/**
 * Floating-point operations needed to compute some outputs of a graph: multiply-adds count 2 (Conv,
 * ConvTranspose, MatMul, Gemm), arithmetic 1 per element, pure data movement 0. A dynamic dimension
 * counts as 1, so the figure is per sample for inference graphs with a symbolic batch.
 */
public final class Flops {
    private Flops() {}

    public static long of(Graph g, Collection<Value> outputs) {
        long total = 0;
        for (Node n : g.nodesNeededFor(outputs)) total += of(n);
        return total;
    }

    public static long of(Node n) {
        Value y = n.out(0);
        return switch (n.op().type()) {
            case "Conv" -> 2 * count(y) * count(n.in(1)) / dim(n.in(1), 0);
            case "ConvTranspose" -> 2 * count(n.in(0)) * count(n.in(1)) / dim(n.in(1), 0);
            case "MatMul" -> 2 * count(y) * dim(n.in(0), n.in(0).rank() - 1);
            case "Gemm" -> 2 * count(y) * (n.attrs().i("transA", 0) != 0 ? dim(n.in(0), 0) : dim(n.in(0), 1));
            case "AveragePool", "MaxPool" -> count(y) * product(n.attrs().ints("kernel_shape"));
            case "ReduceSum", "ReduceMean", "ReduceSumSquare" -> count(n.in(0));
            case "Softmax", "LogSoftmax" -> 3 * count(y);
            case "GumbelSoftmaxST" -> 5 * count(y);
            case "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Expand", "Slice", "Pad", "Concat", "Split",
                    "Identity", "Shape", "Cast", "Resize", "OneHot", "ArgMax", "Constant" -> 0;
            default -> y.dtype().isFloating() ? count(y) : 0;
        };
    }

    private static long count(Value v) {
        long n = 1;
        for (long d : v.shape()) n *= Math.max(d, 1);
        return n;
    }

    private static long dim(Value v, int axis) {
        return Math.max(v.shape()[axis], 1);
    }

    private static long product(long[] a) {
        long p = 1;
        for (long v : a) p *= v;
        return p;
    }
}
