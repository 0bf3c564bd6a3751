package org.sbgan.graphs.ir;

import java.util.Collections;
import java.util.List;
import org.sbgan.graphs.ops.Op;

/** One operator application. Inputs may contain null for an omitted optional input. */
public final class Node {
    private final Op op;
    private final List<Value> inputs;
    private final Attrs attrs;
    private final String name;
    private final String layer;
    private List<Value> outputs = List.of();

    Node(Op op, List<Value> inputs, Attrs attrs, String name, String layer) {
        this.op = op;
        this.inputs = Collections.unmodifiableList(inputs);
        this.attrs = attrs;
        this.name = name;
        this.layer = layer;
    }

    void setOutputs(List<Value> outs) {
        this.outputs = List.copyOf(outs);
    }

    public Op op() { return op; }
    public List<Value> inputs() { return inputs; }
    public Value in(int i) { return i < inputs.size() ? inputs.get(i) : null; }
    public List<Value> outputs() { return outputs; }
    public Value out(int i) { return outputs.get(i); }
    public Attrs attrs() { return attrs; }
    public String name() { return name; }
    /** The layer scope the node was built in ("" at top level); used in error messages and doc strings. */
    public String layer() { return layer; }

    @Override
    public String toString() {
        return op.type() + " '" + name + "'" + (layer.isEmpty() ? "" : " in layer '" + layer + "'");
    }
}
