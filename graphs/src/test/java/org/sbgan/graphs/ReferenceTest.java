package org.sbgan.graphs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * Round trip Graph → ONNX bytes → ONNX Runtime session → outputs, against a plain-Java reference (double
 * precision loops, written from the ONNX operator definitions) on a small network that chains strided
 * convolution with asymmetric padding and bias, LeakyReLU, both AveragePool padding modes, nearest
 * upsampling, MaxPool, Softmax, Slice with positive and negative steps, Pad, Transpose, MatMul, ReduceMean,
 * Flatten and Gemm. Also checks the ModelProto's header fields, node names and doc strings, and that an
 * inference graph with a dynamic batch dimension runs at several batch sizes.
 */
class ReferenceTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final String ENC_DOC = "encoder: strided conv, LeakyReLU, average pools";

    /** Weights of the test network, as plain arrays with their shapes. */
    private record Weights(Nd w1, Nd b1, Nd w2, Nd w3, Nd b3) {
        static Weights random(Random r) {
            return new Weights(Nd.randn(r, 4, 3, 3, 3), Nd.randn(r, 4), Nd.randn(r, 4, 5), Nd.randn(r, 6, 20), Nd.randn(r, 6));
        }
    }

    /** The network; {@code batch} may be −1 (dynamic). Returns its named intermediate results and output. */
    private static Map<String, Value> network(Graph g, long batch, Weights w) {
        Map<String, Value> out = new LinkedHashMap<>();
        Value x = g.input("x", batch, 3, 8, 8);
        g.doc("enc", ENC_DOC);
        try (Graph.Scope s = g.scope("enc")) {
            Value c1 = g.conv(x, g.constant("w1", w.w1.tensor()), g.constant("b1", w.b1.tensor()),
                    new ConvSpec(new long[] {2, 1}, new long[] {1, 0, 2, 1}));
            out.put("conv", c1);
            Value a1 = g.leakyRelu(c1, 0.2f);
            Value pe = g.avgPool(a1, PoolSpec.of(3, 2, 1, false));
            Value pi = g.avgPool(a1, PoolSpec.of(3, 2, 1, true));
            out.put("avg_exclude", pe);
            out.put("avg_include", pi);
            out.put("enc", g.add(pe, g.mul(pi, 0.5f)));
        }
        try (Graph.Scope s = g.scope("mid")) {
            Value u = g.upsampleNearest(out.get("enc"), 2, 2);
            out.put("up", u);
            Value m = g.maxPool(u, new PoolSpec(new long[] {2, 3}, new long[] {2, 2}, new long[] {0, 1, 1, 1}, false));
            out.put("max", m);
            Value sm = g.softmax(m, 1);
            Value sl = g.slice(u, new long[] {1, 0}, new long[] {6, 8}, new long[] {2, 3}, new long[] {2, 3});
            Value rev = g.slice(sl, new long[] {-1}, new long[] {Long.MIN_VALUE}, new long[] {1}, new long[] {-1});
            Value pd = g.pad(rev, new long[] {0, 0, 0, 1, 0, 0, 0, 0}, 0.5f);
            out.put("padded", pd);
            Value tr = g.transpose(g.add(sm, pd), 0, 2, 3, 1);
            Value mm = g.matmul(tr, g.constant("w2", w.w2.tensor()));
            out.put("matmul", mm);
            out.put("mean", g.reduceMean(mm, false, 1));
        }
        try (Graph.Scope s = g.scope("head")) {
            Value f = g.flatten(out.get("mean"), 1);
            out.put("y", g.gemm(f, g.constant("w3", w.w3.tensor()), g.constant("b3", w.b3.tensor()), 0.7f, 0.5f, false, true));
        }
        return out;
    }

    /** The same network, op by op, in plain Java. */
    private static Map<String, Nd> reference(Nd x, Weights w) {
        Map<String, Nd> out = new LinkedHashMap<>();
        Nd c1 = conv2d(x, w.w1, w.b1, new int[] {2, 1}, new int[] {1, 0, 2, 1});
        out.put("conv", c1);
        Nd a1 = c1.map(v -> v > 0 ? v : 0.2 * v);
        Nd pe = avgPool(a1, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1}, false);
        Nd pi = avgPool(a1, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1}, true);
        out.put("avg_exclude", pe);
        out.put("avg_include", pi);
        Nd enc = pe.zip(pi, (a, b) -> a + 0.5 * b);
        out.put("enc", enc);
        Nd u = upsampleNearest(enc, 2, 2);
        out.put("up", u);
        Nd m = maxPool(u, new int[] {2, 3}, new int[] {2, 2}, new int[] {0, 1, 1, 1});
        out.put("max", m);
        Nd sm = softmaxAxis1(m);
        Nd sl = slice(u, new long[] {1, 0}, new long[] {6, 8}, new int[] {2, 3}, new long[] {2, 3});
        Nd rev = slice(sl, new long[] {-1}, new long[] {Long.MIN_VALUE}, new int[] {1}, new long[] {-1});
        Nd pd = pad(rev, new int[] {0, 0, 0, 1, 0, 0, 0, 0}, 0.5);
        out.put("padded", pd);
        Nd tr = transpose(sm.zip(pd, Double::sum), 0, 2, 3, 1);
        Nd mm = matmul(tr, w.w2);
        out.put("matmul", mm);
        Nd mean = reduceMean(mm, 1);
        out.put("mean", mean);
        Nd f = new Nd(new long[] {mean.shape[0], mean.size() / mean.shape[0]}, mean.d);
        out.put("y", gemm(f, w.w3, w.b3, 0.7, 0.5, false, true));
        return out;
    }

    @Test
    void roundTripMatchesJavaReference() throws Exception {
        Random r = new Random(2024);
        Weights w = Weights.random(r);
        Graph g = new Graph("reference_net");
        Map<String, Value> outs = network(g, 2, w);
        byte[] bytes = OnnxExport.bytes(g, outs);
        Nd x = Nd.randn(r, 2, 3, 8, 8);
        Map<String, Tensor> got = runBytes(bytes, Map.of("x", x.tensor()));
        compare(reference(x, w), got);
    }

    @Test
    void dynamicBatchRunsAtSeveralBatchSizes() throws Exception {
        Random r = new Random(99);
        Weights w = Weights.random(r);
        Graph g = new Graph("reference_net_dynamic");
        Map<String, Value> outs = network(g, -1, w);
        assertEquals(-1, outs.get("y").dim(0), "batch stays dynamic through the graph");
        byte[] bytes = OnnxExport.bytes(g, outs);
        OnnxMl.TensorShapeProto xs = OnnxMl.ModelProto.parseFrom(bytes).getGraph().getInput(0).getType().getTensorType().getShape();
        assertFalse(xs.getDim(0).hasDimValue(), "x's batch dimension is symbolic");
        assertEquals(8, xs.getDim(3).getDimValue());
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                OrtSession session = ENV.createSession(bytes, o)) {
            for (int batch : new int[] {1, 5}) {
                Nd x = Nd.randn(r, batch, 3, 8, 8);
                Map<String, Tensor> got = run(session, Map.of("x", x.tensor()));
                assertEquals(batch, got.get("y").shape[0]);
                compare(reference(x, w), got);
            }
        }
    }

    @Test
    void modelProtoHeaderNamesAndDocs() throws Exception {
        Graph g = new Graph("reference_net");
        g.doc("", "the reference network");
        Map<String, Value> outs = network(g, 2, Weights.random(new Random(1)));
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(OnnxExport.bytes(g, outs));
        assertEquals(10, m.getIrVersion());
        assertEquals(1, m.getOpsetImportCount(), "only the default domain is imported");
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(21, m.getOpsetImport(0).getVersion());
        assertEquals("sbgan", m.getProducerName());
        assertEquals("reference_net", m.getGraph().getName());
        assertEquals("the reference network", m.getGraph().getDocString());

        Set<String> names = new HashSet<>();
        Map<String, OnnxMl.NodeProto> byName = new HashMap<>();
        for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
            assertFalse(n.getName().isEmpty(), "every node is named: " + n);
            assertTrue(names.add(n.getName()), "node names are unique: " + n.getName());
            byName.put(n.getName(), n);
            String layer = n.getName().contains("/") ? n.getName().substring(0, n.getName().indexOf('/')) : "";
            if (layer.equals("enc") || layer.equals("mid") || layer.equals("head")) {
                assertFalse(n.getDocString().isEmpty(), "layer node " + n.getName() + " has a doc string");
            }
        }
        assertEquals("Conv", byName.get("enc/Conv").getOpType());
        assertEquals(ENC_DOC, byName.get("enc/Conv").getDocString(), "layer doc from Graph.doc");
        assertEquals("AveragePool", byName.get("enc/AveragePool").getOpType());
        assertEquals("AveragePool", byName.get("enc/AveragePool_2").getOpType());
        assertEquals("layer mid", byName.get("mid/Resize").getDocString());
        assertEquals("Gemm", byName.get("head/Gemm").getOpType());
        for (String layer : new String[] {"enc/", "mid/", "head/"}) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(layer)), "nodes of " + layer);
        }
        // Named outputs keep their names; initializers are the weights and small constants.
        assertEquals(outs.keySet(), new HashSet<>(m.getGraph().getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList()));
        assertTrue(m.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals("w1") && t.getDimsList().equals(java.util.List.of(4L, 3L, 3L, 3L))));
        try (Ort ort = new Ort(m)) {
            assertEquals(outs.keySet(), ort.run(Map.of("x", Tensor.zeros(2, 3, 8, 8))).keySet());
        }
    }

    // ---- comparison and ORT plumbing ----------------------------------------------------------------------

    private static void compare(Map<String, Nd> want, Map<String, Tensor> got) {
        assertEquals(want.keySet(), got.keySet());
        for (Map.Entry<String, Nd> e : want.entrySet()) {
            Tensor t = got.get(e.getKey());
            assertArrayEquals(e.getValue().shape, t.shape, e.getKey() + " shape");
            float[] a = t.floats();
            double[] b = e.getValue().d;
            for (int i = 0; i < b.length; i++) {
                if (!(Math.abs(a[i] - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])))) {
                    fail(e.getKey() + "[" + i + "]: ONNX Runtime " + a[i] + ", reference " + b[i]);
                }
            }
        }
    }

    private static Map<String, Tensor> runBytes(byte[] bytes, Map<String, Tensor> feed) throws Exception {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions(); OrtSession s = ENV.createSession(bytes, o)) {
            return run(s, feed);
        }
    }

    private static Map<String, Tensor> run(OrtSession s, Map<String, Tensor> feed) throws Exception {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : feed.entrySet()) in.put(e.getKey(), Ort.toOrt(e.getValue()));
            try (OrtSession.Result res = s.run(in)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : res) out.put(e.getKey(), Ort.fromOrt((OnnxTensor) e.getValue()));
                return out;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    // ---- the plain-Java reference --------------------------------------------------------------------------

    /** A dense row-major array in double precision. */
    record Nd(long[] shape, double[] d) {
        static Nd zeros(long... shape) {
            long n = 1;
            for (long s : shape) n *= s;
            return new Nd(shape, new double[(int) n]);
        }

        static Nd randn(Random r, long... shape) {
            float[] f = GradCheck.randn(r, shape).floats();
            Nd x = zeros(shape);
            for (int i = 0; i < f.length; i++) x.d[i] = f[i];
            return x;
        }

        Tensor tensor() {
            float[] f = new float[d.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) d[i];
            return Tensor.floats(f, shape);
        }

        int size() {
            return d.length;
        }

        /** Flat index of a multi-index. */
        int at(long... idx) {
            long k = 0;
            for (int i = 0; i < shape.length; i++) k = k * shape[i] + idx[i];
            return (int) k;
        }

        double get(long... idx) {
            return d[at(idx)];
        }

        Nd map(java.util.function.DoubleUnaryOperator f) {
            Nd o = zeros(shape.clone());
            for (int i = 0; i < d.length; i++) o.d[i] = f.applyAsDouble(d[i]);
            return o;
        }

        Nd zip(Nd b, java.util.function.DoubleBinaryOperator f) {
            assertArrayEquals(shape, b.shape);
            Nd o = zeros(shape.clone());
            for (int i = 0; i < d.length; i++) o.d[i] = f.applyAsDouble(d[i], b.d[i]);
            return o;
        }
    }

    /** Conv2d, NCHW, weight [O, C, kh, kw], pads [top, left, bottom, right]. */
    static Nd conv2d(Nd x, Nd w, Nd b, int[] s, int[] p) {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
        long o = w.shape[0], kh = w.shape[2], kw = w.shape[3];
        long ho = (h + p[0] + p[2] - kh) / s[0] + 1, wo = (wd + p[1] + p[3] - kw) / s[1] + 1;
        Nd y = Nd.zeros(n, o, ho, wo);
        for (long in = 0; in < n; in++)
            for (long oc = 0; oc < o; oc++)
                for (long i = 0; i < ho; i++)
                    for (long j = 0; j < wo; j++) {
                        double acc = b == null ? 0 : b.d[(int) oc];
                        for (long ic = 0; ic < c; ic++)
                            for (long a = 0; a < kh; a++)
                                for (long e = 0; e < kw; e++) {
                                    long yy = i * s[0] - p[0] + a, xx = j * s[1] - p[1] + e;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < wd) acc += x.get(in, ic, yy, xx) * w.get(oc, ic, a, e);
                                }
                        y.d[y.at(in, oc, i, j)] = acc;
                    }
        return y;
    }

    /** AveragePool: count_include_pad divides by kh·kw, otherwise by the number of real cells. */
    static Nd avgPool(Nd x, int[] k, int[] s, int[] p, boolean includePad) {
        return pool(x, k, s, p, (sum, cells, max) -> sum / (includePad ? k[0] * k[1] : cells));
    }

    /** MaxPool: padded cells never win. */
    static Nd maxPool(Nd x, int[] k, int[] s, int[] p) {
        return pool(x, k, s, p, (sum, cells, max) -> max);
    }

    private interface Reduce {
        double apply(double sum, int cells, double max);
    }

    private static Nd pool(Nd x, int[] k, int[] s, int[] p, Reduce f) {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long ho = (h + p[0] + p[2] - k[0]) / s[0] + 1, wo = (w + p[1] + p[3] - k[1]) / s[1] + 1;
        Nd y = Nd.zeros(n, c, ho, wo);
        for (long in = 0; in < n; in++)
            for (long ch = 0; ch < c; ch++)
                for (long i = 0; i < ho; i++)
                    for (long j = 0; j < wo; j++) {
                        double sum = 0, max = Double.NEGATIVE_INFINITY;
                        int cells = 0;
                        for (long a = 0; a < k[0]; a++)
                            for (long e = 0; e < k[1]; e++) {
                                long yy = i * s[0] - p[0] + a, xx = j * s[1] - p[1] + e;
                                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                                double v = x.get(in, ch, yy, xx);
                                sum += v;
                                max = Math.max(max, v);
                                cells++;
                            }
                        y.d[y.at(in, ch, i, j)] = f.apply(sum, cells, max);
                    }
        return y;
    }

    /** Nearest upsampling (asymmetric coordinates, floor): out[i] = in[i / f]. */
    static Nd upsampleNearest(Nd x, int fh, int fw) {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        Nd y = Nd.zeros(n, c, h * fh, w * fw);
        for (long in = 0; in < n; in++)
            for (long ch = 0; ch < c; ch++)
                for (long i = 0; i < h * fh; i++)
                    for (long j = 0; j < w * fw; j++) y.d[y.at(in, ch, i, j)] = x.get(in, ch, i / fh, j / fw);
        return y;
    }

    /** Softmax over axis 1 of an NCHW array. */
    static Nd softmaxAxis1(Nd x) {
        long n = x.shape[0], c = x.shape[1], hw = x.size() / n / c;
        Nd y = Nd.zeros(x.shape.clone());
        for (long in = 0; in < n; in++)
            for (long px = 0; px < hw; px++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (long ch = 0; ch < c; ch++) max = Math.max(max, x.d[(int) ((in * c + ch) * hw + px)]);
                for (long ch = 0; ch < c; ch++) sum += Math.exp(x.d[(int) ((in * c + ch) * hw + px)] - max);
                for (long ch = 0; ch < c; ch++) {
                    int i = (int) ((in * c + ch) * hw + px);
                    y.d[i] = Math.exp(x.d[i] - max) / sum;
                }
            }
        return y;
    }

    /** alpha·op(A)·op(B) + beta·C, C of shape [N] broadcast over rows. */
    static Nd gemm(Nd a, Nd b, Nd c, double alpha, double beta, boolean ta, boolean tb) {
        long m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1], nn = tb ? b.shape[0] : b.shape[1];
        Nd y = Nd.zeros(m, nn);
        for (long i = 0; i < m; i++)
            for (long j = 0; j < nn; j++) {
                double acc = 0;
                for (long q = 0; q < k; q++) acc += (ta ? a.get(q, i) : a.get(i, q)) * (tb ? b.get(j, q) : b.get(q, j));
                y.d[y.at(i, j)] = alpha * acc + beta * c.d[(int) j];
            }
        return y;
    }

    /** Batched MatMul [..., M, K] · [K, N]. */
    static Nd matmul(Nd a, Nd b) {
        int r = a.shape.length;
        long m = a.shape[r - 2], k = a.shape[r - 1], nn = b.shape[1], batch = a.size() / (m * k);
        long[] shape = a.shape.clone();
        shape[r - 1] = nn;
        Nd y = Nd.zeros(shape);
        for (long bt = 0; bt < batch; bt++)
            for (long i = 0; i < m; i++)
                for (long j = 0; j < nn; j++) {
                    double acc = 0;
                    for (long q = 0; q < k; q++) acc += a.d[(int) ((bt * m + i) * k + q)] * b.get(q, j);
                    y.d[(int) ((bt * m + i) * nn + j)] = acc;
                }
        return y;
    }

    /** ReduceMean over one axis, keepdims = 0. */
    static Nd reduceMean(Nd x, int axis) {
        long outer = 1, inner = 1, len = x.shape[axis];
        for (int i = 0; i < axis; i++) outer *= x.shape[i];
        for (int i = axis + 1; i < x.shape.length; i++) inner *= x.shape[i];
        long[] shape = new long[x.shape.length - 1];
        for (int i = 0, j = 0; i < x.shape.length; i++) if (i != axis) shape[j++] = x.shape[i];
        Nd y = Nd.zeros(shape);
        for (long o = 0; o < outer; o++)
            for (long in = 0; in < inner; in++) {
                double s = 0;
                for (long l = 0; l < len; l++) s += x.d[(int) ((o * len + l) * inner + in)];
                y.d[(int) (o * inner + in)] = s / len;
            }
        return y;
    }

    /** ONNX Slice: negative starts/ends count from the end, then clamp; negative steps walk backwards. */
    static Nd slice(Nd x, long[] starts, long[] ends, int[] axes, long[] steps) {
        int r = x.shape.length;
        long[] st = new long[r], sp = new long[r], cnt = x.shape.clone();
        java.util.Arrays.fill(sp, 1);
        for (int i = 0; i < axes.length; i++) {
            int ax = axes[i];
            long dim = x.shape[ax], s = starts[i], e = ends[i], step = steps[i];
            if (s < 0) s += dim;
            if (e < 0 && e != Long.MIN_VALUE) e += dim;
            if (step > 0) {
                s = Math.max(0, Math.min(dim, s));
                e = Math.max(0, Math.min(dim, e));
                cnt[ax] = Math.max(0, (e - s + step - 1) / step);
            } else {
                s = Math.max(0, Math.min(dim - 1, s));
                e = Math.max(-1, Math.min(dim - 1, e));
                cnt[ax] = Math.max(0, (s - e - step - 1) / -step);
            }
            st[ax] = s;
            sp[ax] = step;
        }
        Nd y = Nd.zeros(cnt);
        long[] idx = new long[r], src = new long[r];
        for (int flat = 0; flat < y.size(); flat++) {
            long rem = flat;
            for (int a = r - 1; a >= 0; a--) {
                idx[a] = rem % cnt[a];
                rem /= cnt[a];
                src[a] = st[a] + idx[a] * sp[a];
            }
            y.d[flat] = x.get(src);
        }
        return y;
    }

    /** Constant Pad, pads [begin_0.., end_0..]. */
    static Nd pad(Nd x, int[] pads, double value) {
        int r = x.shape.length;
        long[] shape = new long[r];
        for (int i = 0; i < r; i++) shape[i] = x.shape[i] + pads[i] + pads[i + r];
        Nd y = Nd.zeros(shape);
        java.util.Arrays.fill(y.d, value);
        long[] idx = new long[r], dst = new long[r];
        for (int flat = 0; flat < x.size(); flat++) {
            long rem = flat;
            for (int a = r - 1; a >= 0; a--) {
                idx[a] = rem % x.shape[a];
                rem /= x.shape[a];
                dst[a] = idx[a] + pads[a];
            }
            y.d[y.at(dst)] = x.d[flat];
        }
        return y;
    }

    /** Transpose: out axis i is input axis perm[i]. */
    static Nd transpose(Nd x, int... perm) {
        int r = x.shape.length;
        long[] shape = new long[r];
        for (int i = 0; i < r; i++) shape[i] = x.shape[perm[i]];
        Nd y = Nd.zeros(shape);
        long[] idx = new long[r], src = new long[r];
        for (int flat = 0; flat < y.size(); flat++) {
            long rem = flat;
            for (int a = r - 1; a >= 0; a--) {
                idx[a] = rem % shape[a];
                rem /= shape[a];
                src[perm[a]] = idx[a];
            }
            y.d[flat] = x.get(src);
        }
        return y;
    }
}
