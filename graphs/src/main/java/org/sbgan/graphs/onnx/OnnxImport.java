package org.sbgan.graphs.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;

/**
 * ONNX ModelProto → nodes of an existing {@link Graph}, as a function of a given input {@link Value}: a
 * frozen, feed-forward network (e.g. a user-supplied VGG19) inlined into a training graph.
 *
 * <p>The model must have exactly one graph input that is not an initializer; it is bound to {@code input}.
 * Initializers become named constants ({@code prefix + name}), so no gradient ever flows into them; a
 * constant of that name already in the graph with the same type and shape is reused, so importing the same
 * model twice with the same prefix shares its weights. Nodes are rebuilt through the builder, so every op
 * has its gradient rule. Supported subset: Conv (2-D, group 1, dilation 1, explicit pads), Relu, MaxPool and
 * AveragePool (2-D, floor rounding), Flatten, Gemm, Identity, Add, Mul, Sub, Div, Reshape with a constant
 * shape, Dropout (identity: inference), Constant. Initializers must be float32 (raw_data or float_data), or
 * int64 (only useful as Reshape shapes). Anything else fails with a one-line {@link GraphBuildException}
 * naming the op or tensor, the node and the source file.
 */
public final class OnnxImport {
    private OnnxImport() {}

    /** Reads a ModelProto from a file (weights must be inside the file, not in external data). */
    public static OnnxMl.ModelProto read(Path file) throws IOException {
        try {
            return OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("ONNX import: " + file + " is not an ONNX model: " + e.getMessage(), e);
        }
    }

    /** Parses model bytes ({@code source} only names them in errors). */
    public static OnnxMl.ModelProto parse(byte[] bytes, String source) {
        try {
            return OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new GraphBuildException("ONNX import: " + source + " is not an ONNX model: " + e.getMessage());
        }
    }

    /** {@link #apply(Graph, OnnxMl.ModelProto, String, Value, String)} on a model file. */
    public static Map<String, Value> apply(Graph g, Path file, Value input, String prefix) throws IOException {
        return apply(g, read(file), file.toString(), input, prefix);
    }

