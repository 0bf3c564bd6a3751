package org.sbgan.graphs.ops;

import java.util.List;
import org.sbgan.graphs.ir.Attrs;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Node;
import org.sbgan.graphs.ir.Value;

/**
 * An operator: its ONNX type, its shape rule and its gradient rule, defined together.
 * A gradient rule is written with the same {@link Graph} builder, so gradients are graphs that can be
 * differentiated again. Ops whose outputs are not floating point carry no gradient and need no rule.
 */
public final class Op {
    /** Output type of a node, decided from its inputs and attributes. */
    public record Out(DType dtype, long[] shape) {}

    @FunctionalInterface
    public interface ShapeRule {
        List<Out> infer(List<Value> inputs, Attrs attrs);
    }

    /**
     * Given the node and the gradient of each output (null where none flows), returns the gradient of each
     * input (null where the input gets none, e.g. an integer input).
     */
    @FunctionalInterface
    public interface GradRule {
        List<Value> grad(Graph g, Node node, List<Value> gradOutputs);
    }

    private final String type;
    private final String domain;
    private final ShapeRule shapeRule;
    private final GradRule gradRule;
    private final boolean blocksGradient;
    private final String displayName;
    private final java.util.function.Supplier<FunctionDef> function;

    private Op(String type, String domain, ShapeRule shapeRule, GradRule gradRule, boolean blocksGradient,
            String displayName, java.util.function.Supplier<FunctionDef> function) {
        this.type = type;
        this.domain = domain;
        this.shapeRule = shapeRule;
        this.gradRule = gradRule;
        this.blocksGradient = blocksGradient;
        this.displayName = displayName;
        this.function = function;
    }

    /** A differentiable op of the default ONNX domain. */
    public static Op of(String type, ShapeRule shape, GradRule grad) {
        return new Op(type, "", shape, grad, false, type, null);
    }

    /** An op without a gradient rule: asking for a gradient through it fails and names it. */
    public static Op nonDifferentiable(String type, ShapeRule shape) {
        return new Op(type, "", shape, null, false, type, null);
    }

    /** An op whose ONNX form is {@code onnxType} but which the backward pass treats as constant. */
    public static Op gradientBlocker(String name, String onnxType, ShapeRule shape) {
        return new Op(onnxType, "", shape, null, true, name, null);
    }

    /** An op in a custom domain, exported as a call to a model-local function. */
    public static Op function(String domain, String type, ShapeRule shape, GradRule grad,
            java.util.function.Supplier<FunctionDef> body) {
        return new Op(type, domain, shape, grad, false, type, body);
    }

    public String type() { return type; }
    public String domain() { return domain; }
    /** Name in messages: the ONNX type, or the builder marker's name (StopGradient). */
    public String displayName() { return displayName; }
    public ShapeRule shapeRule() { return shapeRule; }
    public GradRule gradRule() { return gradRule; }
    public boolean hasGradient() { return gradRule != null; }
    public boolean blocksGradient() { return blocksGradient; }
    /** The model-local function body for custom-domain ops, or null. */
    public FunctionDef function() { return function == null ? null : function.get(); }

    @Override
    public String toString() {
        return displayName();
    }
}
