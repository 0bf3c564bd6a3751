package org.sbgan.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.List;
import org.sbgan.runtime.bundle.ModelBundle;
import org.sbgan.runtime.bundle.ModelJson;

/**
 * Writes a model bundle in the format runtime's {@link ModelJson} defines (and {@code sbgan-runtime} reads):
 * {@code model.json}, {@code seg_generator.onnx} (z → probs, labels),
 * {@code image_generator.onnx} (one-hot layout → image) and the fused {@code sbgan.onnx} (z → labels, image), each
 * with the trained weights baked in. The bundle is assembled in a hidden folder next to the target and then
 * swapped in, so a reader never sees half a bundle.
 */
public final class BundleWriter {
    private BundleWriter() {}

    /**
     * Writes the bundle of the generators in {@code store} to {@code dir}. {@code trained} is recorded as is
     * (stages done, steps, run folder).
     */
    public static void write(Path dir, Preset p, long seed, StateStore store, LabelSpace space, ObjectNode trained) throws IOException {
        swapIn(dir, tmp -> {
            InferenceGraphs.Built seg = InferenceGraphs.segGenerator(p, seed), img = InferenceGraphs.imageGenerator(p, seed);
            InferenceGraphs.Built fused = InferenceGraphs.sbgan(p, seed, seed);
            Map<String, Tensor> weights = weights(store, fused);
            OnnxExport.write(seg.export(weights), tmp.resolve(ModelJson.SEG_GENERATOR));
            OnnxExport.write(img.export(weights), tmp.resolve(ModelJson.IMAGE_GENERATOR));
            OnnxExport.write(fused.export(weights), tmp.resolve(ModelJson.FUSED));
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
            OnnxExport.write(gen.export(weights(store, gen)), tmp.resolve(ModelJson.GENERATOR));
            ObjectNode m = ModelJson.progan(p.name(), size(p.segTop()), p.zDim(), GraphSet.layoutRecipeJson(p.layout()), trained);
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
            AtomicFiles.write(tmp.resolve(ModelJson.FILE), ModelJson.bytes(m));
        });
    }

    /** The contents of model.json. */
    static ObjectNode describe(Preset p, LabelSpace space, ObjectNode trained) {
        List<String> names = new ArrayList<>(), palette = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int c = 0; c < p.numClasses(); c++) {
            names.add(space.className(c));
            palette.add(LabelSpace.hex(space.color(c)));
            ids.add(space.rawValueOf(c));
        }
        return ModelJson.sbgan(new ModelJson.Sbgan(p.name(), space.name(), names, palette, ids, size(p.segTop()), size(p.imageSize()), p.zDim(),
                p.layoutScaling(), GraphSet.layoutRecipeJson(p.layout()), trained));
    }

    private static ModelBundle.Size size(Preset.Size s) {
        return new ModelBundle.Size(s.height(), s.width());
    }
}
