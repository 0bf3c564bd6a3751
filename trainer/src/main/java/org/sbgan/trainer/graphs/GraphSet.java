package org.sbgan.trainer.graphs;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.models.InferenceGraphs;
import org.sbgan.graphs.models.LayoutRecipe;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.models.Segmenter;
import org.sbgan.graphs.models.SegmenterLoss;
import org.sbgan.graphs.models.Stages;
import org.sbgan.graphs.models.TrainingStage;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.ops.Flops;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.trainer.step.StateFile;

/**
 * Builds and writes every graph of a preset (the {@code build-graphs} command; docs/ARCHITECTURE.md):
 *
 * <ul>
 *   <li>{@code steps/<name>.onnx}: every training step of {@link Stages} — {@code seg_g_L<l>}, {@code seg_d_L<l>}
 *       for every G_seg level, {@code spade_g}, {@code spade_d}, {@code d2_pretrain}, {@code e2e_g}, {@code e2e_d}, and
 *       the RGB ProGAN comparison model's {@code progan_g_L<l>}, {@code progan_d_L<l>} for every level (seg batches);</li>
 *   <li>{@code inference/<name>.onnx}: every graph of {@link InferenceGraphs} with the initial weights baked in;</li>
 *   <li>{@code state/initial_state.onnx}: the seeded initial value of every state tensor of every step, deduplicated by
 *       name (a name shared by several steps has the same value in all of them, which is checked), as the
 *       initializers (and, of the same name, outputs) of a model with no nodes ({@code onnx.load(...).graph.initializer}
 *       in Python);</li>
 *   <li>{@code manifest.json}: format 1; preset, seed, batches; per network its parameter count (from the PARAM state
 *       entries by prefix; G_seg and D_seg at the top level, with every level under {@code per_level}), the FLOPs of
 *       its top-level training step and of its inference graph per sample; per graph its file, kind, inputs,
 *       outputs or metrics, state read and written, and FLOPs (per step, or per sample for inference graphs, whose
 *       batch dimension is dynamic).</li>
 * </ul>
 *
 * Every file is written atomically (temporary file, then renamed). Graphs are written as they are built, so only
 * the state of the steps is held in memory.
 */
public final class GraphSet {
    public static final int FORMAT = 1;
    public static final String MANIFEST = "manifest.json", STATE_FILE = "state/initial_state.onnx";

    /** Network names of the manifest, their state prefixes, top-level step graph and inference graph. */
    public static final List<String> NETWORKS = List.of("G_seg", "D_seg", "G_img", "D1", "D2");
    private static final Map<String, String> PREFIX = Map.of("G_seg", "gseg.", "D_seg", "dseg.", "G_img", "gimg.", "D1", "d1.", "D2", "d2.");
    private static final Map<String, String> INFERENCE = Map.of("G_seg", "seg_generator", "D_seg", "seg_critic",
            "G_img", "image_generator", "D1", "d1", "D2", "d2");

    /** The key of the layout recipe in manifest.json and the bundle's model.json. */
    public static final String LAYOUT_RECIPE = "layout_recipe";

    /** A layout recipe as JSON (manifest.json, model.json); {@link #layoutRecipe(JsonNode)} reads it back. */
    public static ObjectNode layoutRecipeJson(LayoutRecipe r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("minibatch_stddev", r.minibatchStddev());
        o.put("pixelnorm_sqrt", r.pixelNormSqrt());
        o.put("fade_blend", r.fadeBlend());
        o.put("entropy_weight", r.entropyWeight());
        o.put("ema_beta", r.emaBeta());
        return o;
    }

    /** The recipe of {@link #layoutRecipeJson}; a missing object (graphs built before recipes existed) is the released one. */
    public static LayoutRecipe layoutRecipe(JsonNode o) {
        if (o == null || !o.isObject()) return LayoutRecipe.RELEASED;
        return new LayoutRecipe(o.path("minibatch_stddev").asBoolean(), o.path("pixelnorm_sqrt").asBoolean(), o.path("fade_blend").asBoolean(),
                (float) o.path("entropy_weight").asDouble(0), (float) o.path("ema_beta").asDouble(0));
    }

