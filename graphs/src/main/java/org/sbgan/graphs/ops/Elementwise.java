package org.sbgan.graphs.ops;

import static org.sbgan.graphs.ops.Rules.grads;

import java.util.List;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.ShapeError;
import org.sbgan.graphs.ir.Value;

/**
 * Elementwise ops. Each line: ONNX type, shape rule, gradient rule. Binary ops broadcast; their gradients
 * are summed back to each input's shape ({@code sumTo}). Comparisons and logic produce booleans and carry
 * no gradient.
 */
public final class Elementwise {
    private Elementwise() {}

    public static final Op ADD = Op.of("Add", Rules.BROADCAST, (g, n, gy) ->
            grads(g.sumTo(gy.get(0), n.in(0)), g.sumTo(gy.get(0), n.in(1))));

    public static final Op SUB = Op.of("Sub", Rules.BROADCAST, (g, n, gy) ->
            grads(g.sumTo(gy.get(0), n.in(0)), g.sumTo(g.neg(gy.get(0)), n.in(1))));

    public static final Op MUL = Op.of("Mul", Rules.BROADCAST, (g, n, gy) ->
            grads(g.sumTo(g.mul(gy.get(0), n.in(1)), n.in(0)), g.sumTo(g.mul(gy.get(0), n.in(0)), n.in(1))));

    // d(a/b)/db = -(a/b)/b
    public static final Op DIV = Op.of("Div", Rules.BROADCAST, (g, n, gy) ->
            grads(g.sumTo(g.div(gy.get(0), n.in(1)), n.in(0)),
                  g.sumTo(g.neg(g.div(g.mul(gy.get(0), n.out(0)), n.in(1))), n.in(1))));

    // Exponent is a build-time constant, so it takes no gradient.
    public static final Op POW = Op.of("Pow", (in, a) -> {
        Rules.requireFloat(in.get(0), "base");
        Rules.constScalar(in.get(1), "Pow exponent");
        return Rules.one(in.get(0).dtype(), in.get(0).shape());
    }, (g, n, gy) -> {
        float p = Rules.constScalar(n.in(1), "Pow exponent");
        Value d = p == 2f ? g.mul(n.in(0), 2f) : g.mul(g.pow(n.in(0), p - 1f), p);
        return grads(g.mul(gy.get(0), d), null);
    });

    public static final Op NEG = Op.of("Neg", Rules.FLOAT_SAME, (g, n, gy) -> grads(g.neg(gy.get(0))));

    public static final Op EXP = Op.of("Exp", Rules.FLOAT_SAME, (g, n, gy) -> grads(g.mul(gy.get(0), n.out(0))));

    public static final Op LOG = Op.of("Log", Rules.FLOAT_SAME, (g, n, gy) -> grads(g.div(gy.get(0), n.in(0))));

    public static final Op SQRT = Op.of("Sqrt", Rules.FLOAT_SAME, (g, n, gy) ->
            grads(g.div(g.mul(gy.get(0), 0.5f), n.out(0))));

    public static final Op ABS = Op.of("Abs", Rules.FLOAT_SAME, (g, n, gy) ->
            grads(g.where(g.less(n.in(0), 0f), g.neg(gy.get(0)), gy.get(0))));

    public static final Op RELU = Op.of("Relu", Rules.FLOAT_SAME, (g, n, gy) ->
            grads(g.where(g.greater(n.in(0), 0f), gy.get(0), 0f)));

    // gy ⊙ slope, slope = 1 or alpha: piecewise constant in x, so a second backward pass is one Mul
    public static final Op LEAKY_RELU = Op.of("LeakyRelu", Rules.FLOAT_SAME, (g, n, gy) -> {
        Value slope = g.where(g.greater(n.in(0), 0f), g.scalar(1f), g.scalar(n.attrs().f("alpha", 0.01f)));
        return grads(g.mul(gy.get(0), slope));
    });

    // 1 - tanh²
    public static final Op TANH = Op.of("Tanh", Rules.FLOAT_SAME, (g, n, gy) ->
            grads(g.mul(gy.get(0), g.sub(1f, g.mul(n.out(0), n.out(0))))));

    public static final Op SIGMOID = Op.of("Sigmoid", Rules.FLOAT_SAME, (g, n, gy) ->
            grads(g.mul(gy.get(0), g.mul(n.out(0), g.sub(1f, n.out(0))))));

