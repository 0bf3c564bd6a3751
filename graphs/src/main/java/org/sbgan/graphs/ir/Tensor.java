package org.sbgan.graphs.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor held on the Java heap: constants in graphs, initial training state, reference results.
 * Exactly one of {@code floats} / {@code longs} is set, according to {@code dtype}
 * (BOOL and INT32 values are kept in {@code longs}).
 */
public final class Tensor {
    public final DType dtype;
    public final long[] shape;
    private final float[] floats;
    private final long[] longs;

    private Tensor(DType dtype, long[] shape, float[] floats, long[] longs) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
        long n = Shapes.numel(shape);
        int len = floats != null ? floats.length : longs.length;
        if (len != n) throw new IllegalArgumentException("tensor data has " + len + " values, shape " + Shapes.str(shape) + " needs " + n);
    }

    public static Tensor floats(float[] data, long... shape) {
        return new Tensor(DType.FLOAT, shape, data, null);
    }

    public static Tensor longs(long[] data, long... shape) {
        return new Tensor(DType.INT64, shape, null, data);
    }

    public static Tensor of(DType dtype, long[] shape, long[] data) {
        if (dtype.isFloating()) throw new IllegalArgumentException("use floats() for " + dtype);
        return new Tensor(dtype, shape, null, data);
    }

    public static Tensor scalar(float v) {
        return floats(new float[] {v});
    }

    public static Tensor zeros(long... shape) {
        return floats(new float[Math.toIntExact(Shapes.numel(shape))], shape);
    }

    public static Tensor filled(float v, long... shape) {
        float[] d = new float[Math.toIntExact(Shapes.numel(shape))];
        Arrays.fill(d, v);
        return floats(d, shape);
    }

    public float[] floats() {
        if (floats == null) throw new IllegalStateException("tensor of " + dtype + " has no float data");
        return floats;
    }

    public long[] longs() {
        if (longs == null) throw new IllegalStateException("tensor of " + dtype + " has no integer data");
        return longs;
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public int rank() {
        return shape.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(floats), Arrays.hashCode(longs));
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype + Shapes.str(shape) + ")";
    }
}
