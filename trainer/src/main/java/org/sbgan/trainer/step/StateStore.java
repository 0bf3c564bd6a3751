package org.sbgan.trainer.step;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;

/**
 * Every named state tensor of a run (parameters, optimizer moments, counters, buffers), each in two direct
 * native-order buffers wrapped once as ONNX Runtime tensors: the current value and a spare that a step
 * writes into before the two are swapped. Several step graphs (a G step and a D step) share one store.
 */
public final class StateStore implements AutoCloseable {
    private final OrtEnvironment env;
    private final Map<String, Slot> slots = new LinkedHashMap<>();

    static final class Slot {
        final String name;
        final DType dtype;
        final long[] shape;
        final ByteBuffer[] buffers = new ByteBuffer[2];
        final OnnxTensor[] tensors = new OnnxTensor[2];
        int current;

        Slot(OrtEnvironment env, String name, DType dtype, long[] shape) throws OrtException {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape.clone();
            long bytes = Shapes.numel(shape) * dtype.bytes;
            for (int i = 0; i < 2; i++) {
                buffers[i] = ByteBuffer.allocateDirect(Math.toIntExact(Math.max(bytes, 1))).order(ByteOrder.nativeOrder());
                tensors[i] = tensor(env, buffers[i], dtype, shape);
            }
        }

        OnnxTensor current() { return tensors[current]; }
        OnnxTensor spare() { return tensors[1 - current]; }
        ByteBuffer currentBuffer() { return buffers[current].duplicate().order(ByteOrder.nativeOrder()).clear(); }
        void swap() { current = 1 - current; }
    }

    public StateStore(OrtEnvironment env) {
        this.env = env;
    }

    /** Creates the slot if absent and sets its value; an existing slot must have the same type and shape. */
    public void put(String name, Tensor value) {
        Slot s = slots.get(name);
        try {
            if (s == null) {
                s = new Slot(env, name, value.dtype, value.shape);
                slots.put(name, s);
            } else if (s.dtype != value.dtype || !Arrays.equals(s.shape, value.shape)) {
                throw new IllegalArgumentException("state '" + name + "' is " + s.dtype + Shapes.str(s.shape) + ", not " + value);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("cannot allocate state '" + name + "': " + e.getMessage(), e);
        }
        ByteBuffer b = s.currentBuffer();
        switch (value.dtype) {
            case FLOAT -> b.asFloatBuffer().put(value.floats());
            case INT64 -> b.asLongBuffer().put(value.longs());
            default -> throw new IllegalArgumentException("unsupported state type " + value.dtype);
        }
    }

    /** Adds every tensor of {@code initial} that the store does not hold yet (shared state is kept). */
    public void putMissing(Map<String, Tensor> initial) {
        for (Map.Entry<String, Tensor> e : initial.entrySet()) if (!slots.containsKey(e.getKey())) put(e.getKey(), e.getValue());
    }

    /** A heap copy of the current value. */
    public Tensor get(String name) {
        Slot s = slot(name);
        ByteBuffer b = s.currentBuffer();
        int n = Math.toIntExact(Shapes.numel(s.shape));
        if (s.dtype == DType.FLOAT) {
            float[] d = new float[n];
            b.asFloatBuffer().get(d);
            return Tensor.floats(d, s.shape);
        }
        long[] d = new long[n];
        b.asLongBuffer().get(d);
        return Tensor.longs(d, s.shape);
    }

    /** The current value's bytes (native order), without copying; valid until the next step writes it. */
    public ByteBuffer view(String name) {
        return slot(name).currentBuffer().asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /**
     * The ONNX Runtime tensor over the current value, to feed a session that reads state without writing it (an
     * inference graph drawing samples); valid until the next step writes it. Owned by the store: do not close.
     */
    public OnnxTensor currentTensor(String name) {
        return slot(name).current();
    }

    /** The DType and shape of a state tensor. */
    public DType dtype(String name) {
        return slot(name).dtype;
    }

    public long[] shape(String name) {
        return slot(name).shape.clone();
    }

    public boolean contains(String name) {
        return slots.containsKey(name);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(slots.keySet());
    }

    public long bytes() {
        long total = 0;
        for (Slot s : slots.values()) total += Shapes.numel(s.shape) * s.dtype.bytes;
        return total;
    }

    Slot slot(String name) {
        Slot s = slots.get(name);
        if (s == null) throw new IllegalArgumentException("no state named '" + name + "'");
        return s;
    }

    static OnnxTensor tensor(OrtEnvironment env, ByteBuffer b, DType dtype, long[] shape) throws OrtException {
        return switch (dtype) {
            case FLOAT -> OnnxTensor.createTensor(env, b.asFloatBuffer(), shape);
            case INT64 -> OnnxTensor.createTensor(env, b.asLongBuffer(), shape);
            case INT32 -> OnnxTensor.createTensor(env, b.asIntBuffer(), shape);
            case BOOL -> OnnxTensor.createTensor(env, b, shape, OnnxJavaType.BOOL);
            case DOUBLE -> OnnxTensor.createTensor(env, b.asDoubleBuffer(), shape);
        };
    }

    @Override
    public void close() {
        for (Slot s : slots.values()) for (OnnxTensor t : s.tensors) t.close();
        slots.clear();
    }
}