    // y ⊙ (gy − Σ gy⊙y)
    public static final Op SOFTMAX = Op.of("Softmax", Rules.FLOAT_SAME_AXIS, (g, n, gy) -> {
        Value y = n.out(0);
        long axis = n.attrs().i("axis", -1);
        return grads(g.mul(y, g.sub(gy.get(0), g.reduceSum(g.mul(gy.get(0), y), true, axis))));
    });

    // gy − softmax ⊙ Σ gy
    public static final Op LOG_SOFTMAX = Op.of("LogSoftmax", Rules.FLOAT_SAME_AXIS, (g, n, gy) -> {
        long axis = n.attrs().i("axis", -1);
        return grads(g.sub(gy.get(0), g.mul(g.exp(n.out(0)), g.reduceSum(gy.get(0), true, axis))));
    });

    // Ties send the gradient to the first input.
    public static final Op MIN = Op.of("Min", Rules.BROADCAST, (g, n, gy) -> {
        Value first = g.lessOrEqual(n.in(0), n.in(1));
        return grads(g.sumTo(g.where(first, gy.get(0), 0f), n.in(0)), g.sumTo(g.where(first, 0f, gy.get(0)), n.in(1)));
    });

    public static final Op MAX = Op.of("Max", Rules.BROADCAST, (g, n, gy) -> {
        Value first = g.greaterOrEqual(n.in(0), n.in(1));
        return grads(g.sumTo(g.where(first, gy.get(0), 0f), n.in(0)), g.sumTo(g.where(first, 0f, gy.get(0)), n.in(1)));
    });

    // Bounds are constants; the gradient passes where lo <= x <= hi.
    public static final Op CLIP = Op.of("Clip", (in, a) -> {
        Rules.requireFloat(in.get(0), "input");
        Rules.constScalar(in.get(1), "Clip min");
        Rules.constScalar(in.get(2), "Clip max");
        return Rules.one(in.get(0).dtype(), in.get(0).shape());
    }, (g, n, gy) -> {
        Value inside = g.and(g.greaterOrEqual(n.in(0), n.in(1)), g.lessOrEqual(n.in(0), n.in(2)));
        return grads(g.where(inside, gy.get(0), 0f), null, null);
    });

    public static final Op WHERE = Op.of("Where", (in, a) -> {
        if (in.get(0).dtype() != DType.BOOL) throw new ShapeError("condition must be BOOL, got " + in.get(0).dtype());
        List<Op.Out> o = Rules.BROADCAST.infer(in.subList(1, 3), a);
        return Rules.one(o.get(0).dtype(), org.sbgan.graphs.ir.Shapes.broadcast(in.get(0).shape(), o.get(0).shape()));
    }, (g, n, gy) -> grads(null,
            g.sumTo(g.where(n.in(0), gy.get(0), 0f), n.in(1)),
            g.sumTo(g.where(n.in(0), 0f, gy.get(0)), n.in(2))));

    public static final Op IDENTITY = Op.of("Identity", Rules.SAME, (g, n, gy) -> grads(gy.get(0)));

    public static final Op STOP_GRADIENT = Op.gradientBlocker("StopGradient", "Identity", Rules.SAME);

    // Float-to-float casts pass the gradient back in the input's type; casts from integers take none.
    public static final Op CAST = Op.of("Cast", (in, a) -> {
        long to = a.i("to", -1);
        for (DType t : DType.values()) if (t.onnxCode == to) return Rules.one(t, in.get(0).shape());
        throw new ShapeError("unsupported Cast target " + to);
    }, (g, n, gy) -> grads(n.in(0).dtype().isFloating() ? g.cast(gy.get(0), n.in(0).dtype()) : null));

    public static final Op GREATER = Op.nonDifferentiable("Greater", Rules.COMPARE);
    public static final Op LESS = Op.nonDifferentiable("Less", Rules.COMPARE);
    public static final Op GREATER_OR_EQUAL = Op.nonDifferentiable("GreaterOrEqual", Rules.COMPARE);
    public static final Op LESS_OR_EQUAL = Op.nonDifferentiable("LessOrEqual", Rules.COMPARE);
    public static final Op EQUAL = Op.nonDifferentiable("Equal", Rules.COMPARE);
    public static final Op AND = Op.nonDifferentiable("And", Rules.COMPARE);
    public static final Op OR = Op.nonDifferentiable("Or", Rules.COMPARE);
    public static final Op NOT = Op.nonDifferentiable("Not", Rules.SAME);
}
