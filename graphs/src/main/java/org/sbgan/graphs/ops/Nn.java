package org.sbgan.graphs.ops;

import static org.sbgan.graphs.ops.Rules.grads;

import java.util.ArrayList;
import java.util.List;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.ShapeError;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;

/**
 * Convolution, pooling and nearest resampling on NCHW tensors (group 1, dilation 1, floor rounding).
 *
 * <p>Convolution gradients use the formulations measured fastest on ONNX Runtime CPU (docs/BENCHMARKS.md):
 * dX as a convolution of dY with the flipped, transposed kernel (stride 1, {@link #stride1DxFor}) or as a
 * ConvTranspose (stride > 1, where dilating dY would waste stride² work); dW from the kernel-tap windows of X in NHWC, in the
 * GEMM arrangement measured fastest for the shape ({@link #weightGradFor}). Every op used here has its own rule,
 * so a gradient can be differentiated again.
 */
public final class Nn {
    private Nn() {}

    /**
     * How a convolution's forward is formed. ORT_CONV is ONNX Runtime's Conv, which runs an im2col and a GEMM per
     * image. SELECT_GEMM gathers the taps of all images with one MatMul against a constant 0/1 selection matrix
     * (padding and stride included) and multiplies them by W in one GEMM: on small images with many channels the
     * weights are read once instead of once per image. Its backward follows from the two products (the
     * selection's transpose is the col2im).
     */
    public enum ConvForward { ORT_CONV, SELECT_GEMM }

    /**
     * SELECT_GEMM for small outputs (Ho·Wo ≤ 64) of wide layers, where the selection product costs at most a
     * quarter of the convolution (input H·W ≤ O / 4) and the input has at least 16 channels; ORT's Conv
     * otherwise (docs/BENCHMARKS.md). Only for static shapes.
     */
    public static ConvForward convForwardFor(long[] xShape, long outChannels, long outPixels) {
        for (long d : xShape) if (d < 0) return ConvForward.ORT_CONV;
        boolean small = outPixels <= 64 && 4 * xShape[2] * xShape[3] <= outChannels && xShape[1] >= 16;
        return small ? ConvForward.SELECT_GEMM : ConvForward.ORT_CONV;
    }

    /** How dX of a strided convolution is formed (a graph's {@link ConvGradients} chooses). */
    public enum StridedDx { DILATED_CONV, CONV_TRANSPOSE }

    /** How dX of a stride-1 convolution is formed: conv(dY, flip(Wᵀ)) or ConvTranspose(dY, W). */
    public enum Stride1Dx { FLIPPED_CONV, CONV_TRANSPOSE }

    /**
     * The stride-1 dX formulation measured fastest (docs/BENCHMARKS.md, {@code bench conv --sweep}): the
     * flipped conv wherever there is enough work per sample (up to 12× faster), ConvTranspose on small
     * outputs (Ho·Wo ≤ 64) and thin inputs (C ≤ 4), the same boundary as the dW rule's im2col case.
     */
    public static Stride1Dx stride1DxFor(long inChannels, long outPixels) {
        return inChannels <= 4 || outPixels <= 64 ? Stride1Dx.CONV_TRANSPOSE : Stride1Dx.FLIPPED_CONV;
    }

    /**
     * How dW of a convolution is formed. All three contract dY against the kernel-tap windows of X: TAP_GEMM as
     * one 2-D GEMM per tap ([O, N·Ho·Wo] × [N·Ho·Wo, C], X transposed once to NHWC); TAP_BATCHED as one batched
     * MatMul per tap ([N, O, Ho·Wo] × [N, Ho·Wo, C], NHWC) summed over N; IM2COL as one GEMM against all taps
     * stacked ([O, N·Ho·Wo] × [C·kh·kw, N·Ho·Wo]ᵀ, X transposed once to [C, N, H, W]).
     */
    public enum WeightGrad { TAP_GEMM, TAP_BATCHED, IM2COL }

    /**
     * The dW formulation measured fastest for a shape on ORT CPU (docs/BENCHMARKS.md, from
     * {@code sbgan-cli bench conv --sweep}, 3×3 kernels): stride did not matter, the per-sample output size
     * Ho·Wo and the input channels did. Batched per-tap MatMuls from 32×32 outputs up (all benchmark cases at
     * stride 1, 2 and (1, 2)), one im2col GEMM at 8×8 and below and for inputs of ≤ 4 channels (RGB), where
     * per-tap products are too thin, and per-tap 2-D GEMMs in between.
     */
    public static WeightGrad weightGradFor(long inChannels, long outPixels) {
        if (inChannels <= 4 || outPixels <= 64) return WeightGrad.IM2COL;
        return outPixels >= 1024 ? WeightGrad.TAP_BATCHED : WeightGrad.TAP_GEMM;
    }

