package org.sbgan.graphs.testing;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Tensor;

/** A real ONNX Runtime CPU session over an exported model, fed and read with heap {@link Tensor}s. */
public final class Ort implements AutoCloseable {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public Ort(OnnxMl.ModelProto model) {
        this(model, 1);
    }

    public Ort(OnnxMl.ModelProto model, int threads) {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            session = ENV.createSession(model.toByteArray(), o);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime rejected the model: " + e.getMessage(), e);
        }
    }

    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) in.put(e.getKey(), toOrt(e.getValue()));
            try (OrtSession.Result r = session.run(in)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : r) out.put(e.getKey(), fromOrt((OnnxTensor) e.getValue()));
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    public static OnnxTensor toOrt(Tensor t) throws OrtException {
        if (t.dtype == DType.FLOAT) {
            FloatBuffer fb = ByteBuffer.allocateDirect(t.floats().length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            fb.put(t.floats()).rewind();
            return OnnxTensor.createTensor(ENV, fb, t.shape);
        }
        if (t.dtype == DType.INT64) {
            LongBuffer lb = ByteBuffer.allocateDirect(t.longs().length * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
            lb.put(t.longs()).rewind();
            return OnnxTensor.createTensor(ENV, lb, t.shape);
        }
        throw new IllegalArgumentException("unsupported input type " + t.dtype);
    }

    public static Tensor fromOrt(OnnxTensor t) {
        long[] shape = t.getInfo().getShape();
        switch (t.getInfo().type) {
            case FLOAT: {
                FloatBuffer fb = t.getFloatBuffer();
                float[] d = new float[fb.remaining()];
                fb.get(d);
                return Tensor.floats(d, shape);
            }
            case INT64: {
                LongBuffer lb = t.getLongBuffer();
                long[] d = new long[lb.remaining()];
                lb.get(d);
                return Tensor.longs(d, shape);
            }
            case BOOL: {
                ByteBuffer bb = t.getByteBuffer();
                long[] d = new long[bb.remaining()];
                for (int i = 0; i < d.length; i++) d[i] = bb.get(i);
                return Tensor.of(DType.BOOL, shape, d);
            }
            default:
                throw new IllegalArgumentException("unsupported output type " + t.getInfo().type);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
