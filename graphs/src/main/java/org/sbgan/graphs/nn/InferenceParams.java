package org.sbgan.graphs.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;

/**
 * Parameters and buffers as inputs of an inference graph, with their initial values recorded; export bakes
 * trained (or initial) values in by freezing those inputs ({@code OnnxExport.model(g, outputs, frozen)}).
 */
public final class InferenceParams implements Params {
    private final Graph graph;
    private final long seed;
    private final Map<String, Tensor> initial = new LinkedHashMap<>();

    public InferenceParams(Graph graph, long seed) {
        this.graph = graph;
        this.seed = seed;
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public Value param(String local, Init init, long... shape) {
        String name = graph.qualify(local);
        Tensor t = init.draw(Init.rng(seed, name), shape);
        initial.put(name, t);
        return graph.input(name, t.dtype, t.shape);
    }

    @Override
    public Value buffer(String local, Init init, long... shape) {
        return param(local, init, shape);
    }

    @Override
    public void update(Value buffer, Value next) {
        // inference graphs leave buffers as they are
    }

    @Override
    public boolean training() {
        return false;
    }

    /** Initial value of every parameter and buffer declared, by qualified name. */
    public Map<String, Tensor> initialValues() {
        return Collections.unmodifiableMap(initial);
    }
}
