package org.sbgan.runtime.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sbgan.runtime.Messages;

/**
 * The one definition of a bundle's {@code model.json}: its file names, its fields, how it is written
 * ({@link #sbgan}, {@link #progan}: what the trainer's bundle writer records) and how it is read ({@link #read}:
 * what {@link ModelBundle} and {@link ProganBundle} parse, with one-line errors naming the file).
 */
public final class ModelJson {
    private ModelJson() {}

    /** The format version written and read. */
    public static final int FORMAT = 1;
    public static final String FILE = "model.json";
    /** The network files: an SB-GAN bundle's three, the RGB ProGAN's one. */
    public static final String SEG_GENERATOR = "seg_generator.onnx", IMAGE_GENERATOR = "image_generator.onnx", FUSED = "sbgan.onnx",
            GENERATOR = "generator.onnx";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What an SB-GAN bundle's model.json records.
     *
     * @param classNames  per class, in class order; so are {@code palette} ("#rrggbb") and {@code labelIds} (raw id written)
     * @param layoutRecipe the layout GAN's recipe as JSON (or null)
     * @param trained     how it was trained (stages, steps, run, seed, dataset), or null
     */
    public record Sbgan(String preset, String labelSpace, List<String> classNames, List<String> palette, List<Integer> labelIds,
            ModelBundle.Size layoutSize, ModelBundle.Size imageSize, int zDim, int layoutScaling, JsonNode layoutRecipe, JsonNode trained) {}

    /** model.json of an SB-GAN bundle. */
    public static ObjectNode sbgan(Sbgan b) {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("kind", BundleKind.SBGAN.id());
        m.put("preset", b.preset());
        m.put("num_classes", b.classNames().size());
        m.put("label_space", b.labelSpace());
        ArrayNode names = m.putArray("class_names"), palette = m.putArray("palette"), ids = m.putArray("label_ids");
        b.classNames().forEach(names::add);
        b.palette().forEach(palette::add);
        b.labelIds().forEach(ids::add);
        size(m.putObject("layout_size"), b.layoutSize());
        size(m.putObject("image_size"), b.imageSize());
        m.put("z_dim", b.zDim());
        m.put("layout_scaling", b.layoutScaling());
        if (b.layoutRecipe() != null) m.set("layout_recipe", b.layoutRecipe());
        ObjectNode files = m.putObject("files");
        files.put("seg_generator", SEG_GENERATOR);
        files.put("image_generator", IMAGE_GENERATOR);
        files.put("sbgan", FUSED);
        ObjectNode io = m.putObject("graphs");
        io.putObject("seg_generator").put("inputs", "z [N, z_dim] float").put("outputs", "probs [N, K, h, w] float, labels [N, h, w] int64");
        io.putObject("image_generator").put("inputs", "layout [N, K, H, W] float (one-hot)").put("outputs", "image [N, 3, H, W] float in [-1, 1]");
        io.putObject("sbgan").put("inputs", "z [N, z_dim] float").put("outputs", "labels [N, H, W] int64, image [N, 3, H, W] float in [-1, 1]");
        if (b.trained() != null) m.set("trained", b.trained());
        return m;
    }

    /** model.json of an RGB ProGAN bundle. */
    public static ObjectNode progan(String preset, ModelBundle.Size imageSize, int zDim, JsonNode layoutRecipe, JsonNode trained) {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("kind", BundleKind.PROGAN_RGB.id());
        m.put("preset", preset);
        size(m.putObject("image_size"), imageSize);
        m.put("z_dim", zDim);
        if (layoutRecipe != null) m.set("layout_recipe", layoutRecipe);
        m.putObject("files").put("generator", GENERATOR);
        m.putObject("graphs").putObject("generator").put("inputs", "z [N, z_dim] float").put("outputs", "image [N, 3, H, W] float in [-1, 1]");
        if (trained != null) m.set("trained", trained);
        return m;
    }

    /** The bytes of model.json as written (indented). */
    public static byte[] bytes(ObjectNode m) throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
    }

    /**
     * model.json of the bundle folder {@code dir}, parsed: an object. A missing folder or file, bad JSON or anything
     * but an object is a {@link BadBundleException} naming the folder or the file.
     */
    public static JsonNode read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadBundleException(dir, Files.exists(dir) ? "not a folder; a model bundle is a folder with model.json and .onnx files"
                    : "no such folder; a model bundle is the model/ folder of a training run");
        }
        Path json = dir.resolve(FILE);
        if (!Files.isRegularFile(json)) {
            throw new BadBundleException(json, "no such file; is " + dir + " a model bundle (the model/ folder of a training run)?");
        }
        JsonNode m;
        try {
            m = JSON.readTree(json.toFile());
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new BadBundleException(json, "not valid JSON (" + Messages.oneLine(e.getOriginalMessage())
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ")");
        }
        if (m == null || !m.isObject()) throw new BadBundleException(json, "must hold a JSON object");
        return m;
    }

    /** The kind model.json says; an unknown one names the file. */
    public static BundleKind kind(Path dir, JsonNode m) throws BadBundleException {
        try {
            return BundleKind.of(m.hasNonNull("kind") ? m.get("kind").asText() : null);
        } catch (IllegalArgumentException e) {
            throw new BadBundleException(dir.resolve(FILE), e.getMessage());
        }
    }

    private static void size(ObjectNode o, ModelBundle.Size s) {
        o.put("height", s.height());
        o.put("width", s.width());
    }
}