    /** Batch sizes of the step graphs; a value ≤ 0 means the preset's. */
    public record Batches(int seg, int spade, int e2e) {
        public static final Batches PRESET = new Batches(0, 0, 0);

        int seg(Preset p, int level) {
            return seg > 0 ? seg : p.segBatch(level);
        }

        /** The batch of a step: this override or the preset's. */
        public int of(TrainingStage.BatchOf which, Preset p, int level) {
            return switch (which) {
                case SEG -> seg(p, level);
                case SPADE -> spade(p);
                case E2E -> e2e(p);
            };
        }

        int spade(Preset p) {
            return spade > 0 ? spade : p.batches().spade();
        }

        int e2e(Preset p) {
            return e2e > 0 ? e2e : p.batches().e2e();
        }
    }

    /** One network's row: parameters, its training step at the top level and that step's FLOPs, inference FLOPs. */
    public record Network(String name, long parameters, String stepGraph, int stepBatch, long flopsPerStep,
            String inferenceGraph, long inferenceFlopsPerSample) {}

    /** What was written: the manifest tree, the networks in {@link #NETWORKS} order, and file counts. */
    public record Result(Path out, ObjectNode manifest, List<Network> networks, int stepGraphs, int inferenceGraphs,
            int stateTensors) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GraphSet() {}

    /**
     * Builds every graph of {@code p} with parameter seed {@code seed} and writes them under {@code out} (created if
     * missing). {@code progress} gets one line per written file.
     */
    public static Result write(Preset p, long seed, Batches batches, Path out, Consumer<String> progress) throws IOException {
        return write(p, seed, batches, LossFiles.NONE, out, progress);
    }

    /**
     * Reads and checks a VGG19 ONNX file for the perceptual loss of {@code p}'s SPADE G steps; every problem (missing,
     * not ONNX, not an image network: too few Relu outputs, an unsupported op, wrong input channels) is an
     * IllegalArgumentException with a one-line message naming the file.
     */
    public static Stages.Vgg readVgg(Path file, Preset p) {
        String src = file.toString();
        if (!Files.exists(file)) throw new IllegalArgumentException("--vgg " + src + ": no such file");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--vgg " + src + ": not a regular file");
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("--vgg " + src + ": not an ONNX model (" + Messages.oneLine(e.getMessage()) + ")", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IllegalArgumentException("--vgg " + src + ": not an ONNX model with a graph (no nodes)");
        }
        try {
            return Stages.Vgg.of(model, src).check(p);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--vgg " + src + ": not a usable VGG19 image network: " + Messages.oneLine(e.getMessage()), e);
        }
    }

    /**
     * What the optional G_img losses are built from; nulls are off.
     *
     * @param vgg       a VGG19 ONNX file for the perceptual loss
     * @param segmenter the segmenter loss (its network's shape, λ, class weights; the weights are state the trainer fills)
     */
    public record LossFiles(Path vgg, SegmenterLoss segmenter) {
        public static final LossFiles NONE = new LossFiles(null, null);

        /** Reads and checks them against {@code p}; every problem is an IllegalArgumentException of one line naming the file. */
        public Stages.ImageLosses read(Preset p) {
            try {
                return new Stages.ImageLosses(vgg == null ? null : readVgg(vgg, p), segmenter == null ? null : segmenter.check(p));
            } catch (IllegalArgumentException e) {
                String m = Messages.oneLine(e.getMessage());
                throw new IllegalArgumentException(segmenter != null && m.startsWith(segmenter.source()) ? "--segmenter-loss " + m : m, e);
            }
        }
    }

    /**
     * The segmenter loss of {@code p}'s G_img with a trained segmenter ({@code segmenter train}'s run or model folder);
     * a missing or foreign folder, or a segmenter that does not fit the preset (classes, input size), is an
     * IllegalArgumentException with a one-line message naming the folder.
     */
    public static SegmenterLoss readSegmenterLoss(Path folder, Preset p, float weight, float[] classWeights) throws IOException {
        String src = "--segmenter-loss " + folder;
        if (!Files.isDirectory(folder)) throw new IllegalArgumentException(src + ": no such folder (train one with sbgan-cli segmenter train)");
        SegmenterBundle b;
        try {
            b = SegmenterBundle.read(folder);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(src + ": " + Messages.oneLine(e.getMessage()), e);
        }
        return new LossFiles(null, new SegmenterLoss(b.config(), folder.toString(), weight, classWeights)).read(p).segmenter();
    }