    public static final Op CONV = Op.of("Conv", (in, a) -> {
        Value x = in.get(0), w = in.get(1);
        Rules.requireFloat(x, "input");
        Rules.requireRank(x, 4, "input");
        Rules.requireRank(w, 4, "weight");
        if (x.dim(1) >= 0 && x.dim(1) != w.dim(1)) {
            throw new ShapeError("input has " + x.dim(1) + " channels but the weight expects " + w.dim(1));
        }
        if (in.size() > 2 && in.get(2) != null && (in.get(2).rank() != 1 || in.get(2).dim(0) != w.dim(0))) {
            throw new ShapeError("bias must have shape [" + w.dim(0) + "]");
        }
        long[] k = {w.dim(2), w.dim(3)};
        return Rules.one(x.dtype(), new long[] {x.dim(0), w.dim(0),
                outSize(x.dim(2), k[0], a.ints("strides")[0], a.ints("pads")[0], a.ints("pads")[2]),
                outSize(x.dim(3), k[1], a.ints("strides")[1], a.ints("pads")[1], a.ints("pads")[3])});
    }, (g, n, gy) -> {
        long[] strides = n.attrs().ints("strides"), pads = n.attrs().ints("pads");
        Value x = n.in(0), w = n.in(1), d = gy.get(0);
        Value dx = convInputGrad(g, d, w, Rules.requireStatic(x, "Conv gradient"), strides, pads);
        Value dw = convWeightGrad(g, x, d, new long[] {w.dim(2), w.dim(3)}, strides, pads);
        if (n.in(2) == null) return grads(dx, dw);
        return grads(dx, dw, g.reduceSum(d, false, 0, 2, 3));
    });

    // y = convT(x, w): dX = conv(dY, w) with the same strides and pads; dW is the conv-dW formula with the
    // roles of x and dY swapped.
    public static final Op CONV_TRANSPOSE = Op.of("ConvTranspose", (in, a) -> {
        Value x = in.get(0), w = in.get(1);
        Rules.requireRank(x, 4, "input");
        Rules.requireRank(w, 4, "weight");
        if (x.dim(1) >= 0 && x.dim(1) != w.dim(0)) {
            throw new ShapeError("input has " + x.dim(1) + " channels but the weight expects " + w.dim(0));
        }
        long[] s = a.ints("strides"), p = a.ints("pads"), op = a.ints("output_padding", new long[] {0, 0});
        long[] out = {x.dim(0), w.dim(1), -1, -1};
        for (int i = 0; i < 2; i++) {
            if (op[i] >= s[i]) throw new ShapeError("output_padding must be smaller than the stride");
            long l = x.dim(2 + i);
            out[2 + i] = l < 0 ? -1 : (l - 1) * s[i] + op[i] + w.dim(2 + i) - p[i] - p[i + 2];
        }
        return Rules.one(x.dtype(), out);
    }, (g, n, gy) -> {
        long[] s = n.attrs().ints("strides"), p = n.attrs().ints("pads");
        Value x = n.in(0), w = n.in(1), d = gy.get(0);
        Value dx = g.conv(d, w, null, new ConvSpec(s, p));
        Value dw = convWeightGrad(g, d, x, new long[] {w.dim(2), w.dim(3)}, s, p);
        return grads(dx, dw);
    });

