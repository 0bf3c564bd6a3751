package org.sbgan.graphs.nn;

import java.util.Arrays;
import java.util.Map;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;

/**
 * Parameters and buffers of a trained network embedded as constants of another graph: a frozen network inside a loss
 * (the segmenter of {@code SegmenterLoss}). Constants never get gradients and are not state, so the step neither
 * trains nor saves them; the network runs in inference mode (BatchNorm with its running statistics).
 */
public final class ConstantParams implements Params {
    private final Graph graph;
    private final Map<String, Tensor> values;
    private final String prefix, source;

    /**
     * @param values the trained tensors by qualified name (as the network declares them)
     * @param prefix prepended to each name for the graph's constant, so two copies of a network cannot collide
     * @param source names the weights in errors (usually a file)
     */
    public ConstantParams(Graph graph, Map<String, Tensor> values, String prefix, String source) {
        this.graph = graph;
        this.values = Map.copyOf(values);
        this.prefix = prefix;
        this.source = source;
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public Value param(String local, Init init, long... shape) {
        String name = graph.qualify(local);
        Tensor t = values.get(name);
        if (t == null) throw new GraphBuildException(source + " has no tensor '" + name + "'");
        if (!Arrays.equals(t.shape, shape)) {
            throw new GraphBuildException(source + ": tensor '" + name + "' is " + Arrays.toString(t.shape) + ", the network needs "
                    + Arrays.toString(shape));
        }
        String c = prefix + name;
        return graph.hasValue(c) ? graph.value(c) : graph.constant(c, t);
    }

    @Override
    public Value buffer(String local, Init init, long... shape) {
        return param(local, init, shape);
    }

    @Override
    public void update(Value buffer, Value next) {
        // constants are never written
    }

    @Override
    public boolean training() {
        return false;
    }
}