    /**
     * {@link #write(Preset, long, Batches, Path, Consumer)} with the optional G_img losses of {@code files} in the
     * spade_g and e2e_g steps; the manifest records {@code vgg_loss}, {@code vgg_file} and {@code segmenter_loss}.
     */
    public static Result write(Preset p, long seed, Batches batches, LossFiles files, Path out, Consumer<String> progress)
            throws IOException {
        Stages.ImageLosses extra = files.read(p);
        prepare(out);
        Result[] result = new Result[1];
        AtomicFiles.writeFolder(out, tmp -> result[0] = writeInto(p, seed, batches, extra, files, tmp, progress));
        Result r = result[0];
        return new Result(out, r.manifest(), r.networks(), r.stepGraphs(), r.inferenceGraphs(), r.stateTensors());
    }

    /** Writes the graph set into {@code out} (a fresh folder that is renamed into place when complete). */
    private static Result writeInto(Preset p, long seed, Batches batches, Stages.ImageLosses extra, LossFiles files, Path out,
            Consumer<String> progress)
            throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode graphs = f.objectNode();
        Map<String, Tensor> state = new LinkedHashMap<>();
        Map<String, StepManifest> steps = new LinkedHashMap<>();
        Map<String, Integer> stepBatch = new LinkedHashMap<>();
        int top = p.levels() - 1;

        // Every stage's steps, in stage order (which fixes the initial state's tensor order).
        for (TrainingStage stage : TrainingStage.values()) {
            for (TrainingStage.Step st : stage.steps(p)) {
                int b = batches.of(st.batch(), p, st.level());
                step(out, st.name(), st.build(p, b, seed, extra), b, graphs, state, steps, stepBatch, progress);
            }
        }

        Map<String, Long> inferenceFlops = new LinkedHashMap<>();
        inference(out, "seg_generator", InferenceGraphs.segGenerator(p, seed), graphs, inferenceFlops, progress);
        inference(out, "image_generator", InferenceGraphs.imageGenerator(p, seed), graphs, inferenceFlops, progress);
        inference(out, "seg_critic", InferenceGraphs.segCritic(p, seed), graphs, inferenceFlops, progress);
        inference(out, "d1", InferenceGraphs.d1(p, seed), graphs, inferenceFlops, progress);
        inference(out, "d2", InferenceGraphs.d2(p, seed), graphs, inferenceFlops, progress);
        inference(out, "sbgan", InferenceGraphs.sbgan(p, seed, seed), graphs, inferenceFlops, progress);
        inference(out, "progan_generator", InferenceGraphs.proganGenerator(p, seed), graphs, inferenceFlops, progress);

        writeState(p, seed, state, out.resolve(STATE_FILE));
        progress.accept("wrote " + STATE_FILE + " (" + state.size() + " tensors)");

        // Networks: parameters from the PARAM entries by prefix; G_seg and D_seg at the top level.
        Map<String, String> stepOf = Map.of("G_seg", "seg_g_L" + top, "D_seg", "seg_d_L" + top, "G_img", "spade_g",
                "D1", "spade_d", "D2", "d2_pretrain");
        Map<String, Long> allParams = new LinkedHashMap<>();
        for (StepManifest m : steps.values()) {
            for (StepManifest.StateEntry e : m.state()) {
                if (e.kind() == StepManifest.StateKind.PARAM) allParams.putIfAbsent(e.name(), numel(e.shape()));
            }
        }
        List<Network> networks = new ArrayList<>();
        ObjectNode nets = f.objectNode();
        for (String n : NETWORKS) {
            String prefix = PREFIX.get(n);
            long params;
            ObjectNode node = f.objectNode();
            if (n.equals("G_seg") || n.equals("D_seg")) {
                String kind = n.equals("G_seg") ? "seg_g_L" : "seg_d_L";
                ObjectNode per = f.objectNode();
                for (int l = 0; l <= top; l++) per.put("L" + l, params(steps.get(kind + l), prefix));
                params = params(steps.get(kind + top), prefix);
                node.put("parameters", params);
                node.set("per_level", per);
            } else {
                params = allParams.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
                node.put("parameters", params);
            }
            String sg = stepOf.get(n), ig = INFERENCE.get(n);
            Network net = new Network(n, params, sg, stepBatch.get(sg), steps.get(sg).flops(), ig, inferenceFlops.get(ig));
            networks.add(net);
            node.put("state_prefix", prefix);
            node.put("step_graph", sg);
            node.put("step_batch", net.stepBatch());
            node.put("flops_per_step", net.flopsPerStep());
            node.put("inference_graph", ig);
            node.put("inference_flops_per_sample", net.inferenceFlopsPerSample());
            nets.set(n, node);
        }

