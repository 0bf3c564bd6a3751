package org.sbgan.graphs.ops;

import java.util.List;
import java.util.Map;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Attrs;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.ShapeError;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.ops.FunctionDef.BodyNode;

/**
 * {@code org.sbgan.GumbelSoftmaxST(p, noise; T)}, the semantic bottleneck sampler (docs/METHOD.md §1).
 * Forward: one-hot of argmax((log(p + 1e-5) + noise) / T) over axis 1, as a model-local function.
 * Gradient: that of softmax((log(p + 1e-5) + noise) / T) — straight-through — obtained by building the
 * tempered softmax and differentiating it with the ordinary rules.
 */
public final class GumbelSoftmaxST {
    private GumbelSoftmaxST() {}

    public static final String DOMAIN = "org.sbgan";
    public static final float EPS = 1e-5f;

    public static final Op OP = Op.function(DOMAIN, "GumbelSoftmaxST", (in, a) -> {
        Value p = in.get(0), noise = in.get(1);
        Rules.requireFloat(p, "p");
        if (p.rank() < 2) throw new ShapeError("p must have a class axis 1");
        if (!java.util.Arrays.equals(p.shape(), noise.shape())) throw new ShapeError("noise shape differs from p");
        if (a.f("T", 1f) <= 0f) throw new ShapeError("temperature must be positive");
        return Rules.one(p.dtype(), p.shape());
    }, (g, n, gy) -> {
        Value soft = temperedSoftmax(g, n.in(0), n.in(1), n.attrs().f("T", 1f));
        return Gradients.vjp(List.of(soft), List.of(gy.get(0)), List.of(n.in(0), n.in(1)));
    }, () -> GumbelSoftmaxST.FUNCTION);

    /** softmax((log(p + 1e-5) + noise) / T) over axis 1. */
    public static Value temperedSoftmax(Graph g, Value p, Value noise, float t) {
        Value logits = g.add(g.log(g.add(p, EPS)), noise);
        return g.softmax(t == 1f ? logits : g.div(logits, t), 1);
    }

    public static final FunctionDef FUNCTION = new FunctionDef(DOMAIN, "GumbelSoftmaxST",
            "Straight-through Gumbel-softmax: one-hot of argmax((log(p+1e-5)+noise)/T) over axis 1.",
            List.of("p", "noise"), List.of("y"), Map.of("T", 1f), List.of(
                    BodyNode.of("Constant", List.of(), List.of("eps"), Attrs.of("value_float", EPS)),
                    BodyNode.of("Add", List.of("p", "eps"), List.of("p_eps"), Attrs.NONE),
                    BodyNode.of("Log", List.of("p_eps"), List.of("logp"), Attrs.NONE),
                    BodyNode.of("Add", List.of("logp", "noise"), List.of("logits"), Attrs.NONE),
                    new BodyNode("Constant", List.of(), List.of("temp"), Attrs.NONE, Map.of("value_float", "T")),
                    BodyNode.of("Div", List.of("logits", "temp"), List.of("z"), Attrs.NONE),
                    BodyNode.of("ArgMax", List.of("z"), List.of("idx"), Attrs.of("axis", 1, "keepdims", 0)),
                    BodyNode.of("Shape", List.of("p"), List.of("depth"), Attrs.of("start", 1, "end", 2)),
                    BodyNode.of("Constant", List.of(), List.of("onoff"),
                            Attrs.of("value", org.sbgan.graphs.ir.Tensor.floats(new float[] {0f, 1f}, 2))),
                    BodyNode.of("OneHot", List.of("idx", "depth", "onoff"), List.of("y"), Attrs.of("axis", 1))));
}
