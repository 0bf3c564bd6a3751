package org.sbgan.graphs.ops;

import static org.sbgan.graphs.ops.Rules.grads;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.ShapeError;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;

/** Matrix products. MatMul broadcasts batch axes (rank ≥ 2); Gemm is 2-D with transpose flags. */
public final class Linalg {
    private Linalg() {}

    public static final Op MATMUL = Op.of("MatMul", (in, a) -> {
        Value x = in.get(0), y = in.get(1);
        Rules.requireFloat(x, "A");
        if (x.rank() < 2 || y.rank() < 2) throw new ShapeError("operands must have rank >= 2");
        long k1 = x.dim(-1), k2 = y.dim(-2);
        if (k1 >= 0 && k2 >= 0 && k1 != k2) throw new ShapeError("inner dimensions differ (" + k1 + " vs " + k2 + ")");
        long[] xb = java.util.Arrays.copyOf(x.shape(), x.rank() - 2);
        long[] yb = java.util.Arrays.copyOf(y.shape(), y.rank() - 2);
        long[] b = Shapes.broadcast(xb, yb);
        long[] out = java.util.Arrays.copyOf(b, b.length + 2);
        out[b.length] = x.dim(-2);
        out[b.length + 1] = y.dim(-1);
        return Rules.one(x.dtype(), out);
    }, (g, n, gy) -> {
        Value a = n.in(0), b = n.in(1), d = gy.get(0);
        return grads(g.sumTo(g.matmul(d, swapLast(g, b)), a), g.sumTo(g.matmul(swapLast(g, a), d), b));
    });

    // With A' = op(A), B' = op(B): dA' = α·gy·B'ᵀ, dB' = α·A'ᵀ·gy, each expressed as one Gemm.
    public static final Op GEMM = Op.of("Gemm", (in, a) -> {
        Value x = in.get(0), y = in.get(1);
        Rules.requireRank(x, 2, "A");
        Rules.requireRank(y, 2, "B");
        boolean ta = a.i("transA", 0) != 0, tb = a.i("transB", 0) != 0;
        long m = ta ? x.dim(1) : x.dim(0), k1 = ta ? x.dim(0) : x.dim(1);
        long k2 = tb ? y.dim(1) : y.dim(0), nn = tb ? y.dim(0) : y.dim(1);
        if (k1 >= 0 && k2 >= 0 && k1 != k2) throw new ShapeError("inner dimensions differ (" + k1 + " vs " + k2 + ")");
        long[] out = {m, nn};
        if (in.size() > 2 && in.get(2) != null) Shapes.broadcast(out, in.get(2).shape());
        return Rules.one(x.dtype(), out);
    }, (g, n, gy) -> {
        boolean ta = n.attrs().i("transA", 0) != 0, tb = n.attrs().i("transB", 0) != 0;
        float alpha = n.attrs().f("alpha", 1f), beta = n.attrs().f("beta", 1f);
        Value a = n.in(0), b = n.in(1), d = gy.get(0);
        Value da = ta ? g.gemm(b, d, null, alpha, 0f, tb, true) : g.gemm(d, b, null, alpha, 0f, false, !tb);
        Value db = tb ? g.gemm(d, a, null, alpha, 0f, true, ta) : g.gemm(a, d, null, alpha, 0f, !ta, false);
        Value dc = n.in(2) == null ? null : g.sumTo(beta == 1f ? d : g.mul(d, beta), n.in(2));
        return n.inputs().size() > 2 ? grads(da, db, dc) : grads(da, db);
    });

    static Value swapLast(Graph g, Value x) {
        long[] perm = new long[x.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[perm.length - 2] = perm.length - 1;
        perm[perm.length - 1] = perm.length - 2;
        return g.transpose(x, perm);
    }
}
