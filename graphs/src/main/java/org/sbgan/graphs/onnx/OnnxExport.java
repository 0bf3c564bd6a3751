package org.sbgan.graphs.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Node;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.ops.FunctionDef;

/**
 * Graph → ONNX ModelProto (IR 10, opset 21). Only nodes that the named outputs need are emitted; every
 * declared graph input is kept so a graph's interface does not depend on what it happens to use. Inputs
 * listed in {@code frozen} become initializers (weights baked into an inference model).
 */
public final class OnnxExport {
    public static final long IR_VERSION = 10;
    public static final long OPSET = 21;
    public static final String PRODUCER = "sbgan";

    private OnnxExport() {}

    public static OnnxMl.ModelProto model(Graph g, Map<String, Value> outputs) {
        return model(g, outputs, Map.of());
    }

    public static OnnxMl.ModelProto model(Graph g, Map<String, Value> outputs, Map<String, Tensor> frozen) {
        List<Node> live = g.nodesNeededFor(outputs.values());
        Map<Value, String> names = new IdentityHashMap<>();
        OnnxMl.GraphProto.Builder gb = OnnxMl.GraphProto.newBuilder().setName(g.name());
        String graphDoc = g.docs().get("");
        if (graphDoc != null) gb.setDocString(graphDoc);

        // Output names: a node output is renamed to its output name; anything else goes through an Identity.
        List<OnnxMl.NodeProto> tail = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (Map.Entry<String, Value> e : outputs.entrySet()) {
            Value v = e.getValue();
            if (!used.add(e.getKey())) throw new IllegalArgumentException("duplicate output name " + e.getKey());
            if (v.kind() == Value.Kind.NODE && !names.containsKey(v) && !g.hasValue(e.getKey())) {
                names.put(v, e.getKey());
            } else {
                tail.add(OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName("output/" + e.getKey())
                        .addInput(nameOf(v, names)).addOutput(e.getKey()).build());
            }
        }

        for (Value in : g.inputs()) {
            Tensor t = frozen.get(in.name());
            if (t != null) {
                if (t.dtype != in.dtype() || !java.util.Arrays.equals(t.shape, in.shape())) {
                    throw new IllegalArgumentException("frozen value for '" + in.name() + "' has " + t + ", input is " + in);
                }
                gb.addInitializer(tensor(in.name(), t));
            } else {
                gb.addInput(valueInfo(in.name(), in.dtype(), in.shape()));
            }
        }
        Set<Value> usedConstants = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, FunctionDef> functions = new LinkedHashMap<>();
        for (Node n : live) {
            OnnxMl.NodeProto.Builder nb = OnnxMl.NodeProto.newBuilder().setOpType(n.op().type()).setName(n.name());
            if (!n.op().domain().isEmpty()) {
                nb.setDomain(n.op().domain());
                functions.put(n.op().domain() + ":" + n.op().type(), n.op().function());
            }
            for (Value v : n.inputs()) {
                if (v != null && v.kind() == Value.Kind.CONSTANT) usedConstants.add(v);
                nb.addInput(v == null ? "" : nameOf(v, names));
            }
            // Trailing omitted optional inputs are dropped.
            while (nb.getInputCount() > 0 && nb.getInput(nb.getInputCount() - 1).isEmpty()) {
                List<String> ins = new ArrayList<>(nb.getInputList());
                ins.remove(ins.size() - 1);
                nb.clearInput().addAllInput(ins);
            }
            for (Value v : n.outputs()) nb.addOutput(nameOf(v, names));
            for (Map.Entry<String, Object> a : n.attrs().asMap().entrySet()) nb.addAttribute(attribute(a.getKey(), a.getValue()));
            if (!n.layer().isEmpty()) nb.setDocString(g.docs().getOrDefault(n.layer(), "layer " + n.layer()));
            gb.addNode(nb);
        }
        tail.forEach(gb::addNode);
        for (Value c : g.constants()) if (usedConstants.contains(c)) gb.addInitializer(tensor(c.name(), c.constant()));
        for (Map.Entry<String, Value> e : outputs.entrySet()) {
            gb.addOutput(valueInfo(e.getKey(), e.getValue().dtype(), e.getValue().shape()));
        }

        OnnxMl.ModelProto.Builder mb = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION).setProducerName(PRODUCER).setProducerVersion(version())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(gb);
        Set<String> domains = new LinkedHashSet<>();
        for (FunctionDef f : functions.values()) {
            mb.addFunctions(function(f));
            domains.add(f.domain());
        }
        for (String d : domains) mb.addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(d).setVersion(1));
        return mb.build();
    }

    public static byte[] bytes(Graph g, Map<String, Value> outputs) {
        return model(g, outputs).toByteArray();
    }

    /** Writes a model atomically: to a temporary file in the same folder, then renamed into place. */
    public static void write(OnnxMl.ModelProto model, Path file) throws IOException {
        writeAtomically(file, model::writeTo);
    }

    /** The body of a file written by {@link #writeAtomically}. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} so that it is either complete or absent: the body goes to a temporary file in the same
     * folder, which is flushed to disk and then renamed into place; on failure the temporary file is removed and
     * an existing {@code file} is left as it was. The file gets the process's normal permissions (a temp file
     * made by {@code Files.createTempFile} would stay readable by its owner only).
     */
    public static void writeAtomically(Path file, Body body) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                body.write(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // One line naming the file: a full disk's own message ("No space left on device") does not.
            String m = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
            throw new IOException(file + ": cannot write (" + m + ")", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String nameOf(Value v, Map<Value, String> names) {
        return names.getOrDefault(v, v.name());
    }

    static OnnxMl.ValueInfoProto valueInfo(String name, DType t, long[] shape) {
        OnnxMl.TensorShapeProto.Builder sb = OnnxMl.TensorShapeProto.newBuilder();
        for (int i = 0; i < shape.length; i++) {
            OnnxMl.TensorShapeProto.Dimension.Builder d = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (shape[i] >= 0) d.setDimValue(shape[i]);
            else if (i == 0) d.setDimParam("N");
            sb.addDim(d);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(t.onnxCode).setShape(sb))).build();
    }

    public static OnnxMl.TensorProto tensor(String name, Tensor t) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(t.dtype.onnxCode);
        for (long d : t.shape) b.addDims(d);
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(t.numel() * t.dtype.bytes)).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype) {
            case FLOAT -> buf.asFloatBuffer().put(t.floats());
            case INT64 -> buf.asLongBuffer().put(t.longs());
            case INT32 -> { for (long v : t.longs()) buf.putInt((int) v); }
            case BOOL -> { for (long v : t.longs()) buf.put((byte) (v != 0 ? 1 : 0)); }
            case DOUBLE -> throw new IllegalArgumentException("double tensors are not stored");
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    static OnnxMl.AttributeProto attribute(String name, Object v) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(l);
        else if (v instanceof Float f) a.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(f);
        else if (v instanceof String s) a.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        else if (v instanceof long[] ls) {
            a.setType(OnnxMl.AttributeProto.AttributeType.INTS);
            for (long x : ls) a.addInts(x);
        } else if (v instanceof float[] fs) {
            a.setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
            for (float x : fs) a.addFloats(x);
        } else if (v instanceof Tensor t) {
            a.setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(tensor("", t));
        } else {
            throw new IllegalArgumentException("unsupported attribute " + name + " = " + v);
        }
        return a.build();
    }

    static OnnxMl.FunctionProto function(FunctionDef f) {
        OnnxMl.FunctionProto.Builder fb = OnnxMl.FunctionProto.newBuilder().setDomain(f.domain()).setName(f.name())
                .setDocString(f.doc()).addAllInput(f.inputs()).addAllOutput(f.outputs())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        for (Map.Entry<String, Float> d : f.floatAttributeDefaults().entrySet()) {
            fb.addAttributeProto(attribute(d.getKey(), d.getValue()));
        }
        for (FunctionDef.BodyNode bn : f.body()) {
            OnnxMl.NodeProto.Builder nb = OnnxMl.NodeProto.newBuilder().setOpType(bn.opType())
                    .addAllInput(bn.inputs()).addAllOutput(bn.outputs());
            for (Map.Entry<String, Object> a : bn.attrs().asMap().entrySet()) nb.addAttribute(attribute(a.getKey(), a.getValue()));
            for (Map.Entry<String, String> r : bn.refs().entrySet()) {
                OnnxMl.AttributeProto.AttributeType type = OnnxMl.AttributeProto.AttributeType.FLOAT;
                nb.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(r.getKey()).setRefAttrName(r.getValue()).setType(type));
            }
            fb.addNode(nb);
        }
        return fb.build();
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

}