    public static final Op AVERAGE_POOL = Op.of("AveragePool", Nn::poolShape, (g, n, gy) -> {
        long[] k = n.attrs().ints("kernel_shape"), s = n.attrs().ints("strides"), p = n.attrs().ints("pads");
        boolean includePad = n.attrs().i("count_include_pad", 0) != 0;
        long[] xs = Rules.requireStatic(n.in(0), "AveragePool gradient");
        Value d = gy.get(0);
        boolean tiles = k[0] == s[0] && k[1] == s[1] && allZero(p) && xs[2] % k[0] == 0 && xs[3] % k[1] == 0;
        if (tiles) { // non-overlapping windows: each input cell gets 1/(kh·kw) of its window's gradient
            return grads(g.div(g.upsampleNearest(d, (int) k[0], (int) k[1]), (float) (k[0] * k[1])));
        }
        long ho = d.dim(2), wo = d.dim(3);
        float[] inv = new float[(int) (ho * wo)];
        for (int i = 0; i < ho; i++) {
            for (int j = 0; j < wo; j++) {
                long ch = includePad ? k[0] : overlap(i * s[0] - p[0], k[0], xs[2]);
                long cw = includePad ? k[1] : overlap(j * s[1] - p[1], k[1], xs[3]);
                inv[(int) (i * wo + j)] = 1f / (ch * cw);
            }
        }
        Value scaled = g.mul(d, g.constant(Tensor.floats(inv, 1, 1, ho, wo)));
        Value flat = g.reshape(scaled, xs[0] * xs[1], 1, ho, wo);
        Value ones = g.constant(Tensor.filled(1f, 1, 1, k[0], k[1]));
        Value dx = convInputGrad(g, flat, ones, new long[] {xs[0] * xs[1], 1, xs[2], xs[3]}, s, p);
        return grads(g.reshape(dx, xs));
    });

    // The gradient goes to the first maximal element of each window (ties resolved in scan order).
    public static final Op MAX_POOL = Op.of("MaxPool", Nn::poolShape, (g, n, gy) -> {
        long[] k = n.attrs().ints("kernel_shape"), s = n.attrs().ints("strides"), p = n.attrs().ints("pads");
        long[] xs = Rules.requireStatic(n.in(0), "MaxPool gradient");
        Value x = n.in(0), y = n.out(0), d = gy.get(0);
        Value xp = allZero(p) ? x : g.pad(x, new long[] {0, 0, p[0], p[1], 0, 0, p[2], p[3]}, -Float.MAX_VALUE);
        long[] ps = xp.shape();
        long ho = y.dim(2), wo = y.dim(3);
        Value taken = null, sum = null;
        for (long i = 0; i < k[0]; i++) {
            for (long j = 0; j < k[1]; j++) {
                Value win = g.slice(xp, new long[] {i, j}, new long[] {i + (ho - 1) * s[0] + 1, j + (wo - 1) * s[1] + 1},
                        new long[] {2, 3}, new long[] {s[0], s[1]});
                Value hit = g.equal(win, y);
                if (taken != null) hit = g.and(hit, g.not(taken));
                taken = taken == null ? hit : g.or(taken, hit);
                Value part = Shaping.sliceGrad(g, g.where(hit, d, 0f), ps,
                        new long[] {0, 0, i, j}, new long[] {1, 1, s[0], s[1]}, new long[] {ps[0], ps[1], ho, wo});
                sum = sum == null ? part : g.add(sum, part);
            }
        }
        if (allZero(p)) return grads(sum);
        return grads(g.slice(sum, new long[] {p[0], p[1]}, new long[] {p[0] + xs[2], p[1] + xs[3]}, new long[] {2, 3}, new long[] {1, 1}));
    });

