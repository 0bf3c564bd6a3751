package org.sbgan.graphs.ops;

import static org.sbgan.graphs.ops.Rules.grads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.ShapeError;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.ops.Op.Out;

/**
 * Ops that move data without arithmetic. Their gradients move it back: Slice's gradient places the
 * incoming gradient at the sliced positions (dilate, then pad), Pad's slices it out, Concat's splits it.
 * Gradients need static shapes (training graphs have them).
 */
public final class Shaping {
    private Shaping() {}

    public static final Op RESHAPE = Op.of("Reshape", (in, a) -> {
        long[] target = Rules.constInts(in.get(1), "Reshape shape");
        return Rules.one(in.get(0).dtype(), reshapeResult(in.get(0).shape(), target));
    }, (g, n, gy) -> grads(g.reshape(gy.get(0), Rules.requireStatic(n.in(0), "Reshape gradient")), null));

    public static final Op FLATTEN = Op.of("Flatten", (in, a) -> {
        long[] s = in.get(0).shape();
        int axis = Shapes.normAxisInclusive((int) a.i("axis", 1), s.length);
        long outer = 1, inner = 1;
        for (int i = 0; i < s.length; i++) {
            if (i < axis) outer = outer < 0 || s[i] < 0 ? -1 : outer * s[i];
            else inner = inner < 0 || s[i] < 0 ? -1 : inner * s[i];
        }
        return Rules.one(in.get(0).dtype(), new long[] {outer, inner});
    }, (g, n, gy) -> grads(g.reshape(gy.get(0), Rules.requireStatic(n.in(0), "Flatten gradient"))));

