package org.sbgan.graphs.ops;

import java.util.Arrays;
import java.util.List;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.ShapeError;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.ops.Op.Out;
import org.sbgan.graphs.ops.Op.ShapeRule;

/** Shape-rule building blocks and small helpers shared by the op catalog. */
final class Rules {
    private Rules() {}

    /** Gradients of a node's inputs, in input order; null entries mean "no gradient". */
    static List<Value> grads(Value... g) {
        return Arrays.asList(g);
    }

    static List<Out> one(DType t, long[] shape) {
        return List.of(new Out(t, shape));
    }

    /** Output has the first input's type and shape. */
    static final ShapeRule SAME = (in, a) -> one(in.get(0).dtype(), in.get(0).shape());

    /** Float unary op. */
    static final ShapeRule FLOAT_SAME = (in, a) -> {
        requireFloat(in.get(0), "input");
        return one(in.get(0).dtype(), in.get(0).shape());
    };

    /** Float unary op along attribute {@code axis} (Softmax): a missing axis must fail here, not in ONNX Runtime. */
    static final ShapeRule FLOAT_SAME_AXIS = (in, a) -> {
        Shapes.normAxis((int) a.i("axis", -1), in.get(0).rank());
        return FLOAT_SAME.infer(in, a);
    };

    /** Elementwise over all inputs with numpy broadcasting; all of one float type. */
    static final ShapeRule BROADCAST = (in, a) -> {
        long[] s = in.get(0).shape();
        for (int i = 1; i < in.size(); i++) {
            if (in.get(i).dtype() != in.get(0).dtype()) {
                throw new ShapeError("element types differ (" + in.get(0).dtype() + " vs " + in.get(i).dtype() + ")");
            }
            s = Shapes.broadcast(s, in.get(i).shape());
        }
        return one(in.get(0).dtype(), s);
    };

    /** Comparison: broadcast, boolean output. */
    static final ShapeRule COMPARE = (in, a) -> one(DType.BOOL, BROADCAST.infer(in, a).get(0).shape());

    static void requireFloat(Value v, String what) {
        if (!v.dtype().isFloating()) throw new ShapeError(what + " must be floating point, got " + v.dtype());
    }

    static void requireRank(Value v, int rank, String what) {
        if (v.rank() != rank) throw new ShapeError(what + " must have rank " + rank + ", got " + Shapes.str(v.shape()));
    }

    /** The build-time value of an int64 constant input (axes, pads, shapes...). */
    static long[] constInts(Value v, String what) {
        if (v == null) return null;
        Tensor t = v.constant();
        if (t == null) throw new ShapeError(what + " must be a constant known when the graph is built");
        return t.longs();
    }

    static float constScalar(Value v, String what) {
        Tensor t = v == null ? null : v.constant();
        if (t == null || t.numel() != 1) throw new ShapeError(what + " must be a constant scalar");
        return t.floats()[0];
    }

    static long[] requireStatic(Value v, String what) {
        long[] s = v.shape();
        if (!Shapes.isStatic(s)) throw new ShapeError(what + " needs a static shape, got " + Shapes.str(s));
        return s;
    }
}