    /**
     * Inlines {@code model} into {@code g} with its single input bound to {@code input}.
     *
     * @param source names the model in error messages (usually its file)
     * @param prefix prepended to initializer names for the graph's constants, e.g. {@code "vgg."}
     * @return every value of the model by its ONNX name (input, initializers, node outputs), in model order,
     *     so callers can tap intermediate activations
     */
    public static Map<String, Value> apply(Graph g, OnnxMl.ModelProto model, String source, Value input, String prefix) {
        OnnxMl.GraphProto gp = model.getGraph();
        Map<String, Value> vals = new LinkedHashMap<>();
        Set<String> inits = new HashSet<>();
        for (OnnxMl.TensorProto t : gp.getInitializerList()) inits.add(t.getName());
        List<String> free = new ArrayList<>();
        for (OnnxMl.ValueInfoProto vi : gp.getInputList()) if (!inits.contains(vi.getName())) free.add(vi.getName());
        if (free.size() != 1) {
            throw new GraphBuildException("ONNX import of " + source + ": need exactly one non-initializer input, got " + free);
        }
        vals.put(free.get(0), input);
        for (Map.Entry<String, Tensor> e : initializers(model, source).entrySet()) vals.put(e.getKey(), constant(g, prefix + e.getKey(), e.getValue()));
        for (OnnxMl.NodeProto n : gp.getNodeList()) {
            String where = "node '" + n.getName() + "' (" + n.getOpType() + ") of " + source;
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw new GraphBuildException("ONNX import: unsupported op '" + n.getDomain() + ":" + n.getOpType()
                        + "' in node '" + n.getName() + "' of " + source);
            }
            List<Value> in = new ArrayList<>();
            for (String s : n.getInputList()) {
                if (s.isEmpty()) {
                    in.add(null);
                    continue;
                }
                Value v = vals.get(s);
                if (v == null) throw new GraphBuildException("ONNX import: " + where + " reads unknown value '" + s + "'");
                in.add(v);
            }
            Value out;
            try {
                out = node(g, n, in, where, prefix, source);
            } catch (GraphBuildException e) {
                if (e.getMessage().startsWith("ONNX import")) throw e;
                throw new GraphBuildException("ONNX import: " + where + ": " + e.getMessage());
            }
            vals.put(n.getOutput(0), out);
        }
        return vals;
    }

    /** The model's initializers as tensors by name, in model order (float32 and int64; others are an error naming the source). */
    public static Map<String, Tensor> initializers(OnnxMl.ModelProto model, String source) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
            out.put(t.getName(), tensor(t, "initializer '" + t.getName() + "'", source));
        }
        return out;
    }

    /** Output names of the model's nodes of one op type, in node order (e.g. the Relu outputs of a VGG). */
    public static List<String> outputsOfOpType(OnnxMl.ModelProto model, String opType) {
        List<String> out = new ArrayList<>();
        for (OnnxMl.NodeProto n : model.getGraph().getNodeList()) if (n.getOpType().equals(opType)) out.add(n.getOutput(0));
        return out;
    }

    private static Value node(Graph g, OnnxMl.NodeProto n, List<Value> in, String where, String prefix, String source) {
        Map<String, OnnxMl.AttributeProto> at = new HashMap<>();
        for (OnnxMl.AttributeProto a : n.getAttributeList()) at.put(a.getName(), a);
        switch (n.getOpType()) {
            case "Conv": {
                arity(n, in, 2, 3, where);
                requireString(at, "auto_pad", "NOTSET", where);
                requireInt(at, "group", 1, where);
                requireAllOnes(at, "dilations", where);
                Value w = in.get(1);
                if (w.rank() != 4) throw new GraphBuildException("ONNX import: " + where + ": only 2-D Conv is supported, weight " + Shapes.str(w.shape()));
                long[] k = ints(at, "kernel_shape", new long[] {w.dim(2), w.dim(3)});
                if (k.length != 2 || k[0] != w.dim(2) || k[1] != w.dim(3)) {
                    throw new GraphBuildException("ONNX import: " + where + ": kernel_shape " + Arrays.toString(k) + " does not match weight " + Shapes.str(w.shape()));
                }
                ConvSpec spec = new ConvSpec(len(ints(at, "strides", new long[] {1, 1}), 2, "strides", where),
                        len(ints(at, "pads", new long[4]), 4, "pads", where));
                return g.conv(in.get(0), w, in.size() > 2 ? in.get(2) : null, spec);
            }
            case "MaxPool":
            case "AveragePool": {
                arity(n, in, 1, 1, where);
                if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                    throw new GraphBuildException("ONNX import: " + where + ": MaxPool indices output is not supported");
                }
                requireString(at, "auto_pad", "NOTSET", where);
                requireInt(at, "ceil_mode", 0, where);
                requireAllOnes(at, "dilations", where);
                requireInt(at, "storage_order", 0, where);
                long[] k = len(ints(at, "kernel_shape", null), 2, "kernel_shape", where);
                PoolSpec p = new PoolSpec(k, len(ints(at, "strides", new long[] {1, 1}), 2, "strides", where),
                        len(ints(at, "pads", new long[4]), 4, "pads", where), intAttr(at, "count_include_pad", 0) != 0);
                return n.getOpType().equals("MaxPool") ? g.maxPool(in.get(0), p) : g.avgPool(in.get(0), p);
            }
            case "Relu":
                arity(n, in, 1, 1, where);
                return g.relu(in.get(0));
            case "Identity":
                arity(n, in, 1, 1, where);
                return g.identity(in.get(0));
            case "Dropout":
                // Inference: identity; the optional mask output is not provided.
                arity(n, in, 1, 3, where);
                if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                    throw new GraphBuildException("ONNX import: " + where + ": Dropout mask output is not supported");
                }
                return g.identity(in.get(0));
            case "Flatten":
                arity(n, in, 1, 1, where);
                return g.flatten(in.get(0), (int) intAttr(at, "axis", 1));
            case "Gemm":
                arity(n, in, 2, 3, where);
                return g.gemm(in.get(0), in.get(1), in.size() > 2 ? in.get(2) : null, floatAttr(at, "alpha", 1f),
                        floatAttr(at, "beta", 1f), intAttr(at, "transA", 0) != 0, intAttr(at, "transB", 0) != 0);
            case "Add":
                arity(n, in, 2, 2, where);
                return g.add(in.get(0), in.get(1));
            case "Sub":
                arity(n, in, 2, 2, where);
                return g.sub(in.get(0), in.get(1));
            case "Mul":
                arity(n, in, 2, 2, where);
                return g.mul(in.get(0), in.get(1));
            case "Div":
                arity(n, in, 2, 2, where);
                return g.div(in.get(0), in.get(1));
            case "Reshape": {
                arity(n, in, 2, 2, where);
                requireInt(at, "allowzero", 0, where);
                Value s = in.get(1);
                if (!s.isConstant() || s.dtype() != DType.INT64 || s.rank() != 1) {
                    throw new GraphBuildException("ONNX import: " + where + ": Reshape needs a constant 1-D int64 shape");
                }
                return g.reshape(in.get(0), s.constant().longs());
            }
            case "Constant": {
                arity(n, in, 0, 0, where);
                OnnxMl.AttributeProto v = at.get("value");
                if (v == null || at.size() != 1) {
                    throw new GraphBuildException("ONNX import: " + where + ": only Constant with a 'value' tensor is supported");
                }
                return constant(g, prefix + n.getOutput(0), tensor(v.getT(), "Constant '" + n.getOutput(0) + "'", source));
            }
            default:
                throw new GraphBuildException("ONNX import: unsupported op '" + n.getOpType() + "' in node '" + n.getName()
                        + "' of " + source);
        }
    }

    private static Value constant(Graph g, String name, Tensor t) {
        if (g.hasValue(name)) {
            Value v = g.value(name);
            if (v.isConstant() && v.dtype() == t.dtype && Arrays.equals(v.shape(), t.shape)) return v;
        }
        return g.constant(name, t);
    }

    /** Float32 (raw_data little-endian, or float_data) and int64 (raw_data, or int64_data) tensors. */
    static Tensor tensor(OnnxMl.TensorProto t, String what, String source) {
        long[] shape = new long[t.getDimsCount()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.getDims(i);
        String where = "ONNX import: " + what + " of " + source;
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            throw new GraphBuildException(where + " uses external data; save the model with its weights inside the file");
        }
        int n = Math.toIntExact(Shapes.numel(shape));
        ByteString raw = t.getRawData();
        if (t.getDataType() == DType.FLOAT.onnxCode) {
            float[] d = new float[n];
            if (!raw.isEmpty()) {
                if (raw.size() != 4L * n) throw new GraphBuildException(where + ": raw_data has " + raw.size() + " bytes for " + n + " floats");
                raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(d);
            } else {
                if (t.getFloatDataCount() != n) throw new GraphBuildException(where + ": float_data has " + t.getFloatDataCount() + " values for " + n);
                for (int i = 0; i < n; i++) d[i] = t.getFloatData(i);
            }
            return Tensor.floats(d, shape);
        }
        if (t.getDataType() == DType.INT64.onnxCode) {
            long[] d = new long[n];
            if (!raw.isEmpty()) {
                if (raw.size() != 8L * n) throw new GraphBuildException(where + ": raw_data has " + raw.size() + " bytes for " + n + " int64s");
                ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                b.asLongBuffer().get(d);
            } else {
                if (t.getInt64DataCount() != n) throw new GraphBuildException(where + ": int64_data has " + t.getInt64DataCount() + " values for " + n);
                for (int i = 0; i < n; i++) d[i] = t.getInt64Data(i);
            }
            return Tensor.longs(d, shape);
        }
        throw new GraphBuildException(where + " has ONNX data type " + t.getDataType()
                + "; only float32 (1) and int64 (7) tensors are supported");
    }

    // ---- attributes -------------------------------------------------------------------------------

    private static void arity(OnnxMl.NodeProto n, List<Value> in, int min, int max, String where) {
        int count = in.size();
        while (count > 0 && in.get(count - 1) == null) count--;
        if (count < min || count > max || in.subList(0, Math.min(count, min)).contains(null)) {
            throw new GraphBuildException("ONNX import: " + where + ": expected " + (min == max ? "" + min : min + ".." + max)
                    + " inputs, got " + n.getInputList());
        }
        while (in.size() > count) in.remove(in.size() - 1);
    }

    private static long[] ints(Map<String, OnnxMl.AttributeProto> at, String name, long[] dflt) {
        OnnxMl.AttributeProto a = at.get(name);
        if (a == null) return dflt;
        long[] v = new long[a.getIntsCount()];
        for (int i = 0; i < v.length; i++) v[i] = a.getInts(i);
        return v;
    }

    private static long[] len(long[] v, int n, String name, String where) {
        if (v == null || v.length != n) {
            throw new GraphBuildException("ONNX import: " + where + ": attribute " + name + " must have " + n + " values, got "
                    + (v == null ? "none" : Arrays.toString(v)) + " (only 2-D supported)");
        }
        return v;
    }

    private static long intAttr(Map<String, OnnxMl.AttributeProto> at, String name, long dflt) {
        OnnxMl.AttributeProto a = at.get(name);
        return a == null ? dflt : a.getI();
    }

    private static float floatAttr(Map<String, OnnxMl.AttributeProto> at, String name, float dflt) {
        OnnxMl.AttributeProto a = at.get(name);
        return a == null ? dflt : a.getF();
    }

    private static void requireInt(Map<String, OnnxMl.AttributeProto> at, String name, long want, String where) {
        long v = intAttr(at, name, want);
        if (v != want) throw new GraphBuildException("ONNX import: " + where + ": " + name + " = " + v + " is not supported (only " + want + ")");
    }

    private static void requireString(Map<String, OnnxMl.AttributeProto> at, String name, String want, String where) {
        OnnxMl.AttributeProto a = at.get(name);
        String v = a == null ? want : a.getS().toStringUtf8();
        if (!v.equals(want)) throw new GraphBuildException("ONNX import: " + where + ": " + name + " = " + v + " is not supported (only " + want + ")");
    }

    private static void requireAllOnes(Map<String, OnnxMl.AttributeProto> at, String name, String where) {
        for (long v : ints(at, name, new long[0])) {
            if (v != 1) throw new GraphBuildException("ONNX import: " + where + ": " + name + " other than 1 is not supported");
        }
    }
}