    // Nearest upsampling by integer factors; the gradient sums each f_h×f_w block.
    public static final Op RESIZE_NEAREST = Op.of("Resize", (in, a) -> {
        Value x = in.get(0);
        float[] sc = in.get(2) == null || in.get(2).constant() == null ? null : in.get(2).constant().floats();
        if (sc == null || sc.length != x.rank()) throw new ShapeError("Resize needs constant scales, one per axis");
        long[] out = x.shape();
        for (int i = 0; i < out.length; i++) {
            if (sc[i] != Math.rint(sc[i]) || sc[i] < 1) throw new ShapeError("only integer upsampling factors are supported, got " + sc[i]);
            out[i] = out[i] < 0 ? -1 : (long) Math.floor(out[i] * sc[i]);
        }
        return Rules.one(x.dtype(), out);
    }, (g, n, gy) -> {
        long[] xs = Rules.requireStatic(n.in(0), "Resize gradient");
        float[] sc = n.in(2).constant().floats();
        List<Long> split = new ArrayList<>();
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            split.add(xs[i]);
            if (sc[i] != 1f) {
                split.add((long) sc[i]);
                axes.add((long) split.size() - 1);
            }
        }
        Value blocks = g.reshape(gy.get(0), split.stream().mapToLong(Long::longValue).toArray());
        Value dx = g.reshape(g.reduceSum(blocks, true, axes.stream().mapToLong(Long::longValue).toArray()), xs);
        return grads(dx, null, null);
    });

    /**
     * y = conv(x, w) + b as {@link ConvForward#SELECT_GEMM}: cols[(c, i, j), (n, y, x)] = Xpad[n, c, y·sh + i, x·sw + j]
     * is x [C·N, H·W] times the constant selection S [H·W, kh·kw·Ho·Wo] (a zero column where a tap reads padding),
     * and y = W [O, C·kh·kw] × cols [C·kh·kw, N·Ho·Wo] + b.
     */
    public static Value selectGemmConv(Graph g, Value x, Value w, Value bias, ConvSpec spec) {
        long[] xs = Rules.requireStatic(x, "SELECT_GEMM convolution");
        long n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        long[] st = spec.strides(), pd = spec.pads();
        long ho = outSize(h, kh, st[0], pd[0], pd[2]), wo = outSize(wd, kw, st[1], pd[1], pd[3]), p = ho * wo, kk = kh * kw;
        float[] sel = new float[Math.toIntExact(h * wd * kk * p)];
        for (long i = 0; i < kh; i++) for (long j = 0; j < kw; j++) for (long y = 0; y < ho; y++) for (long xx = 0; xx < wo; xx++) {
            long r = y * st[0] + i - pd[0], q = xx * st[1] + j - pd[1];
            if (r >= 0 && r < h && q >= 0 && q < wd) sel[Math.toIntExact((r * wd + q) * kk * p + (i * kw + j) * p + y * wo + xx)] = 1f;
        }
        Value rows = g.reshape(g.transpose(x, 1, 0, 2, 3), c * n, h * wd);
        Value taps = g.matmul(rows, g.constant(Tensor.floats(sel, h * wd, kk * p))); // [C·N, kh·kw·P]
        Value cols = g.reshape(g.transpose(g.reshape(taps, c, n, kk, p), 0, 2, 1, 3), c * kk, n * p);
        Value y = g.gemm(g.reshape(w, o, c * kk), cols, bias == null ? null : g.reshape(bias, o, 1), 1f, 1f, false, false);
        return g.transpose(g.reshape(y, o, n, ho, wo), 1, 0, 2, 3);
    }

    /** dX of a convolution, given dY, the weight [O, C, kh, kw] and the input shape. */
    public static Value convInputGrad(Graph g, Value dy, Value w, long[] xShape, long[] strides, long[] pads) {
        boolean strided = strides[0] > 1 || strides[1] > 1;
        ConvGradients policy = g.convGradients();
        boolean transpose = strided ? policy.stridedDx() == StridedDx.CONV_TRANSPOSE
                : policy.stride1DxFor(w.dim(1), dy.dim(2) * dy.dim(3)) == Stride1Dx.CONV_TRANSPOSE;
        if (transpose) {
            long[] outPad = new long[2];
            for (int a = 0; a < 2; a++) {
                outPad[a] = xShape[2 + a] + pads[a] + pads[a + 2] - w.dim(2 + a) - (dy.dim(2 + a) - 1) * strides[a];
            }
            return g.convTranspose(dy, w, new ConvSpec(strides, pads), outPad);
        }
        Value wf = g.slice(g.transpose(w, 1, 0, 2, 3), new long[] {-1, -1}, new long[] {Long.MIN_VALUE, Long.MIN_VALUE},
                new long[] {2, 3}, new long[] {-1, -1});
        Value cur = dy;
        long[] cp = new long[4];
        for (int a = 0; a < 2; a++) {
            int axis = 2 + a;
            long s = strides[a], k = w.dim(axis), pb = pads[a], pe = pads[a + 2], lo = dy.dim(axis);
            long rest = xShape[axis] + pb + pe - k - (lo - 1) * s; // input cells after the last window
            long before = k - 1 - pb, after = k - 1 - pe + rest;
            if (s > 1) {
                cur = Shaping.dilate(g, cur, axis, s);
                after -= s - 1;
            }
            long len = cur.dim(axis);
            if (before < 0 || after < 0) {
                long from = Math.max(0, -before), to = len - Math.max(0, -after);
                cur = g.slice(cur, new long[] {from}, new long[] {to}, new long[] {axis}, new long[] {1});
            }
            cp[a] = Math.max(0, before);
            cp[a + 2] = Math.max(0, after);
        }
        return g.conv(cur, wf, null, new ConvSpec(new long[] {1, 1}, cp));
    }

    /**
     * dW[o, c, i, j] = Σ_{n,y,x} dY[n, o, y, x] · Xpad[n, c, y·sh + i, x·sw + j], in the formulation
     * the graph's {@link ConvGradients} forces or {@link #weightGradFor} picks. Each tap's window of X is a strided
     * slice. The taps are stacked on the last axis, so the result comes out in W's own [O, C, kh, kw] layout: a
     * final transpose would be pushed by ONNX Runtime's transpose optimizer into both of Adam's uses of the gradient.
     */
    public static Value convWeightGrad(Graph g, Value x, Value dy, long[] kernel, long[] strides, long[] pads) {
        long[] xs = Rules.requireStatic(x, "Conv weight gradient");
        long n = xs[0], c = xs[1], o = dy.dim(1), ho = dy.dim(2), wo = dy.dim(3), kk = kernel[0] * kernel[1];
        Value xp = allZero(pads) ? x : g.pad(x, new long[] {0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]}, 0f);
        WeightGrad mode = g.convGradients().weightGradFor(c, ho * wo);
        // IM2COL slices X as [C, N, H, W] so its columns stack C-major; the per-tap products slice it as NHWC.
        Value xt = mode == WeightGrad.IM2COL ? g.transpose(xp, 1, 0, 2, 3) : g.transpose(xp, 0, 2, 3, 1);
        List<Value> wins = new ArrayList<>();
        for (long i = 0; i < kernel[0]; i++) {
            for (long j = 0; j < kernel[1]; j++) {
                wins.add(g.slice(xt, new long[] {i, j}, new long[] {i + (ho - 1) * strides[0] + 1, j + (wo - 1) * strides[1] + 1},
                        new long[] {mode == WeightGrad.IM2COL ? 2 : 1, mode == WeightGrad.IM2COL ? 3 : 2}, new long[] {strides[0], strides[1]}));
            }
        }
        Value dw; // [O, C, kh·kw] or [O, C·kh·kw]
        switch (mode) {
            case TAP_BATCHED -> {
                Value dy3 = g.reshape(dy, n, o, ho * wo);
                List<Value> taps = new ArrayList<>();
                for (Value win : wins) taps.add(g.unsqueeze(g.matmul(dy3, g.reshape(win, n, ho * wo, c)), 3));
                dw = g.reduceSum(kk == 1 ? taps.get(0) : g.concat(3, taps), false, 0);
            }
            case IM2COL -> {
                Value dyt = g.reshape(g.transpose(dy, 1, 0, 2, 3), o, n * ho * wo);
                List<Value> cols = new ArrayList<>();
                for (Value win : wins) cols.add(g.unsqueeze(win, 1));
                Value stacked = kk == 1 ? cols.get(0) : g.concat(1, cols); // [C, kh·kw, N, Ho, Wo]
                dw = g.gemm(dyt, g.reshape(stacked, c * kk, n * ho * wo), null, 1f, 0f, false, true);
            }
            default -> { // TAP_GEMM
                Value dyt = g.reshape(g.transpose(dy, 1, 0, 2, 3), o, n * ho * wo);
                List<Value> taps = new ArrayList<>();
                for (Value win : wins) taps.add(g.unsqueeze(g.matmul(dyt, g.reshape(win, n * ho * wo, c)), 2));
                dw = kk == 1 ? taps.get(0) : g.concat(2, taps);
            }
        }
        return g.reshape(dw, o, c, kernel[0], kernel[1]);
    }

    /** Output length of a convolution or pooling axis (−1 for a dynamic input). */
    public static long outSize(long in, long k, long s, long pb, long pe) {
        if (in < 0) return -1;
        long span = in + pb + pe - k;
        if (span < 0) throw new ShapeError("kernel " + k + " is larger than the padded input " + (in + pb + pe));
        return span / s + 1;
    }

    private static List<Op.Out> poolShape(List<Value> in, org.sbgan.graphs.ir.Attrs a) {
        Value x = in.get(0);
        Rules.requireFloat(x, "input");
        Rules.requireRank(x, 4, "input");
        long[] k = a.ints("kernel_shape"), s = a.ints("strides"), p = a.ints("pads");
        return Rules.one(x.dtype(), new long[] {x.dim(0), x.dim(1), outSize(x.dim(2), k[0], s[0], p[0], p[2]), outSize(x.dim(3), k[1], s[1], p[1], p[3])});
    }

    private static long overlap(long start, long k, long len) {
        return Math.min(start + k, len) - Math.max(start, 0);
    }

    private static boolean allZero(long[] a) {
        for (long v : a) if (v != 0) return false;
        return true;
    }

}
