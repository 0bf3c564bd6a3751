package org.sbgan.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.models.InferenceGraphs;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.trainer.graphs.GraphSet;
import org.sbgan.trainer.step.StateStore;

/**
 * Writes a model bundle (DESIGN.md "runtime"): {@code model.json}, {@code seg_generator.onnx} (z → probs, labels),
 * {@code image_generator.onnx} (one-hot layout → image) and the fused {@code sbgan.onnx} (z → labels, image), each
 * with the trained weights baked in. The bundle is assembled in a hidden folder next to the target and then
 * swapped in, so a reader never sees half a bundle.
 */
public final class ModelBundle {
    public static final int FORMAT = 1;
    /** model.json "kind": an SB-GAN bundle (two generators) or the RGB ProGAN baseline (one generator, z → image). */
    public static final String KIND_SBGAN = "sbgan", KIND_PROGAN = "progan-rgb", GENERATOR = "generator.onnx";
    public static final String JSON_FILE = "model.json", SEG = "seg_generator.onnx", IMAGE = "image_generator.onnx", FUSED = "sbgan.onnx";

    private ModelBundle() {}

    /**
     * Writes the bundle of the generators in {@code store} to {@code dir}. {@code trained} is recorded as is
     * (stages done, steps, run folder).
     */
    public static void write(Path dir, Preset p, long seed, StateStore store, LabelSpace space, ObjectNode trained) throws IOException {
        swapIn(dir, tmp -> {
            InferenceGraphs.Built seg = InferenceGraphs.segGenerator(p, seed), img = InferenceGraphs.imageGenerator(p, seed);
            InferenceGraphs.Built fused = InferenceGraphs.sbgan(p, seed, seed);
            Map<String, Tensor> weights = weights(store, fused);
            OnnxExport.write(seg.export(weights), tmp.resolve(SEG));
            OnnxExport.write(img.export(weights), tmp.resolve(IMAGE));
            OnnxExport.write(fused.export(weights), tmp.resolve(FUSED));
            return describe(p, space, trained);
        });
    }

    /**
     * A bundle with the initial (untrained) weights of {@code seed}: the baseline a trained bundle is compared with,
     * and a bundle for benchmarks and tests that need no training run.
     */
    public static void writeInitial(Path dir, Preset p, long seed, LabelSpace space) throws IOException {
        InferenceGraphs.Built fused = InferenceGraphs.sbgan(p, seed, seed);
        try (StateStore store = new StateStore(ai.onnxruntime.OrtEnvironment.getEnvironment())) {
            fused.initialValues().forEach(store::put);
            ObjectNode trained = new ObjectMapper().createObjectNode();
            trained.put("steps", 0);
            trained.put("seed", seed);
            write(dir, p, seed, store, space, trained);
        }
    }

    /**
     * The RGB ProGAN baseline's bundle: {@code model.json} (kind progan-rgb, image size, z size) and
     * {@code generator.onnx} ("z" → "image" [N, 3, H, W] in [−1, 1]).
     */
    public static void writeProgan(Path dir, Preset p, StateStore store, ObjectNode trained) throws IOException {
        swapIn(dir, tmp -> {
            InferenceGraphs.Built gen = InferenceGraphs.proganGenerator(p, 0);
            OnnxExport.write(gen.export(weights(store, gen)), tmp.resolve(GENERATOR));
            ObjectNode m = new ObjectMapper().createObjectNode();
            m.put("format", FORMAT);
            m.put("kind", KIND_PROGAN);
            m.put("preset", p.name());
            size(m.putObject("image_size"), p.segTop());
            m.put("z_dim", p.zDim());
            m.set(GraphSet.LAYOUT_RECIPE, GraphSet.layoutRecipeJson(p.layout()));
            m.putObject("files").put("generator", GENERATOR);
            m.putObject("graphs").putObject("generator").put("inputs", "z [N, z_dim] float").put("outputs", "image [N, 3, H, W] float in [-1, 1]");
            if (trained != null) m.set("trained", trained);
            return m;
        });
    }

    private static Map<String, Tensor> weights(StateStore store, InferenceGraphs.Built b) {
        Map<String, Tensor> weights = new HashMap<>();
        for (String n : b.weightNames()) {
            if (!store.contains(n)) throw new IllegalStateException("the run's state has no weight '" + n + "'");
            weights.put(n, store.get(n));
        }
        return weights;
    }

    /** Writes the files of a bundle into a temporary folder and returns model.json's content. */
    private interface Contents {
        ObjectNode write(Path tmp) throws IOException;
    }

    /** Assembles a bundle in a hidden folder beside {@code dir}, then swaps it in ({@link AtomicFiles#writeFolder}). */
    private static void swapIn(Path dir, Contents contents) throws IOException {
        AtomicFiles.writeFolder(dir, tmp -> {
            ObjectNode m = contents.write(tmp);
            AtomicFiles.write(tmp.resolve(JSON_FILE), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        });
    }

    /** The contents of model.json. */
    static ObjectNode describe(Preset p, LabelSpace space, ObjectNode trained) {
        ObjectNode m = new ObjectMapper().createObjectNode();
        m.put("format", FORMAT);
        m.put("kind", KIND_SBGAN);
        m.put("preset", p.name());
        m.put("num_classes", p.numClasses());
        m.put("label_space", space.name());
        ArrayNode names = m.putArray("class_names");
        ArrayNode palette = m.putArray("palette");
        ArrayNode ids = m.putArray("label_ids");
        for (int c = 0; c < p.numClasses(); c++) {
            names.add(space.className(c));
            palette.add(LabelSpace.hex(space.color(c)));
            ids.add(space.rawValueOf(c));
        }
        size(m.putObject("layout_size"), p.segTop());
        size(m.putObject("image_size"), p.imageSize());
        m.put("z_dim", p.zDim());
        m.put("layout_scaling", p.layoutScaling());
        m.set(GraphSet.LAYOUT_RECIPE, GraphSet.layoutRecipeJson(p.layout()));
        ObjectNode files = m.putObject("files");
        files.put("seg_generator", SEG);
        files.put("image_generator", IMAGE);
        files.put("sbgan", FUSED);
        ObjectNode io = m.putObject("graphs");
        io.putObject("seg_generator").put("inputs", "z [N, z_dim] float").put("outputs", "probs [N, K, h, w] float, labels [N, h, w] int64");
        io.putObject("image_generator").put("inputs", "layout [N, K, H, W] float (one-hot)").put("outputs", "image [N, 3, H, W] float in [-1, 1]");
        io.putObject("sbgan").put("inputs", "z [N, z_dim] float").put("outputs", "labels [N, H, W] int64, image [N, 3, H, W] float in [-1, 1]");
        if (trained != null) m.set("trained", trained);
        return m;
    }

    private static void size(ObjectNode o, Preset.Size s) {
        o.put("height", s.height());
        o.put("width", s.width());
    }
}
