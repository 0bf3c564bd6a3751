package org.sbgan.graphs.ir;

import java.util.Arrays;

/** Static shapes are {@code long[]}; a negative entry is a dimension unknown until run time (e.g. batch). */
public final class Shapes {
    private Shapes() {}

    public static final long DYNAMIC = -1;

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("shape " + str(shape) + " is not static");
            n *= d;
        }
        return n;
    }

    public static boolean isStatic(long[] shape) {
        for (long d : shape) if (d < 0) return false;
        return true;
    }

    public static String str(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
        }
        return sb.append(']').toString();
    }

    /** Numpy broadcasting; throws {@link ShapeError} when the shapes are incompatible. */
    public static long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.length ? 1 : a[i - (r - a.length)];
            long db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da == db) out[i] = da;
            else if (da == 1) out[i] = db;
            else if (db == 1) out[i] = da;
            else if (da < 0) out[i] = db;
            else if (db < 0) out[i] = da;
            else throw new ShapeError("shapes " + str(a) + " and " + str(b) + " do not broadcast");
        }
        return out;
    }

    public static int normAxis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ShapeError("axis " + axis + " out of range for rank " + rank);
        return a;
    }

    /** An axis in [0, rank] (inclusive end), as Flatten takes it. */
    public static int normAxisInclusive(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a > rank) throw new ShapeError("axis " + axis + " out of range for rank " + rank);
        return a;
    }

    public static long[] copy(long[] s) {
        return Arrays.copyOf(s, s.length);
    }

    public static long[] of(long... dims) {
        return dims;
    }
}