        ObjectNode root = f.objectNode();
        root.put("format", FORMAT);
        root.put("preset", p.name());
        root.put("seed", seed);
        root.set(LAYOUT_RECIPE, layoutRecipeJson(p.layout()));
        ObjectNode bj = root.putObject("batches");
        ObjectNode segB = bj.putObject("seg");
        for (int l = 0; l <= top; l++) segB.put("L" + l, batches.seg(p, l));
        bj.put("spade", batches.spade(p));
        bj.put("d2_pretrain", batches.spade(p));
        bj.put("e2e", batches.e2e(p));
        root.put("vgg_loss", extra.vgg() != null);
        if (extra.vgg() != null) root.put("vgg_file", files.vgg().getFileName().toString());
        else root.putNull("vgg_file");
        SegmenterLoss sl = extra.segmenter();
        if (sl == null) {
            root.putNull("segmenter_loss");
        } else {
            ObjectNode sn = root.putObject("segmenter_loss");
            sn.put("segmenter", sl.source());
            sn.put("input", sl.config().height() + "x" + sl.config().width());
            sn.put("state_prefix", Segmenter.GROUP + ".");
            sn.put("weight", sl.lambda());
            if (sl.classWeights() == null) sn.putNull("class_weights");
            else for (float w : sl.classWeights()) sn.withArray("class_weights").add(w);
        }
        root.put("initial_state", STATE_FILE);
        root.put("state_tensors", state.size());
        root.put("flops_note", "step graphs: flops_per_step for one step at the graph's fixed batch; inference graphs have a "
                + "dynamic batch N, so flops_per_sample is for N = 1. Multiply-adds count 2.");
        root.set("networks", nets);
        root.set("graphs", graphs);
        writeAtomically(out.resolve(MANIFEST), JSON.writeValueAsBytes(root));
        progress.accept("wrote " + MANIFEST);
        return new Result(out, root, List.copyOf(networks), steps.size(), inferenceFlops.size(), state.size());
    }

    /**
     * Checks that {@code out} can be (re)placed by a graph set: absent, empty, or a graph set already (it is replaced
     * whole, so a folder holding anything else is refused); and that its parent can be written. One-line errors.
     */
    static void prepare(Path out) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new IOException("--out " + out + " exists and is not a folder");
        if (Files.isDirectory(out) && !Files.exists(out.resolve(MANIFEST))) {
            try (var entries = Files.list(out)) {
                if (entries.anyMatch(e -> !AtomicFiles.isTemporary(e.getFileName().toString()))) {
                    throw new IOException("--out " + out + " holds files but no " + MANIFEST + "; a graph set replaces its folder whole, "
                            + "so give an empty or new folder");
                }
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            Path probe = Files.createTempFile(parent, ".probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IOException(parent + ": cannot write (" + AtomicFiles.reason(e) + ")", e);
        }
    }

    private static void step(Path out, String name, StepGraph sg, int batch, ObjectNode graphs, Map<String, Tensor> state,
            Map<String, StepManifest> steps, Map<String, Integer> stepBatch, Consumer<String> progress) throws IOException {
        String file = "steps/" + name + ".onnx";
        OnnxExport.write(sg.model(), out.resolve(file));
        StepManifest m = sg.manifest();
        for (Map.Entry<String, Tensor> e : sg.initialState().entrySet()) {
            Tensor prev = state.putIfAbsent(e.getKey(), e.getValue());
            if (prev != null && !prev.equals(e.getValue())) {
                throw new IllegalStateException("state '" + e.getKey() + "' has different initial values in two steps (" + name + ")");
            }
        }
        steps.put(name, m);
        stepBatch.put(name, batch);
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode g = graphs.putObject(name);
        g.put("file", file);
        g.put("kind", "step");
        g.put("step", m.name());
        g.put("batch", batch);
        g.put("doc", m.doc());
        ArrayNode inputs = g.putArray("inputs");
        for (StepManifest.InputEntry in : m.inputs()) {
            ObjectNode o = tensorInfo(inputs.addObject(), in.name(), in.dtype().name(), in.shape());
            o.put("role", in.role().name().toLowerCase(Locale.ROOT));
        }
        ArrayNode metrics = g.putArray("metrics");
        for (StepManifest.MetricEntry me : m.metrics()) tensorInfo(metrics.addObject(), me.name(), me.dtype().name(), me.shape());
        ArrayNode read = g.putArray("state_read"), written = g.putArray("state_written");
        ArrayNode st = g.putArray("state");
        for (StepManifest.StateEntry e : m.state()) {
            if (e.read()) read.add(e.name());
            if (e.written()) written.add(e.name());
            ObjectNode o = tensorInfo(st.addObject(), e.name(), e.dtype().name(), e.shape());
            o.put("kind", e.kind().name().toLowerCase(Locale.ROOT));
            o.put("read", e.read());
            o.put("written", e.written());
            if (e.outputName() != null) o.put("output", e.outputName());
        }
        g.put("flops_per_step", m.flops());
        progress.accept("wrote " + file);
    }

    private static void inference(Path out, String name, InferenceGraphs.Built b, ObjectNode graphs, Map<String, Long> flops,
            Consumer<String> progress) throws IOException {
        String file = "inference/" + name + ".onnx";
        OnnxExport.write(b.export(), out.resolve(file));
        long fl = Flops.of(b.graph(), b.outputs().values());
        flops.put(name, fl);
        ObjectNode g = graphs.putObject(name);
        g.put("file", file);
        g.put("kind", "inference");
        ArrayNode inputs = g.putArray("inputs");
        List<String> runtime = b.inputNames();
        for (Value v : b.graph().inputs()) {
            if (!runtime.contains(v.name())) continue;
            tensorInfo(inputs.addObject(), v.name(), v.dtype().name(), v.shape()).put("role", "input");
        }
        ArrayNode outputs = g.putArray("outputs");
        for (Map.Entry<String, Value> e : b.outputs().entrySet()) {
            tensorInfo(outputs.addObject(), e.getKey(), e.getValue().dtype().name(), e.getValue().shape());
        }
        ArrayNode weights = g.putArray("weights");
        b.weightNames().forEach(weights::add);
        g.putArray("state_read");
        g.putArray("state_written");
        g.put("flops_per_sample", fl);
        progress.accept("wrote " + file);
    }

    private static ObjectNode tensorInfo(ObjectNode o, String name, String dtype, long[] shape) {
        o.put("name", name);
        o.put("dtype", dtype.toLowerCase(Locale.ROOT));
        ArrayNode s = o.putArray("shape");
        for (long d : shape) {
            if (d < 0) s.add("N");
            else s.add(d);
        }
        return o;
    }

    private static long params(StepManifest m, String prefix) {
        long n = 0;
        for (StepManifest.StateEntry e : m.state()) {
            if (e.kind() == StepManifest.StateKind.PARAM && e.name().startsWith(prefix)) n += numel(e.shape());
        }
        return n;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** The initial state as a {@link StateFile}. */
    static void writeState(Preset p, long seed, Map<String, Tensor> state, Path file) throws IOException {
        StateFile.write(file, state, "sbgan initial state, preset " + p.name() + ", seed " + seed);
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        AtomicFiles.write(file, bytes);
    }
}
