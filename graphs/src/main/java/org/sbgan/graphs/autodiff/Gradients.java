package org.sbgan.graphs.autodiff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.Node;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;

/**
 * Reverse-mode differentiation over a {@link Graph}. The backward pass is appended to the same graph,
 * built from ops that have gradient rules themselves, so it can be differentiated again (gradient
 * penalties). Only nodes on a floating-point path from a {@code wrt} value to an output are visited;
 * fan-in is accumulated with Add; broadcasting is undone inside each op's rule.
 */
public final class Gradients {
    private Gradients() {}

    /** d(loss)/d(wrt) for each wrt value; a value the loss does not depend on gets zeros. */
    public static List<Value> of(Value loss, List<Value> wrt) {
        Graph g = loss.graph();
        Value seed = loss.rank() == 0 ? g.scalar(1f) : g.constant(Tensor.filled(1f, Shapes.copy(loss.shape())));
        return vjp(List.of(loss), List.of(seed), wrt);
    }

    public static Value of(Value loss, Value wrt) {
        return of(loss, List.of(wrt)).get(0);
    }

    /** Vector-Jacobian product: Σ_i seeds[i] · d(outputs[i])/d(wrt), one value per wrt. */
    public static List<Value> vjp(List<Value> outputs, List<Value> seeds, List<Value> wrt) {
        if (outputs.size() != seeds.size()) throw new IllegalArgumentException("one seed per output needed");
        Graph g = outputs.get(0).graph();
        List<Node> nodes = g.nodes();

        // Values that depend differentiably on some wrt value.
        Set<Value> reached = identitySet();
        for (Value w : wrt) if (w.dtype().isFloating()) reached.add(w);
        // Nodes between wrt and outputs, in topological order.
        int end = 0;
        for (Value o : outputs) if (o.producer() != null) end = Math.max(end, nodes.indexOf(o.producer()) + 1);
        boolean[] onPath = new boolean[end];
        for (int i = 0; i < end; i++) {
            Node n = nodes.get(i);
            if (n.op().blocksGradient()) continue;
            boolean hit = false;
            for (Value v : n.inputs()) if (v != null && reached.contains(v)) hit = true;
            if (!hit) continue;
            onPath[i] = true;
            for (Value v : n.outputs()) if (v.dtype().isFloating()) reached.add(v);
        }
        Set<Value> needed = identitySet();
        needed.addAll(outputs);
        for (int i = end - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            boolean need = false;
            for (Value v : n.outputs()) if (needed.contains(v)) need = true;
            if (!need) {
                onPath[i] = false;
                continue;
            }
            for (Value v : n.inputs()) if (v != null) needed.add(v);
        }

        Map<Value, Value> acc = new IdentityHashMap<>();
        for (int i = 0; i < outputs.size(); i++) accumulate(g, acc, outputs.get(i), seeds.get(i));

        for (int i = end - 1; i >= 0; i--) {
            if (!onPath[i]) continue;
            Node n = nodes.get(i);
            List<Value> gy = new ArrayList<>(n.outputs().size());
            boolean any = false;
            for (Value v : n.outputs()) {
                Value d = acc.get(v);
                gy.add(d);
                any |= d != null;
            }
            if (!any) continue;
            if (!n.op().hasGradient()) {
                throw new GraphBuildException("no gradient rule for op " + n.op().displayName() + " (node '" + n.name() + "'"
                        + (n.layer().isEmpty() ? "" : " in layer '" + n.layer() + "'") + "), which lies on the path from "
                        + names(wrt) + " to " + names(outputs));
            }
            List<Value> gx;
            try (Graph.Scope s = g.scope(n.layer().isEmpty() ? "grad" : "grad." + n.layer())) {
                gx = n.op().gradRule().grad(g, n, gy);
            }
            for (int k = 0; k < n.inputs().size(); k++) {
                Value in = n.in(k);
                Value d = k < gx.size() ? gx.get(k) : null;
                if (in == null || d == null || !reached.contains(in)) continue;
                if (!Arrays.equals(d.shape(), in.shape())) {
                    throw new GraphBuildException("gradient rule of " + n.op().displayName() + " (node '" + n.name()
                            + "') returned shape " + Shapes.str(d.shape()) + " for input " + k + " of shape " + Shapes.str(in.shape()));
                }
                accumulate(g, acc, in, d);
            }
        }
        List<Value> result = new ArrayList<>(wrt.size());
        for (Value w : wrt) {
            Value d = acc.get(w);
            result.add(d != null ? d : g.zeros(w.shape()));
        }
        return result;
    }

    private static void accumulate(Graph g, Map<Value, Value> acc, Value v, Value d) {
        Value prev = acc.get(v);
        acc.put(v, prev == null ? d : g.add(prev, d));
    }

    private static Set<Value> identitySet() {
        return java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    }

    private static String names(List<Value> vs) {
        List<String> n = new ArrayList<>();
        for (Value v : vs) n.add("'" + v.name() + "'");
        return vs.size() == 1 ? n.get(0) : n.toString();
    }

}
