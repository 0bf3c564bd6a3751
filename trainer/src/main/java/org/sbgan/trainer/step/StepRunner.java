package org.sbgan.trainer.step;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.step.StepManifest.InputEntry;
import org.sbgan.graphs.step.StepManifest.MetricEntry;
import org.sbgan.graphs.step.StepManifest.StateEntry;

/**
 * Runs one training-step graph on ONNX Runtime. State is bound by name to a {@link StateStore}; each
 * written tensor goes, through pinned outputs, straight into its spare buffer, which becomes current
 * after the run. Inputs and metrics live in direct buffers allocated once, so a step allocates nothing
 * proportional to the model's size.
 */
public final class StepRunner implements AutoCloseable {
    private final StepManifest manifest;
    private final StateStore store;
    private final OrtSession session;
    private final Map<String, ByteBuffer> inputBuffers = new LinkedHashMap<>();
    private final Map<String, OnnxTensor> inputTensors = new LinkedHashMap<>();
    private final Map<String, ByteBuffer> metricBuffers = new LinkedHashMap<>();
    private final Map<String, OnnxTensor> metricTensors = new LinkedHashMap<>();
    private final List<StateStore.Slot> read = new ArrayList<>();
    private final List<StateEntry> readEntries = new ArrayList<>();
    private final List<StateStore.Slot> written = new ArrayList<>();
    private final List<String> writtenOutputs = new ArrayList<>();
    private final Map<String, OnnxTensorLike> feed = new HashMap<>();
    private final Map<String, OnnxValue> pinned = new HashMap<>();
    private long steps;

    /** Opens a session for {@code step}; state the store lacks is initialised from the step's initial values. */
    public StepRunner(OrtEnvironment env, StepGraph step, StateStore store, OrtSession.SessionOptions options) throws OrtException {
        this(env, step.bytes(), step.manifest(), store, options);
        store.putMissing(step.initialState());
    }

    public StepRunner(OrtEnvironment env, byte[] model, StepManifest manifest, StateStore store, OrtSession.SessionOptions options)
            throws OrtException {
        this.manifest = manifest;
        this.store = store;
        this.session = env.createSession(model, options);
        try {
            for (InputEntry in : manifest.inputs()) {
                ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(Math.max(1, Shapes.numel(in.shape()) * in.dtype().bytes)))
                        .order(ByteOrder.nativeOrder());
                inputBuffers.put(in.name(), b);
                inputTensors.put(in.name(), StateStore.tensor(env, b, in.dtype(), in.shape()));
            }
            for (MetricEntry m : manifest.metrics()) {
                ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(Math.max(1, Shapes.numel(m.shape()) * m.dtype().bytes)))
                        .order(ByteOrder.nativeOrder());
                metricBuffers.put(m.name(), b);
                metricTensors.put(m.name(), StateStore.tensor(env, b, m.dtype(), m.shape()));
            }
        } catch (OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void bind() {
        if (!read.isEmpty() || manifest.state().isEmpty()) return;
        for (StateEntry s : manifest.state()) {
            StateStore.Slot slot = store.slot(s.name());
            if (slot.dtype != s.dtype() || !java.util.Arrays.equals(slot.shape, s.shape())) {
                throw new IllegalStateException("state '" + s.name() + "' is " + slot.dtype + Shapes.str(slot.shape) + " in the store but step '"
                        + manifest.name() + "' expects " + s.dtype() + Shapes.str(s.shape()));
            }
            if (s.read()) {
                read.add(slot);
                readEntries.add(s);
            }
            if (s.written()) {
                written.add(slot);
                writtenOutputs.add(s.outputName());
            }
        }
    }

    public StepManifest manifest() {
        return manifest;
    }

    /** The direct buffer behind a per-step input; fill it before {@link #step()}. */
    public FloatBuffer floatInput(String name) {
        return input(name).asFloatBuffer();
    }

    public ByteBuffer input(String name) {
        ByteBuffer b = inputBuffers.get(name);
        if (b == null) throw new IllegalArgumentException("step '" + manifest.name() + "' has no input named '" + name + "'");
        return b.duplicate().order(ByteOrder.nativeOrder()).clear();
    }

    /** Sets a scalar hyperparameter such as {@code lr.G}. */
    public StepRunner hyper(String name, float value) {
        input(name).putFloat(0, value);
        return this;
    }

    /** Runs one step: new state replaces the old, metrics are refreshed. */
    public void step() throws OrtException {
        bind();
        feed.clear();
        pinned.clear();
        for (int i = 0; i < read.size(); i++) feed.put(readEntries.get(i).name(), read.get(i).current());
        feed.putAll(inputTensors);
        for (int i = 0; i < written.size(); i++) pinned.put(writtenOutputs.get(i), written.get(i).spare());
        pinned.putAll(metricTensors);
        try (OrtSession.Result r = session.run(feed, pinned)) {
            if (r.size() != pinned.size()) throw new IllegalStateException("step '" + manifest.name() + "' returned unexpected outputs");
        }
        for (StateStore.Slot s : written) s.swap();
        steps++;
    }

    /** First element of a metric (a scalar loss, say) from the last step. */
    public float metric(String name) {
        ByteBuffer b = metricBuffers.get(name);
        if (b == null) throw new IllegalArgumentException("step '" + manifest.name() + "' has no metric named '" + name + "'");
        return b.getFloat(0);
    }

    /** A metric's buffer from the last step (read-only view, no copy). */
    public FloatBuffer metricBuffer(String name) {
        ByteBuffer b = metricBuffers.get(name);
        if (b == null) throw new IllegalArgumentException("step '" + manifest.name() + "' has no metric named '" + name + "'");
        return b.asReadOnlyBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public long steps() {
        return steps;
    }

    /** Bytes that cross into the session per step: state read plus inputs (host↔device on CUDA). */
    public long inputBytesPerStep() {
        bind();
        long n = 0;
        for (StateStore.Slot s : read) n += Shapes.numel(s.shape) * s.dtype.bytes;
        for (InputEntry in : manifest.inputs()) n += Shapes.numel(in.shape()) * in.dtype().bytes;
        return n;
    }

    /** Bytes written back per step: new state plus metrics. */
    public long outputBytesPerStep() {
        bind();
        long n = 0;
        for (StateStore.Slot s : written) n += Shapes.numel(s.shape) * s.dtype.bytes;
        for (MetricEntry m : manifest.metrics()) n += Shapes.numel(m.shape()) * m.dtype().bytes;
        return n;
    }

    @Override
    public void close() throws OrtException {
        inputTensors.values().forEach(OnnxTensor::close);
        metricTensors.values().forEach(OnnxTensor::close);
        session.close();
    }
}
