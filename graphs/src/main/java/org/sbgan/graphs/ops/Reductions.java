package org.sbgan.graphs.ops;

import static org.sbgan.graphs.ops.Rules.grads;

import java.util.ArrayList;
import java.util.List;
import org.sbgan.graphs.ir.Attrs;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Node;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.ops.Op.Out;

/**
 * Reductions over constant axes (no axes = all axes). Gradient: reshape to the kept-dims shape and
 * broadcast back over the input (scaled for the mean, times 2x for the sum of squares).
 */
public final class Reductions {
    private Reductions() {}

    static final Op.ShapeRule REDUCE = (in, a) -> {
        Rules.requireFloat(in.get(0), "input");
        return List.of(new Out(in.get(0).dtype(), reducedShape(in.get(0).shape(), axes(in), a.i("keepdims", 1) != 0)));
    };

    public static final Op REDUCE_SUM = Op.of("ReduceSum", REDUCE, (g, n, gy) -> withAxes(n, spread(g, n, gy.get(0))));

    public static final Op REDUCE_MEAN = Op.of("ReduceMean", REDUCE, (g, n, gy) -> {
        long count = Shapes.numel(Rules.requireStatic(n.in(0), "ReduceMean gradient")) / Shapes.numel(n.out(0).shape());
        return withAxes(n, g.div(spread(g, n, gy.get(0)), (float) count));
    });

    public static final Op REDUCE_SUM_SQUARE = Op.of("ReduceSumSquare", REDUCE, (g, n, gy) ->
            withAxes(n, g.mul(spread(g, n, gy.get(0)), g.mul(n.in(0), 2f))));

    /** Broadcasts the gradient of the reduced output back to the input's shape. */
    private static Value spread(Graph g, Node n, Value gy) {
        long[] in = Rules.requireStatic(n.in(0), "reduction gradient");
        long[] kept = reducedShape(in, axes(n.inputs()), true);
        Value k = java.util.Arrays.equals(gy.shape(), kept) ? gy : g.reshape(gy, kept);
        return java.util.Arrays.equals(kept, in) ? k : g.expand(k, in);
    }

    private static List<Value> withAxes(Node n, Value gx) {
        return n.inputs().size() > 1 ? grads(gx, null) : grads(gx);
    }

    static long[] axes(List<Value> in) {
        return in.size() > 1 && in.get(1) != null ? Rules.constInts(in.get(1), "reduction axes") : new long[0];
    }

    static long[] reducedShape(long[] s, long[] axes, boolean keep) {
        boolean[] red = new boolean[s.length];
        if (axes.length == 0) java.util.Arrays.fill(red, true);
        for (long ax : axes) red[Shapes.normAxis((int) ax, s.length)] = true;
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            if (!red[i]) out.add(s[i]);
            else if (keep) out.add(1L);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

}
