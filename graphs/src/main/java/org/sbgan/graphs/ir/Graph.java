package org.sbgan.graphs.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ops.ConvGradients;
import org.sbgan.graphs.ops.Elementwise;
import org.sbgan.graphs.ops.GumbelSoftmaxST;
import org.sbgan.graphs.ops.Indexing;
import org.sbgan.graphs.ops.Linalg;
import org.sbgan.graphs.ops.Nn;
import org.sbgan.graphs.ops.Op;
import org.sbgan.graphs.ops.Reductions;
import org.sbgan.graphs.ops.Shaping;
import org.sbgan.graphs.ops.Op.Out;

/**
 * A graph under construction: inputs, constants and nodes in topological order (the builder only appends).
 * Shapes are inferred as each node is added, so a mistake fails where it is made, naming the op, its input
 * shapes and the layer. Below the mechanism are the typed builder methods, one line each; every op they
 * build is defined, with its shape and gradient rules, in the {@code org.sbgan.graphs.ops} catalog.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> constants = new ArrayList<>();
    private final Map<String, Value> byName = new HashMap<>();
    private final Map<Tensor, Value> smallConstants = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final List<String> scopes = new ArrayList<>();
    private final Map<String, String> docs = new LinkedHashMap<>();
    private ConvGradients convGradients = ConvGradients.MEASURED;

    public Graph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** How this graph's convolution gradients are formed (default: the formulations measured fastest). */
    public ConvGradients convGradients() {
        return convGradients;
    }

    public Graph convGradients(ConvGradients policy) {
        this.convGradients = java.util.Objects.requireNonNull(policy);
        return this;
    }

    // ---- inputs and constants -------------------------------------------------------------------

    /** A graph input; dimensions may be negative for sizes known only at run time. */
    public Value input(String name, DType dtype, long... shape) {
        Value v = new Value(this, checkFree(name), dtype, shape, Value.Kind.INPUT, null, null);
        register(v);
        inputs.add(v);
        return v;
    }

    public Value input(String name, long... shape) {
        return input(name, DType.FLOAT, shape);
    }

    /** A named constant, exported as an initializer. */
    public Value constant(String name, Tensor t) {
        Value v = new Value(this, checkFree(name), t.dtype, t.shape, Value.Kind.CONSTANT, null, t);
        register(v);
        constants.add(v);
        return v;
    }

    /** An anonymous constant; small ones are shared by value. */
    public Value constant(Tensor t) {
        boolean small = t.numel() <= 64;
        if (small) {
            Value hit = smallConstants.get(t);
            if (hit != null) return hit;
        }
        Value v = constant(fresh("const"), t);
        if (small) smallConstants.put(t, v);
        return v;
    }

    /** A rank-0 float constant. */
    public Value scalar(float v) {
        return constant(Tensor.floats(new float[] {v}));
    }

    /** A 1-D int64 constant (axes, shapes, pads, ...). */
    public Value ints(long... v) {
        return constant(Tensor.longs(v.clone(), v.length));
    }

    // ---- layer scopes -----------------------------------------------------------------------------

    /** Names nodes and parameters built inside it ("gseg.block3.conv1"); close to leave the scope. */
    public Scope scope(String layer) {
        scopes.add(layer);
        return new Scope(scopes.size());
    }

    /**
     * Enters a layer by its full path ("gseg.block3.conv1"), whatever the current scope: a layer's forward
     * pass names its nodes after the layer wherever it is called. Closing restores the previous scopes.
     */
    public Scope scopeAt(String layerPath) {
        List<String> saved = new ArrayList<>(scopes);
        scopes.clear();
        if (!layerPath.isEmpty()) scopes.add(layerPath);
        return new Scope(scopes.size(), saved);
    }

    public final class Scope implements AutoCloseable {
        private final int depth;
        private final List<String> restore;

        private Scope(int depth) {
            this(depth, null);
        }

        private Scope(int depth, List<String> restore) {
            this.depth = depth;
            this.restore = restore;
        }

        @Override
        public void close() {
            if (scopes.size() != depth) throw new IllegalStateException("layer scopes closed out of order");
            if (restore != null) {
                scopes.clear();
                scopes.addAll(restore);
            } else {
                scopes.remove(scopes.size() - 1);
            }
        }
    }

    /** The current layer path, "" at top level. */
    public String layer() {
        return String.join(".", scopes);
    }

    /** A parameter-style name in the current layer: {@code layer.local}. */
    public String qualify(String local) {
        String l = layer();
        return l.isEmpty() ? local : l + "." + local;
    }

    /** Attaches a doc string to the graph (key "") or to a layer, exported into the ONNX doc strings. */
    public void doc(String layerOrEmpty, String text) {
        docs.put(layerOrEmpty, text);
    }

    public Map<String, String> docs() {
        return Collections.unmodifiableMap(docs);
    }

    // ---- nodes ------------------------------------------------------------------------------------

    /** Adds a node; shape inference runs now and reports errors as one line naming op, shapes and layer. */
    public List<Value> apply(Op op, Attrs attrs, Value... in) {
        List<Value> ins = Arrays.asList(in.clone());
        for (Value v : ins) {
            if (v != null && v.graph() != this) {
                throw new GraphBuildException(op.displayName() + where() + ": input '" + v.name() + "' belongs to graph '"
                        + v.graph().name() + "', not '" + name + "'");
            }
        }
        List<Out> outs;
        try {
            outs = op.shapeRule().infer(ins, attrs);
        } catch (ShapeError | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new GraphBuildException(op.displayName() + where() + " with inputs " + describe(ins) + ": " + e.getMessage());
        }
        String local = op.displayName();
        String nodeName = qualifyNode(local);
        Node node = new Node(op, ins, attrs, nodeName, layer());
        List<Value> values = new ArrayList<>(outs.size());
        for (int i = 0; i < outs.size(); i++) {
            Out o = outs.get(i);
            String vName = outs.size() == 1 ? nodeName : nodeName + ":" + i;
            Value v = new Value(this, vName, o.dtype(), o.shape(), Value.Kind.NODE, node, null);
            register(v);
            values.add(v);
        }
        node.setOutputs(values);
        nodes.add(node);
        return values;
    }

    public Value apply1(Op op, Attrs attrs, Value... in) {
        return apply(op, attrs, in).get(0);
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** The nodes needed to compute {@code outputs}, in graph order. */
    public List<Node> nodesNeededFor(java.util.Collection<Value> outputs) {
        java.util.Set<Value> need = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        need.addAll(outputs);
        boolean[] keep = new boolean[nodes.size()];
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            for (Value v : n.outputs()) keep[i] |= need.contains(v);
            if (keep[i]) for (Value v : n.inputs()) if (v != null) need.add(v);
        }
        List<Node> live = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) if (keep[i]) live.add(nodes.get(i));
        return live;
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<Value> constants() {
        return Collections.unmodifiableList(constants);
    }

    public Value value(String name) {
        Value v = byName.get(name);
        if (v == null) throw new IllegalArgumentException("graph '" + this.name + "' has no value named '" + name + "'");
        return v;
    }

    public boolean hasValue(String name) {
        return byName.containsKey(name);
    }

    // ---- builder: elementwise (numpy broadcasting) -------------------------------------------------

    public Value add(Value a, Value b) { return apply1(Elementwise.ADD, Attrs.NONE, a, b); }
    public Value add(Value a, float b) { return add(a, scalar(b)); }
    public Value sub(Value a, Value b) { return apply1(Elementwise.SUB, Attrs.NONE, a, b); }
    public Value sub(Value a, float b) { return sub(a, scalar(b)); }
    public Value sub(float a, Value b) { return sub(scalar(a), b); }
    public Value mul(Value a, Value b) { return apply1(Elementwise.MUL, Attrs.NONE, a, b); }
    public Value mul(Value a, float b) { return mul(a, scalar(b)); }
    public Value div(Value a, Value b) { return apply1(Elementwise.DIV, Attrs.NONE, a, b); }
    public Value div(Value a, float b) { return div(a, scalar(b)); }
    /** x raised to a constant exponent. */
    public Value pow(Value x, float exponent) { return apply1(Elementwise.POW, Attrs.NONE, x, scalar(exponent)); }
    public Value neg(Value x) { return apply1(Elementwise.NEG, Attrs.NONE, x); }
    public Value exp(Value x) { return apply1(Elementwise.EXP, Attrs.NONE, x); }
    public Value log(Value x) { return apply1(Elementwise.LOG, Attrs.NONE, x); }
    public Value sqrt(Value x) { return apply1(Elementwise.SQRT, Attrs.NONE, x); }
    public Value abs(Value x) { return apply1(Elementwise.ABS, Attrs.NONE, x); }
    public Value relu(Value x) { return apply1(Elementwise.RELU, Attrs.NONE, x); }
    public Value leakyRelu(Value x, float alpha) { return apply1(Elementwise.LEAKY_RELU, Attrs.of("alpha", alpha), x); }
    public Value tanh(Value x) { return apply1(Elementwise.TANH, Attrs.NONE, x); }
    public Value sigmoid(Value x) { return apply1(Elementwise.SIGMOID, Attrs.NONE, x); }
    public Value softmax(Value x, int axis) { return apply1(Elementwise.SOFTMAX, Attrs.of("axis", axis), x); }
    public Value logSoftmax(Value x, int axis) { return apply1(Elementwise.LOG_SOFTMAX, Attrs.of("axis", axis), x); }
    public Value min(Value a, Value b) { return apply1(Elementwise.MIN, Attrs.NONE, a, b); }
    public Value max(Value a, Value b) { return apply1(Elementwise.MAX, Attrs.NONE, a, b); }
    public Value clip(Value x, float lo, float hi) { return apply1(Elementwise.CLIP, Attrs.NONE, x, scalar(lo), scalar(hi)); }
    public Value where(Value cond, Value a, Value b) { return apply1(Elementwise.WHERE, Attrs.NONE, cond, a, b); }
    public Value where(Value cond, Value a, float b) { return where(cond, a, scalar(b)); }
    public Value where(Value cond, float a, Value b) { return where(cond, scalar(a), b); }
    public Value identity(Value x) { return apply1(Elementwise.IDENTITY, Attrs.NONE, x); }
    /** Identity in the forward pass; the backward pass treats the result as a constant. */
    public Value stopGradient(Value x) { return apply1(Elementwise.STOP_GRADIENT, Attrs.NONE, x); }
    public Value cast(Value x, DType to) { return apply1(Elementwise.CAST, Attrs.of("to", to.onnxCode), x); }
    public Value greater(Value a, Value b) { return apply1(Elementwise.GREATER, Attrs.NONE, a, b); }
    public Value greater(Value a, float b) { return greater(a, scalar(b)); }
    public Value less(Value a, Value b) { return apply1(Elementwise.LESS, Attrs.NONE, a, b); }
    public Value less(Value a, float b) { return less(a, scalar(b)); }
    public Value greaterOrEqual(Value a, Value b) { return apply1(Elementwise.GREATER_OR_EQUAL, Attrs.NONE, a, b); }
    public Value lessOrEqual(Value a, Value b) { return apply1(Elementwise.LESS_OR_EQUAL, Attrs.NONE, a, b); }
    public Value equal(Value a, Value b) { return apply1(Elementwise.EQUAL, Attrs.NONE, a, b); }
    public Value and(Value a, Value b) { return apply1(Elementwise.AND, Attrs.NONE, a, b); }
    public Value or(Value a, Value b) { return apply1(Elementwise.OR, Attrs.NONE, a, b); }
    public Value not(Value a) { return apply1(Elementwise.NOT, Attrs.NONE, a); }

    // ---- builder: linear algebra ------------------------------------------------------------------

    public Value matmul(Value a, Value b) { return apply1(Linalg.MATMUL, Attrs.NONE, a, b); }
    /** alpha·op(A)·op(B) + beta·C; c may be null. */
    public Value gemm(Value a, Value b, Value c, float alpha, float beta, boolean transA, boolean transB) {
        Attrs at = Attrs.of("alpha", alpha, "beta", beta, "transA", transA ? 1 : 0, "transB", transB ? 1 : 0);
        return c == null ? apply1(Linalg.GEMM, at, a, b) : apply1(Linalg.GEMM, at, a, b, c);
    }

    // ---- builder: convolution, pooling, resampling (NCHW) -----------------------------------------

    /** 2-D convolution; bias may be null. Kernel size comes from the weight's shape [O, C, kh, kw]. */
    public Value conv(Value x, Value w, Value bias, ConvSpec spec) {
        if (w.rank() == 4 && x.rank() == 4 && w.dim(1) == x.dim(1)) {
            long[] k = kernelShape(w), st = spec.strides(), pd = spec.pads();
            long ho = Nn.outSize(x.dim(2), k[0], st[0], pd[0], pd[2]), wo = Nn.outSize(x.dim(3), k[1], st[1], pd[1], pd[3]);
            if (convGradients.forwardFor(x.shape(), w.dim(0), ho * wo) == Nn.ConvForward.SELECT_GEMM) return Nn.selectGemmConv(this, x, w, bias, spec);
        }
        Attrs at = Attrs.of("strides", spec.strides(), "pads", spec.pads(), "kernel_shape", kernelShape(w));
        return bias == null ? apply1(Nn.CONV, at, x, w) : apply1(Nn.CONV, at, x, w, bias);
    }

    /** Transposed 2-D convolution with weight [C_in, C_out, kh, kw]; outputPadding per spatial axis. */
    public Value convTranspose(Value x, Value w, ConvSpec spec, long[] outputPadding) {
        Attrs at = Attrs.of("strides", spec.strides(), "pads", spec.pads(), "output_padding", outputPadding,
                "kernel_shape", kernelShape(w));
        return apply1(Nn.CONV_TRANSPOSE, at, x, w);
    }

    // A weight that is not 4-D is left for the shape rule to report (op, shapes, layer), not failed on here.
    private static long[] kernelShape(Value w) {
        return w.rank() == 4 ? new long[] {w.dim(2), w.dim(3)} : new long[0];
    }

    public Value avgPool(Value x, PoolSpec p) {
        return apply1(Nn.AVERAGE_POOL, Attrs.of("kernel_shape", p.kernel(), "strides", p.strides(), "pads", p.pads(),
                "count_include_pad", p.countIncludePad() ? 1 : 0), x);
    }

    public Value maxPool(Value x, PoolSpec p) {
        return apply1(Nn.MAX_POOL, Attrs.of("kernel_shape", p.kernel(), "strides", p.strides(), "pads", p.pads()), x);
    }

    /** Nearest-neighbour upsampling of the last two axes by integer factors. */
    public Value upsampleNearest(Value x, int fh, int fw) {
        if (x.rank() < 2) throw new GraphBuildException("Resize" + where() + ": nearest upsampling needs rank >= 2, got " + Shapes.str(x.shape()));
        float[] scales = new float[x.rank()];
        java.util.Arrays.fill(scales, 1f);
        scales[x.rank() - 2] = fh;
        scales[x.rank() - 1] = fw;
        return apply(Nn.RESIZE_NEAREST, Attrs.of("mode", "nearest", "coordinate_transformation_mode", "asymmetric",
                "nearest_mode", "floor"), x, null, constant(Tensor.floats(scales, scales.length))).get(0);
    }

    /** Nearest-neighbour downsampling of the last two axes by integer factors: a strided Slice. */
    public Value downsampleNearest(Value x, int fh, int fw) {
        int r = x.rank();
        return slice(x, new long[] {0, 0}, new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, new long[] {r - 2, r - 1}, new long[] {fh, fw});
    }

    // ---- builder: shapes --------------------------------------------------------------------------

    /** Constant padding; pads in ONNX order [begin_0, begin_1, ..., end_0, end_1, ...], all non-negative. */
    public Value pad(Value x, long[] pads, float value) {
        return apply1(Shaping.PAD, Attrs.of("mode", "constant"), x, ints(pads), scalar(value));
    }

    public Value concat(int axis, Value... xs) { return apply1(Shaping.CONCAT, Attrs.of("axis", axis), xs); }
    public Value concat(int axis, List<Value> xs) { return concat(axis, xs.toArray(Value[]::new)); }

    public List<Value> split(Value x, int axis, long... sizes) {
        return apply(Shaping.SPLIT, Attrs.of("axis", axis), x, ints(sizes));
    }

    public Value slice(Value x, long[] starts, long[] ends, long[] axes, long[] steps) {
        return apply1(Shaping.SLICE, Attrs.NONE, x, ints(starts), ints(ends), ints(axes), ints(steps));
    }

    /** ONNX Reshape: 0 copies the input dimension, -1 is inferred. */
    public Value reshape(Value x, long... shape) { return apply1(Shaping.RESHAPE, Attrs.NONE, x, ints(shape)); }
    public Value flatten(Value x, int axis) { return apply1(Shaping.FLATTEN, Attrs.of("axis", axis), x); }
    public Value transpose(Value x, long... perm) { return apply1(Shaping.TRANSPOSE, Attrs.of("perm", perm), x); }
    public Value squeeze(Value x, long... axes) { return apply1(Shaping.SQUEEZE, Attrs.NONE, x, ints(axes)); }
    public Value unsqueeze(Value x, long... axes) { return apply1(Shaping.UNSQUEEZE, Attrs.NONE, x, ints(axes)); }
    public Value expand(Value x, long... shape) { return apply1(Shaping.EXPAND, Attrs.NONE, x, ints(shape)); }
    public Value shapeOf(Value x) { return apply1(Shaping.SHAPE, Attrs.NONE, x); }

    /** A zero tensor of a static shape, built by expanding a scalar (no large initializer). */
    public Value zeros(long... shape) { return expand(scalar(0f), shape); }

    /** Reduces a (broadcast) gradient back to {@code target}'s shape by summing the broadcast axes. */
    public Value sumTo(Value grad, Value target) { return Shaping.sumTo(this, grad, target.shape()); }

    // ---- builder: reductions ----------------------------------------------------------------------

    public Value reduceSum(Value x, boolean keepDims, long... axes) { return reduce(Reductions.REDUCE_SUM, x, keepDims, axes); }
    public Value reduceMean(Value x, boolean keepDims, long... axes) { return reduce(Reductions.REDUCE_MEAN, x, keepDims, axes); }
    public Value reduceSumSquare(Value x, boolean keepDims, long... axes) { return reduce(Reductions.REDUCE_SUM_SQUARE, x, keepDims, axes); }
    /** Sum of all elements, as a scalar. */
    public Value sumAll(Value x) { return reduceSum(x, false); }
    /** Mean of all elements, as a scalar. */
    public Value meanAll(Value x) { return reduceMean(x, false); }

    private Value reduce(Op op, Value x, boolean keepDims, long[] axes) {
        Attrs at = Attrs.of("keepdims", keepDims ? 1 : 0);
        return axes.length == 0 ? apply1(op, at, x) : apply1(op, at, x, ints(axes));
    }

    // ---- builder: indexing and the semantic bottleneck ---------------------------------------------

    public Value argMax(Value x, int axis, boolean keepDims) {
        return apply1(Indexing.ARG_MAX, Attrs.of("axis", axis, "keepdims", keepDims ? 1 : 0), x);
    }

    /** One-hot float encoding of int64 indices, the new axis inserted at {@code axis}. */
    public Value oneHot(Value indices, long depth, int axis) {
        return apply1(Indexing.ONE_HOT, Attrs.of("axis", axis), indices, ints(depth), constant(Tensor.floats(new float[] {0f, 1f}, 2)));
    }

    /** Straight-through Gumbel-softmax over axis 1: one-hot forward, tempered-softmax gradient. */
    public Value gumbelSoftmaxST(Value p, Value gumbelNoise, float temperature) {
        return apply1(GumbelSoftmaxST.OP, Attrs.of("T", temperature), p, gumbelNoise);
    }

    // ---- naming -----------------------------------------------------------------------------------

    private String where() {
        String l = layer();
        return l.isEmpty() ? " in graph '" + name + "'" : " in layer '" + l + "'";
    }

    private static String describe(List<Value> ins) {
        StringBuilder sb = new StringBuilder();
        for (Value v : ins) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(v == null ? "(none)" : v.dtype() == DType.FLOAT ? Shapes.str(v.shape()) : v.dtype() + Shapes.str(v.shape()));
        }
        return sb.toString();
    }

    private String qualifyNode(String local) {
        String base = layer().isEmpty() ? local : layer() + "/" + local;
        return fresh(base);
    }

    private String fresh(String base) {
        int k = counters.merge(base, 1, Integer::sum);
        String n = k == 1 && !byName.containsKey(base) ? base : base + "_" + k;
        while (byName.containsKey(n)) n = base + "_" + counters.merge(base, 1, Integer::sum);
        return n;
    }

    private String checkFree(String name) {
        if (byName.containsKey(name)) throw new GraphBuildException("graph '" + this.name + "' already has a value named '" + name + "'");
        return name;
    }

    private void register(Value v) {
        byName.put(v.name(), v);
    }
}
