package org.sbgan.graphs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Node;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.ops.ConvGradients;
import org.sbgan.graphs.ops.Nn;

/**
 * Backward passes are built only from ops that have gradient rules themselves (or produce no floats), so
 * any gradient can be differentiated again. Checked structurally over one graph that uses every
 * differentiable op, under every convolution-gradient formulation.
 */
class GradientClosureTest {
    @Test
    void everyFloatOpInAGradientHasARule() {
        for (Nn.StridedDx sdx : Nn.StridedDx.values()) {
            for (Nn.Stride1Dx dx1 : Nn.Stride1Dx.values()) {
                for (Nn.WeightGrad wg : Nn.WeightGrad.values()) {
                    check(new ConvGradients(sdx, dx1, wg));
                }
            }
        }
    }

    private static void check(ConvGradients policy) {
        String label = policy.toString();
        Graph g = new Graph("closure").convGradients(policy);
        Value x = g.input("x", 2, 3, 8, 8), w = g.input("w", 4, 3, 3, 3), w2 = g.input("w2", 4, 4, 3, 3);
        Value wt = g.input("wt", 4, 2, 2, 2), m = g.input("m", 4, 5), p = g.input("p", 2, 4, 4, 4), e = g.input("e", 2, 4, 4, 4);
        Value h = g.leakyRelu(g.conv(x, w, null, ConvSpec.of(1, 1)), 0.2f);
        h = g.conv(h, w2, null, ConvSpec.of(2, 1));                                   // [2,4,4,4]
        h = g.add(h, g.maxPool(g.pad(h, new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 0f), PoolSpec.of(3, 1, 0, false)));
        h = g.add(h, g.avgPool(g.upsampleNearest(h, 2, 2), PoolSpec.of(3, 2, 1, false)));
        h = g.mul(h, g.gumbelSoftmaxST(g.softmax(p, 1), e, 0.7f));
        Value t = g.convTranspose(g.sigmoid(h), wt, ConvSpec.of(2, 0), new long[] {0, 0}); // [2,2,8,8]
        Value s = g.downsampleNearest(g.tanh(t), 2, 2);                                // [2,2,4,4]
        Value flat = g.flatten(g.concat(1, s, g.slice(h, new long[] {3, 0}, new long[] {-100, 4}, new long[] {1, 3}, new long[] {-2, 1})), 1);
        List<Value> parts = g.split(flat, 1, 20, 20, 24);
        Value q = g.matmul(g.reshape(parts.get(0), 2, 4, 5), g.transpose(m, 1, 0));   // [2,4,4]
        Value r = g.gemm(parts.get(1), g.reshape(m, 20, 1), null, 0.5f, 1f, false, false);  // [2,1]
        Value u = g.add(g.reduceMean(g.exp(g.neg(g.abs(q))), false, 2), g.reduceSum(g.sqrt(g.add(g.pow(r, 2f), 1f)), true, 1));
        Value v = g.div(g.min(u, g.max(g.clip(u, -1f, 1f), g.relu(u))), g.add(g.reduceSumSquare(parts.get(2), true, 1), 1f));
        Value loss = g.add(g.meanAll(g.logSoftmax(g.unsqueeze(g.squeeze(g.expand(g.unsqueeze(v, 0), 1, 2, 4), 0), 0), 1)),
                g.meanAll(g.where(g.greater(v, 0f), v, g.identity(g.stopGradient(v)))));
        int forward = g.nodes().size();
        List<Value> wrt = List.of(x, w, w2, wt, m, p);
        List<Value> grads = Gradients.of(loss, wrt);
        Value penalty = g.scalar(0f);
        for (Value d : grads) penalty = g.add(penalty, g.sumAll(g.mul(d, d)));
        Gradients.of(penalty, wrt); // second order: would fail on any backward node without a rule

        Set<String> missing = new TreeSet<>();
        List<Node> backward = new ArrayList<>(g.nodes().subList(forward, g.nodes().size()));
        for (Node n : backward) {
            boolean floats = n.outputs().stream().anyMatch(o -> o.dtype().isFloating());
            if (floats && !n.op().hasGradient() && !n.op().blocksGradient()) missing.add(n.op().displayName());
        }
        assertTrue(backward.size() > 100, label + ": backward has " + backward.size() + " nodes");
        assertTrue(missing.isEmpty(), label + ": backward nodes without a gradient rule: " + missing);
    }
}
