package org.sbgan.graphs.step;

import java.util.List;
import org.sbgan.graphs.ir.DType;

/**
 * What a training-step graph reads and writes. A step is the pure function
 * {@code (state, inputs) → (state', metrics)}; the runner binds state to its store by name, feeds the
 * inputs, and writes each written state tensor's new value ({@code outputName}) into the spare buffer.
 * {@code flops} counts one step's floating-point operations ({@link org.sbgan.graphs.ops.Flops}).
 */
public record StepManifest(String name, List<StateEntry> state, List<InputEntry> inputs, List<MetricEntry> metrics,
        long flops, String doc) {

    /** Parameters are trained; optimizer moments, counters and buffers (running stats, σ-vectors) are not. */
    public enum StateKind { PARAM, OPTIMIZER, COUNTER, BUFFER }

    /** Per-step inputs: data batches, noise drawn in Java from a seeded RNG, hyperparameters such as lr. */
    public enum InputRole { BATCH, NOISE, HYPER }

    public record StateEntry(String name, DType dtype, long[] shape, StateKind kind, boolean read, boolean written,
            String outputName) {}

    public record InputEntry(String name, DType dtype, long[] shape, InputRole role) {}

    public record MetricEntry(String name, DType dtype, long[] shape) {}

    public List<StateEntry> written() {
        return state.stream().filter(StateEntry::written).toList();
    }

    public StateEntry stateEntry(String n) {
        return state.stream().filter(s -> s.name().equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("step '" + name + "' has no state named '" + n + "'"));
    }
}