    public static final Op TRANSPOSE = Op.of("Transpose", (in, a) -> {
        long[] s = in.get(0).shape();
        long[] perm = a.ints("perm");
        if (perm.length != s.length) throw new ShapeError("perm " + Arrays.toString(perm) + " does not match rank " + s.length);
        boolean[] seen = new boolean[s.length];
        long[] out = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            int p = (int) perm[i];
            if (p < 0 || p >= s.length || seen[p]) throw new ShapeError("perm " + Arrays.toString(perm) + " is not a permutation");
            seen[p] = true;
            out[i] = s[p];
        }
        return Rules.one(in.get(0).dtype(), out);
    }, (g, n, gy) -> {
        long[] perm = n.attrs().ints("perm");
        long[] inv = new long[perm.length];
        for (int i = 0; i < perm.length; i++) inv[(int) perm[i]] = i;
        return grads(g.transpose(gy.get(0), inv));
    });

    public static final Op SQUEEZE = Op.of("Squeeze", (in, a) -> {
        long[] s = in.get(0).shape();
        long[] axes = Rules.constInts(in.get(1), "Squeeze axes");
        boolean[] drop = new boolean[s.length];
        for (long ax : axes) {
            int x = Shapes.normAxis((int) ax, s.length);
            if (s[x] != 1) throw new ShapeError("cannot squeeze axis " + ax + " of size " + s[x]);
            drop[x] = true;
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < s.length; i++) if (!drop[i]) out.add(s[i]);
        return Rules.one(in.get(0).dtype(), out.stream().mapToLong(Long::longValue).toArray());
    }, (g, n, gy) -> grads(g.reshape(gy.get(0), Rules.requireStatic(n.in(0), "Squeeze gradient")), null));

    public static final Op UNSQUEEZE = Op.of("Unsqueeze", (in, a) -> {
        long[] s = in.get(0).shape();
        long[] axes = Rules.constInts(in.get(1), "Unsqueeze axes");
        int r = s.length + axes.length;
        boolean[] ins = new boolean[r];
        for (long ax : axes) ins[Shapes.normAxis((int) ax, r)] = true;
        long[] out = new long[r];
        for (int i = 0, j = 0; i < r; i++) out[i] = ins[i] ? 1 : s[j++];
        return Rules.one(in.get(0).dtype(), out);
    }, (g, n, gy) -> grads(g.reshape(gy.get(0), Rules.requireStatic(n.in(0), "Unsqueeze gradient")), null));

    public static final Op EXPAND = Op.of("Expand", (in, a) ->
            Rules.one(in.get(0).dtype(), Shapes.broadcast(in.get(0).shape(), Rules.constInts(in.get(1), "Expand shape"))),
            (g, n, gy) -> grads(g.sumTo(gy.get(0), n.in(0)), null));

    // Constant mode only, non-negative pads; the gradient slices the interior back out.
    public static final Op PAD = Op.of("Pad", (in, a) -> {
        long[] s = in.get(0).shape();
        long[] pads = Rules.constInts(in.get(1), "Pad pads");
        if (!"constant".equals(a.s("mode", "constant"))) throw new ShapeError("only constant padding is supported");
        if (pads.length != 2 * s.length) throw new ShapeError("pads " + Arrays.toString(pads) + " need " + 2 * s.length + " entries");
        long[] out = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            if (pads[i] < 0 || pads[i + s.length] < 0) throw new ShapeError("negative pads " + Arrays.toString(pads));
            out[i] = s[i] < 0 ? -1 : s[i] + pads[i] + pads[i + s.length];
        }
        return Rules.one(in.get(0).dtype(), out);
    }, (g, n, gy) -> {
        long[] s = Rules.requireStatic(n.in(0), "Pad gradient");
        long[] pads = Rules.constInts(n.in(1), "Pad pads");
        int r = s.length;
        long[] starts = new long[r], ends = new long[r], axes = new long[r], steps = new long[r];
        for (int i = 0; i < r; i++) {
            starts[i] = pads[i];
            ends[i] = pads[i] + s[i];
            axes[i] = i;
            steps[i] = 1;
        }
        return n.inputs().size() > 2 ? grads(g.slice(gy.get(0), starts, ends, axes, steps), null, null)
                : grads(g.slice(gy.get(0), starts, ends, axes, steps), null);
    });

    public static final Op CONCAT = Op.of("Concat", (in, a) -> {
        if (in.isEmpty()) throw new ShapeError("needs at least one input");
        long[] s0 = in.get(0).shape();
        int axis = Shapes.normAxis((int) a.i("axis", 0), s0.length);
        long[] out = s0.clone();
        for (int i = 1; i < in.size(); i++) {
            long[] s = in.get(i).shape();
            if (s.length != s0.length) throw new ShapeError("ranks differ");
            if (in.get(i).dtype() != in.get(0).dtype()) throw new ShapeError("element types differ");
            for (int d = 0; d < s.length; d++) {
                if (d == axis) out[d] = out[d] < 0 || s[d] < 0 ? -1 : out[d] + s[d];
                else if (s[d] >= 0 && s0[d] >= 0 && s[d] != s0[d]) throw new ShapeError("sizes differ on axis " + d);
            }
        }
        return Rules.one(in.get(0).dtype(), out);
    }, (g, n, gy) -> {
        int axis = Shapes.normAxis((int) n.attrs().i("axis", 0), n.in(0).rank());
        long[] sizes = new long[n.inputs().size()];
        for (int i = 0; i < sizes.length; i++) sizes[i] = Rules.requireStatic(n.in(i), "Concat gradient")[axis];
        if (sizes.length == 1) return grads(gy.get(0));
        return g.split(gy.get(0), axis, sizes);
    });

    public static final Op SPLIT = Op.of("Split", (in, a) -> {
        long[] s = in.get(0).shape();
        int axis = Shapes.normAxis((int) a.i("axis", 0), s.length);
        long[] sizes = Rules.constInts(in.get(1), "Split sizes");
        long total = 0;
        List<Out> outs = new ArrayList<>();
        for (long sz : sizes) {
            long[] o = s.clone();
            o[axis] = sz;
            total += sz;
            outs.add(new Out(in.get(0).dtype(), o));
        }
        if (s[axis] >= 0 && total != s[axis]) throw new ShapeError("split sizes " + Arrays.toString(sizes) + " do not add up to " + s[axis]);
        return outs;
    }, (g, n, gy) -> {
        int axis = Shapes.normAxis((int) n.attrs().i("axis", 0), n.in(0).rank());
        Value[] parts = new Value[gy.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = gy.get(i) != null ? gy.get(i) : g.zeros(Rules.requireStatic(n.out(i), "Split gradient"));
        }
        return grads(g.concat(axis, parts), null);
    });

    public static final Op SLICE = Op.of("Slice", (in, a) -> {
        SliceSpec sp = SliceSpec.of(in.get(0).shape(), in);
        return Rules.one(in.get(0).dtype(), sp.outShape());
    }, (g, n, gy) -> {
        long[] s = Rules.requireStatic(n.in(0), "Slice gradient");
        SliceSpec sp = SliceSpec.of(s, n.inputs());
        Value[] rest = new Value[n.inputs().size()];
        rest[0] = sliceGrad(g, gy.get(0), s, sp.starts, sp.steps, sp.counts);
        return Arrays.asList(rest);
    });

    public static final Op SHAPE = Op.nonDifferentiable("Shape", (in, a) -> Rules.one(DType.INT64, new long[] {in.get(0).rank()}));

    /** Normalised per-axis slice parameters (ONNX clamping rules), for every axis of the input. */
    record SliceSpec(long[] starts, long[] steps, long[] counts) {
        static SliceSpec of(long[] shape, List<Value> in) {
            long[] st = Rules.constInts(in.get(1), "Slice starts");
            long[] en = Rules.constInts(in.get(2), "Slice ends");
            long[] ax = in.size() > 3 && in.get(3) != null ? Rules.constInts(in.get(3), "Slice axes") : null;
            long[] sp = in.size() > 4 && in.get(4) != null ? Rules.constInts(in.get(4), "Slice steps") : null;
            int r = shape.length;
            long[] starts = new long[r], steps = new long[r], counts = shape.clone();
            Arrays.fill(steps, 1);
            for (int i = 0; i < st.length; i++) {
                int axis = Shapes.normAxis(ax == null ? i : (int) ax[i], r);
                long step = sp == null ? 1 : sp[i];
                if (step == 0) throw new ShapeError("slice step 0");
                long dim = shape[axis];
                if (dim < 0) throw new ShapeError("slicing a dynamic axis " + axis + " is not supported");
                long s = st[i], e = en[i];
                if (s < 0) s += dim;
                if (e < 0 && e > Long.MIN_VALUE / 2) e += dim;
                if (step > 0) {
                    s = clamp(s, 0, dim);
                    e = clamp(e, 0, dim);
                    counts[axis] = Math.max(0, (e - s + step - 1) / step);
                } else {
                    s = clamp(s, 0, dim - 1);
                    e = clamp(e, -1, dim - 1);
                    counts[axis] = Math.max(0, (s - e + (-step) - 1) / (-step));
                }
                starts[axis] = s;
                steps[axis] = step;
            }
            return new SliceSpec(starts, steps, counts);
        }

        long[] outShape() {
            return counts.clone();
        }

        private static long clamp(long v, long lo, long hi) {
            return Math.max(lo, Math.min(hi, v));
        }
    }

    /**
     * The adjoint of a strided slice: puts {@code gy} (counts[i] elements per axis, taken from
     * start[i] with step[i]) back into a zero tensor of {@code shape}. Built from Slice, Reshape and Pad,
     * so it is differentiable itself.
     */
    public static Value sliceGrad(Graph g, Value gy, long[] shape, long[] starts, long[] steps, long[] counts) {
        Value cur = gy;
        int r = shape.length;
        for (int ax = 0; ax < r; ax++) {
            long n = counts[ax], step = steps[ax], start = starts[ax], len = shape[ax];
            if (step == 1 && n == len) continue;
            if (step < 0) { // reverse, then it is a forward slice from the smallest index taken
                cur = g.slice(cur, new long[] {-1}, new long[] {Long.MIN_VALUE}, new long[] {ax}, new long[] {-1});
                start = start + (n - 1) * step;
                step = -step;
            }
            if (step > 1) cur = dilate(g, cur, ax, step);
            long occupied = n * step; // dilation leaves step-1 zeros after the last element
            long after = len - start - occupied;
            if (after < 0) {
                cur = g.slice(cur, new long[] {0}, new long[] {occupied + after}, new long[] {ax}, new long[] {1});
                after = 0;
            }
            long[] pads = new long[2 * r];
            pads[ax] = start;
            pads[ax + r] = after;
            if (start != 0 || after != 0) cur = g.pad(cur, pads, 0f);
        }
        return cur;
    }

    /** Inserts {@code factor − 1} zeros after every element along {@code axis} (length n → n·factor). */
    public static Value dilate(Graph g, Value x, int axis, long factor) {
        long[] s = Rules.requireStatic(x, "dilation");
        int r = s.length;
        long[] expanded = new long[r + 1];
        for (int i = 0, j = 0; i < r; i++) {
            expanded[j++] = s[i];
            if (i == axis) expanded[j++] = 1;
        }
        long[] pads = new long[2 * (r + 1)];
        pads[axis + 1 + r + 1] = factor - 1;
        long[] merged = s.clone();
        merged[axis] = s[axis] * factor;
        return g.reshape(g.pad(g.reshape(x, expanded), pads, 0f), merged);
    }

    /** Sums a broadcast gradient back to {@code target}: over leading axes and over axes of size 1. */
    public static Value sumTo(Graph g, Value grad, long[] target) {
        long[] s = grad.shape();
        if (Arrays.equals(s, target)) return grad;
        if (!Shapes.isStatic(s) || !Shapes.isStatic(target)) {
            throw new ShapeError("gradient broadcast from " + Shapes.str(target) + " to " + Shapes.str(s) + " needs static shapes");
        }
        int lead = s.length - target.length;
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            if (i < lead || (target[i - lead] == 1 && s[i] != 1)) axes.add((long) i);
        }
        Value r = axes.isEmpty() ? grad : g.reduceSum(grad, true, axes.stream().mapToLong(Long::longValue).toArray());
        return Arrays.equals(r.shape(), target) ? r : g.reshape(r, target);
    }

    static long[] reshapeResult(long[] in, long[] target) {
        long[] out = target.clone();
        int infer = -1;
        long known = 1;
        boolean dynamic = false;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                if (i >= in.length) throw new ShapeError("0 in shape at axis " + i + " but input has rank " + in.length);
                out[i] = in[i];
            }
            if (out[i] == -1) {
                if (infer >= 0) throw new ShapeError("more than one -1 in shape " + Arrays.toString(target));
                infer = i;
            } else if (out[i] < 0) {
                dynamic = true;
            } else {
                known *= out[i];
            }
        }
        boolean inStatic = Shapes.isStatic(in);
        if (infer >= 0) {
            if (inStatic && !dynamic) {
                long total = Shapes.numel(in);
                if (known == 0 || total % known != 0) throw new ShapeError("cannot reshape " + Shapes.str(in) + " to " + Arrays.toString(target));
                out[infer] = total / known;
            } else {
                out[infer] = -1;
            }
        } else if (inStatic && Shapes.isStatic(out) && Shapes.numel(in) != Shapes.numel(out)) {
            throw new ShapeError("cannot reshape " + Shapes.str(in) + " (" + Shapes.numel(in) + " elements) to " + Shapes.str(out));
        }
        return out;
    }
}
