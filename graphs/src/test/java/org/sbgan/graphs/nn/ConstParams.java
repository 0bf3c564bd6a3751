package org.sbgan.graphs.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;

/**
 * Params for gradient checks: parameters and buffers become constants of a plain graph (so GradCheck
 * differentiates only its own inputs), with training on or off; buffer updates are recorded, not written.
 */
public final class ConstParams implements Params {
    private final Graph graph;
    private final boolean training;
    final Map<String, Tensor> values = new LinkedHashMap<>();
    final Map<Value, Value> updates = new LinkedHashMap<>();
    private final Map<String, Tensor> given = new LinkedHashMap<>();

    public ConstParams(Graph graph, boolean training) {
        this.graph = graph;
        this.training = training;
    }

    /** Uses t instead of the drawn initial value for the parameter or buffer named {@code name}. */
    public ConstParams with(String name, Tensor t) {
        given.put(name, t);
        return this;
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public Value param(String local, Init init, long... shape) {
        String name = graph.qualify(local);
        Tensor t = given.containsKey(name) ? given.get(name) : init.draw(Init.rng(7, name), shape);
        values.put(name, t);
        return graph.constant(name, t);
    }

    @Override
    public Value buffer(String local, Init init, long... shape) {
        return param(local, init, shape);
    }

    @Override
    public void update(Value buffer, Value next) {
        if (updates.put(buffer, next) != null) throw new IllegalStateException(buffer.name() + " updated twice");
    }

    @Override
    public boolean training() {
        return training;
    }
}
