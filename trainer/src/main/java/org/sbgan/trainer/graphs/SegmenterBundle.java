package org.sbgan.trainer.graphs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.models.Segmenter;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.onnx.OnnxImport;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.runtime.labels.LabelSpace;

/**
 * A trained segmenter on disk: {@code segmenter.onnx} (image [N, 3, H, W] in [−1, 1] → logits, labels, features; weights
 * baked in) and {@code segmenter.json} (format, label space and class names, input size, network shape, how it was
 * trained). {@code segmenter train --out SEG} keeps it in {@code SEG/model/}, swapped in whole; every command that takes
 * a segmenter accepts the run folder SEG or the model folder itself.
 */
public record SegmenterBundle(Path dir, Segmenter.Config config, String labelSpace, List<String> classNames, JsonNode training) {
    public static final String FORMAT = "sbgan-segmenter", MODEL = "segmenter.onnx", META = "segmenter.json", MODEL_DIR = "model";
    private static final ObjectMapper JSON = new ObjectMapper();

    public SegmenterBundle {
        classNames = List.copyOf(classNames);
        if (classNames.size() != config.numClasses()) {
            throw new IllegalArgumentException(dir + ": " + classNames.size() + " class names for " + config.numClasses() + " classes");
        }
    }

    public Path model() {
        return dir.resolve(MODEL);
    }

    /** The bundle folder of a segmenter run folder or of a bundle folder. */
    public static Path locate(Path path) {
        if (Files.isRegularFile(path.resolve(META))) return path;
        if (Files.isRegularFile(path.resolve(MODEL_DIR).resolve(META))) return path.resolve(MODEL_DIR);
        if (!Files.isDirectory(path)) throw new IllegalArgumentException(path + ": no such segmenter folder");
        throw new IllegalArgumentException(path + ": not a segmenter (no " + META + " in it or in " + MODEL_DIR + "/); train one with `sbgan-cli segmenter train`");
    }

    /** Reads a bundle; one-line errors name the file and the problem. */
    public static SegmenterBundle read(Path path) throws IOException {
        Path dir = locate(path);
        Path meta = dir.resolve(META);
        JsonNode n;
        try {
            n = JSON.readTree(meta.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(meta + ": not valid JSON (" + Messages.oneLine(e.getOriginalMessage()) + ")", e);
        }
        if (n == null || !FORMAT.equals(n.path("format").asText())) {
            throw new IllegalArgumentException(meta + ": not a segmenter description (\"format\" is not \"" + FORMAT + "\")");
        }
        JsonNode net = n.path("network");
        List<String> names = new ArrayList<>();
        n.path("class_names").forEach(c -> names.add(c.asText()));
        Segmenter.Config cfg;
        try {
            cfg = new Segmenter.Config(names.size(), n.path("height").asInt(), n.path("width").asInt(), net.path("base").asInt(),
                    net.path("depth").asInt());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(meta + ": " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(dir.resolve(MODEL))) throw new IllegalArgumentException(dir.resolve(MODEL) + ": missing (the segmenter's ONNX model)");
        return new SegmenterBundle(dir, cfg, n.path("label_space").asText(), names, n.path("training"));
    }

    /** The trained tensors (parameters and BatchNorm statistics) by name, as {@link Segmenter} declares them. */
    public Map<String, Tensor> weights() throws IOException {
        try {
            return OnnxImport.initializers(OnnxImport.read(model()), model().toString());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(model() + ": " + Messages.oneLine(e.getMessage()), e);
        }
    }

    /**
     * Writes the bundle of the trained weights into {@code dir} (assembled beside it and swapped in whole).
     *
     * @param weights the training state (parameters and BatchNorm statistics by name; other entries are ignored)
     */
    public static SegmenterBundle write(Path dir, Segmenter.Config cfg, long seed, Map<String, Tensor> weights, LabelSpace space,
            ObjectNode training) throws IOException {
        var built = Segmenter.inference(cfg, seed);
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("version", 1);
        m.put("label_space", space.name());
        ArrayNode names = m.putArray("class_names");
        space.classNames().forEach(names::add);
        m.put("height", cfg.height());
        m.put("width", cfg.width());
        m.putObject("network").put("kind", "unet").put("base", cfg.base()).put("depth", cfg.depth()).put("feature_dim", cfg.featureDim());
        m.putObject("io").put("inputs", "image [N, 3, H, W] float in [-1, 1]")
                .put("outputs", "logits [N, K, H, W] float, labels [N, H, W] int64, features [N, " + cfg.featureDim() + "] float");
        m.set("training", training);
        AtomicFiles.writeFolder(dir, tmp -> {
            OnnxExport.write(built.export(weights), tmp.resolve(MODEL));
            AtomicFiles.write(tmp.resolve(META), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        });
        return new SegmenterBundle(dir, cfg, space.name(), space.classNames(), training);
    }
}
