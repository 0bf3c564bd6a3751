package org.sbgan.graphs.ir;

/**
 * A named tensor in a graph: a graph input, a constant (exported as an initializer), or the output of a node.
 * Its element type and static shape are known when it is created.
 */
public final class Value {
    public enum Kind { INPUT, CONSTANT, NODE }

    private final Graph graph;
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final Kind kind;
    private final Node producer;
    private final Tensor constant;

    Value(Graph graph, String name, DType dtype, long[] shape, Kind kind, Node producer, Tensor constant) {
        this.graph = graph;
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.kind = kind;
        this.producer = producer;
        this.constant = constant;
    }

    public Graph graph() { return graph; }
    public String name() { return name; }
    public DType dtype() { return dtype; }
    /** A copy of the static shape; negative entries are dynamic. */
    public long[] shape() { return shape.clone(); }
    public long dim(int axis) { return shape[Shapes.normAxis(axis, shape.length)]; }
    public int rank() { return shape.length; }
    public Kind kind() { return kind; }
    /** The node computing this value, or null for inputs and constants. */
    public Node producer() { return producer; }
    /** The value of a constant, or null. */
    public Tensor constant() { return constant; }
    public boolean isConstant() { return constant != null; }
    public long numel() { return Shapes.numel(shape); }

    @Override
    public String toString() {
        return name + ":" + dtype + Shapes.str(shape);
    }
}
