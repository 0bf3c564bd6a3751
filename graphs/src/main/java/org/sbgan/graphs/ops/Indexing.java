package org.sbgan.graphs.ops;

import java.util.Arrays;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.ShapeError;
import org.sbgan.graphs.ir.Shapes;

/** ArgMax and OneHot: piecewise constant, so they have no gradient rule (integer values carry none). */
public final class Indexing {
    private Indexing() {}

    public static final Op ARG_MAX = Op.nonDifferentiable("ArgMax", (in, a) -> {
        long[] s = in.get(0).shape();
        int axis = Shapes.normAxis((int) a.i("axis", 0), s.length);
        long[] out;
        if (a.i("keepdims", 1) != 0) {
            out = s.clone();
            out[axis] = 1;
        } else {
            out = new long[s.length - 1];
            for (int i = 0, j = 0; i < s.length; i++) if (i != axis) out[j++] = s[i];
        }
        return Rules.one(DType.INT64, out);
    });

    public static final Op ONE_HOT = Op.nonDifferentiable("OneHot", (in, a) -> {
        if (in.get(0).dtype() != DType.INT64) throw new ShapeError("indices must be INT64, got " + in.get(0).dtype());
        long depth = Rules.constInts(in.get(1), "OneHot depth")[0];
        long[] s = in.get(0).shape();
        int axis = Shapes.normAxisInclusive((int) a.i("axis", -1), s.length);
        long[] out = new long[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis ? depth : s[j++];
        if (Arrays.stream(out).anyMatch(d -> d == 0)) throw new ShapeError("zero-sized one-hot");
        return Rules.one(in.get(2).dtype(), out);
    });
}
