package org.sbgan.graphs.step;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.ops.Flops;
import org.sbgan.graphs.step.StepManifest.InputEntry;
import org.sbgan.graphs.step.StepManifest.InputRole;
import org.sbgan.graphs.step.StepManifest.MetricEntry;
import org.sbgan.graphs.step.StepManifest.StateEntry;
import org.sbgan.graphs.step.StepManifest.StateKind;

/**
 * Builds a training-step graph: declare state (with initial values) and per-step inputs, compute, then
 * {@link #write} new state values and name {@link #metric}s. State, inputs and metrics all have static
 * shapes. {@link #build()} exports the ONNX model and its manifest.
 */
public final class StepBuilder {
    /** Output name of a written state tensor's new value. */
    public static String nextName(String state) {
        return state + "@next";
    }

    private final Graph g;
    private final Map<String, Value> state = new LinkedHashMap<>();
    private final Map<String, StateKind> kinds = new LinkedHashMap<>();
    private final Map<String, Tensor> initial = new LinkedHashMap<>();
    private final Map<String, Value> writes = new LinkedHashMap<>();
    private final Map<String, InputRole> inputs = new LinkedHashMap<>();
    private final Map<String, Value> metrics = new LinkedHashMap<>();

    public StepBuilder(String name) {
        this.g = new Graph(name);
    }

    public Graph graph() {
        return g;
    }

    /** A state tensor read by this step, with its initial value. */
    public Value state(String name, Tensor init, StateKind kind) {
        Value v = g.input(name, init.dtype, init.shape);
        state.put(name, v);
        kinds.put(name, kind);
        initial.put(name, init);
        return v;
    }

    /** A trainable parameter named in the current layer scope ({@code layer.local}). */
    public Value param(String local, Tensor init) {
        return state(g.qualify(local), init, StateKind.PARAM);
    }

    public Value input(String name, InputRole role, DType dtype, long... shape) {
        if (!Shapes.isStatic(shape)) throw new GraphBuildException("step input '" + name + "' needs a static shape, got " + Shapes.str(shape));
        Value v = g.input(name, dtype, shape);
        inputs.put(name, role);
        return v;
    }

    public Value batch(String name, long... shape) {
        return input(name, InputRole.BATCH, DType.FLOAT, shape);
    }

    public Value noise(String name, long... shape) {
        return input(name, InputRole.NOISE, DType.FLOAT, shape);
    }

    /** A scalar float hyperparameter (e.g. a learning rate), so schedules need no rebuild. */
    public Value hyper(String name) {
        return g.hasValue(name) ? g.value(name) : input(name, InputRole.HYPER, DType.FLOAT);
    }

    /** The new value of a state tensor after this step. */
    public void write(Value stateValue, Value next) {
        String n = stateValue.name();
        if (!state.containsKey(n) || state.get(n) != stateValue) throw new GraphBuildException("'" + n + "' is not state of step '" + g.name() + "'");
        if (next.dtype() != stateValue.dtype() || !java.util.Arrays.equals(next.shape(), stateValue.shape())) {
            throw new GraphBuildException("new value of state '" + n + "' is " + next.dtype() + Shapes.str(next.shape())
                    + ", state is " + stateValue.dtype() + Shapes.str(stateValue.shape()));
        }
        if (writes.put(n, next) != null) throw new GraphBuildException("state '" + n + "' is written twice in step '" + g.name() + "'");
    }

    /** The new value written to a state tensor so far in this step; fails when it has none. */
    public Value next(Value stateValue) {
        Value v = writes.get(stateValue.name());
        if (v == null) throw new GraphBuildException("state '" + stateValue.name() + "' is not written in step '" + g.name() + "'");
        return v;
    }

    /** The initial value of a state tensor of this step. */
    public Tensor initial(Value stateValue) {
        Tensor t = initial.get(stateValue.name());
        if (t == null) throw new GraphBuildException("'" + stateValue.name() + "' is not state of step '" + g.name() + "'");
        return t;
    }

    public void metric(String name, Value v) {
        if (metrics.put(name, v) != null) throw new GraphBuildException("metric '" + name + "' is defined twice");
    }

    /** Parameters declared so far, in declaration order. */
    public List<Value> params() {
        List<Value> ps = new ArrayList<>();
        for (Map.Entry<String, Value> e : state.entrySet()) if (kinds.get(e.getKey()) == StateKind.PARAM) ps.add(e.getValue());
        return ps;
    }

    public StepGraph build(String doc) {
        Map<String, Value> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : metrics.entrySet()) outputs.put(e.getKey(), e.getValue());
        for (Map.Entry<String, Value> e : writes.entrySet()) outputs.put(nextName(e.getKey()), e.getValue());
        if (doc != null) g.doc("", doc);
        List<StateEntry> st = new ArrayList<>();
        for (Map.Entry<String, Value> e : state.entrySet()) {
            Value v = e.getValue();
            boolean written = writes.containsKey(e.getKey());
            st.add(new StateEntry(e.getKey(), v.dtype(), v.shape(), kinds.get(e.getKey()), true, written,
                    written ? nextName(e.getKey()) : null));
        }
        List<InputEntry> in = new ArrayList<>();
        for (Map.Entry<String, InputRole> e : inputs.entrySet()) {
            Value v = g.value(e.getKey());
            in.add(new InputEntry(e.getKey(), v.dtype(), v.shape(), e.getValue()));
        }
        List<MetricEntry> ms = new ArrayList<>();
        for (Map.Entry<String, Value> e : metrics.entrySet()) ms.add(new MetricEntry(e.getKey(), e.getValue().dtype(), e.getValue().shape()));
        StepManifest manifest = new StepManifest(g.name(), st, in, ms, Flops.of(g, outputs.values()), doc == null ? "" : doc);
        // In declaration order: Map.copyOf's order changes from one JVM run to the next, and with it the state file's bytes.
        return new StepGraph(OnnxExport.model(g, outputs), manifest, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initial)));
    }
}
