package org.sbgan.trainer.step;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.runtime.files.AtomicFiles;

/**
 * Named tensors in one ONNX file: a model with no nodes whose initializers (and, of the same name, outputs) are
 * the tensors, so {@code onnx.load(f).graph.initializer} reads it in Python and ONNX Runtime can load it too. Used
 * for the initial state of a graph set and for checkpoints. Written streaming, tensor by tensor, straight from the
 * {@link StateStore}'s direct buffers (a paper preset's state is over a gigabyte), atomically.
 */
public final class StateFile {
    private StateFile() {}

    /** One tensor to write: its bytes in little-endian order (ONNX raw_data). */
    private record Entry(String name, DType dtype, long[] shape, ByteBuffer bytes) {}

    /** Writes every tensor of the store (current values), atomically. */
    public static void write(Path file, StateStore store, String doc) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String n : store.names()) entries.add(new Entry(n, store.dtype(n), store.shape(n), littleEndian(store.view(n))));
        write(file, entries, doc);
    }

    /** Writes the tensors of a map, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, String doc) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            entries.add(new Entry(e.getKey(), t.dtype, t.shape, OnnxExport.tensor(e.getKey(), t).getRawData().asReadOnlyByteBuffer()));
        }
        write(file, entries, doc);
    }

    private static ByteBuffer littleEndian(ByteBuffer b) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("state files are written on little-endian machines only");
        }
        return b;
    }

    private static void write(Path file, List<Entry> entries, String doc) throws IOException {
        // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.
        // GraphProto: name = 2, initializer = 5, doc_string = 10, output = 12. TensorProto: raw_data = 9.
        OnnxMl.GraphProto header = OnnxMl.GraphProto.newBuilder().setName("state").setDocString(doc).build();
        List<OnnxMl.ValueInfoProto> outputs = new ArrayList<>();
        List<OnnxMl.TensorProto> heads = new ArrayList<>();
        long graphSize = header.getSerializedSize();
        for (Entry e : entries) {
            OnnxMl.ValueInfoProto vi = valueInfo(e);
            outputs.add(vi);
            OnnxMl.TensorProto.Builder tb = OnnxMl.TensorProto.newBuilder().setName(e.name()).setDataType(e.dtype().onnxCode);
            for (long d : e.shape()) tb.addDims(d);
            OnnxMl.TensorProto head = tb.build();
            heads.add(head);
            graphSize += CodedOutputStream.computeMessageSize(12, vi) + fieldSize(5, tensorSize(head, e.bytes().remaining()));
        }
        if (graphSize > Integer.MAX_VALUE - (1 << 20)) {
            throw new IOException(file + ": " + graphSize / (1 << 20) + " MiB of state is over protobuf's 2 GiB limit for one ONNX file");
        }
        OnnxMl.ModelProto modelHeader = OnnxMl.ModelProto.newBuilder().setIrVersion(OnnxExport.IR_VERSION)
                .setProducerName(OnnxExport.PRODUCER)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxExport.OPSET)).build();
        long payload = graphSize;
        AtomicFiles.write(file, out -> {
            OutputStream os = new BufferedOutputStream(out, 1 << 20);
            CodedOutputStream c = CodedOutputStream.newInstance(os, 1 << 16);
            modelHeader.writeTo(c);
            c.writeTag(7, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            c.writeUInt32NoTag((int) payload);
            header.writeTo(c);
            for (int i = 0; i < entries.size(); i++) {
                OnnxMl.TensorProto head = heads.get(i);
                ByteBuffer raw = entries.get(i).bytes().duplicate();
                c.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                c.writeUInt32NoTag((int) tensorSize(head, raw.remaining()));
                head.writeTo(c);
                c.writeTag(9, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                c.writeUInt32NoTag(raw.remaining());
                c.writeRawBytes(raw);
            }
            for (OnnxMl.ValueInfoProto vi : outputs) c.writeMessage(12, vi);
            c.flush();
            os.flush();
        });
    }

    private static long tensorSize(OnnxMl.TensorProto head, int rawBytes) {
        return head.getSerializedSize() + fieldSize(9, rawBytes);
    }

    private static long fieldSize(int field, long bytes) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag((int) bytes) + bytes;
    }

    private static OnnxMl.ValueInfoProto valueInfo(Entry e) {
        OnnxMl.TensorShapeProto.Builder sb = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : e.shape()) sb.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return OnnxMl.ValueInfoProto.newBuilder().setName(e.name()).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(e.dtype().onnxCode).setShape(sb))).build();
    }

    /**
     * Every tensor of a state file, by name in file order. A missing, truncated or foreign file is an IOException
     * whose one-line message names the file.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        OnnxMl.ModelProto m;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            CodedInputStream c = CodedInputStream.newInstance(in);
            c.setSizeLimit(Integer.MAX_VALUE);
            m = OnnxMl.ModelProto.parseFrom(c);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (IOException e) {
            throw new IOException(file + ": not a readable state file (" + e.getMessage() + ")", e);
        }
        if (!m.hasGraph()) {
            throw new IOException(file + ": not a state file (no tensors)");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) out.put(t.getName(), tensor(file, t));
        return out;
    }

    private static Tensor tensor(Path file, OnnxMl.TensorProto t) throws IOException {
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int n = Math.toIntExact(Shapes.numel(shape));
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (t.getDataType() == DType.FLOAT.onnxCode) {
            float[] d = new float[n];
            if (raw.remaining() == 4L * n) raw.asFloatBuffer().get(d);
            else if (t.getFloatDataCount() == n) for (int i = 0; i < n; i++) d[i] = t.getFloatData(i);
            else throw new IOException(file + ": tensor '" + t.getName() + "' has " + raw.remaining() + " bytes for " + n + " floats");
            return Tensor.floats(d, shape);
        }
        if (t.getDataType() == DType.INT64.onnxCode) {
            long[] d = new long[n];
            if (raw.remaining() == 8L * n) raw.asLongBuffer().get(d);
            else if (t.getInt64DataCount() == n) for (int i = 0; i < n; i++) d[i] = t.getInt64Data(i);
            else throw new IOException(file + ": tensor '" + t.getName() + "' has " + raw.remaining() + " bytes for " + n + " int64s");
            return Tensor.longs(d, shape);
        }
        throw new IOException(file + ": tensor '" + t.getName() + "' has unsupported data type " + t.getDataType());
    }
}
