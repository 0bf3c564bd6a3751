package org.sbgan.runtime.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sbgan.runtime.Classes;

/**
 * A model bundle as the trainer writes it: {@code model.json} plus {@code seg_generator.onnx} (z → probs,
 * labels), {@code image_generator.onnx} (one-hot layout → image) and optionally the fused {@code sbgan.onnx}.
 *
 * <p>{@link #read} checks everything that can be checked without loading a network: the format version, that
 * K, the class names, the palette and the label ids agree, that the image size is the layout size times
 * {@code layout_scaling}, and that the network files exist and are readable. Every problem is one line naming
 * the file at fault, because a bundle is usually copied around by hand and the likely faults are a missing
 * file or an edited model.json. Immutable.
 */
public final class ModelBundle implements Bundle {
    /** The only format this runtime reads. */
    public static final int FORMAT = ModelJson.FORMAT;

    /** A height × width in pixels. */
    public record Size(int height, int width) {
        public Size {
            if (height < 1 || width < 1) throw new IllegalArgumentException("size must be positive, got " + height + "×" + width);
        }

        public int pixels() {
            return height * width;
        }

        @Override
        public String toString() {
            return height + "×" + width;
        }
    }

    private final Path dir;
    private final String preset;
    private final String labelSpace;
    private final Classes classes;
    private final Size layoutSize;
    private final Size imageSize;
    private final int zDim;
    private final int layoutScaling;
    private final Path segGenerator;
    private final Path imageGenerator;
    private final Path fused;

    private ModelBundle(Path dir, String preset, String labelSpace, Classes classes, Size layoutSize, Size imageSize, int zDim,
            int layoutScaling, Path segGenerator, Path imageGenerator, Path fused) {
        this.dir = dir;
        this.preset = preset;
        this.labelSpace = labelSpace;
        this.classes = classes;
        this.layoutSize = layoutSize;
        this.imageSize = imageSize;
        this.zDim = zDim;
        this.layoutScaling = layoutScaling;
        this.segGenerator = segGenerator;
        this.imageGenerator = imageGenerator;
        this.fused = fused;
    }

    /**
     * Reads and checks the bundle in {@code dir}.
     *
     * @throws BadBundleException (one line, naming the folder, model.json or a network file) if it cannot be used
     * @throws IOException if reading fails for another reason
     */
    public static ModelBundle read(Path dir) throws IOException {
        JsonNode m = ModelJson.read(dir);
        return new Parser(dir, dir.resolve(ModelJson.FILE), m).parse();
    }

    /** Turns model.json into a bundle; every problem names model.json (or the network file at fault). */
    private record Parser(Path dir, Path json, JsonNode m) {
        ModelBundle parse() throws BadBundleException {
            int format = integer(m, "format", 1);
            if (format != FORMAT) {
                throw bad("format " + format + " is not supported; this runtime reads format " + FORMAT + " (use an sbgan-runtime of the version that wrote the bundle)");
            }
            BundleKind kind = ModelJson.kind(dir, m);
            if (kind != BundleKind.SBGAN) {
                throw bad("is a \"" + kind.id() + "\" bundle" + (kind == BundleKind.PROGAN_RGB ? " (the RGB ProGAN baseline: images without label maps)" : "")
                        + "; scenes need an \"" + BundleKind.SBGAN.id() + "\" bundle with a layout and an image generator");
            }
            String preset = text(m, "preset");
            int k = integer(m, "num_classes", 2);
            String labelSpace = m.hasNonNull("label_space") ? text(m, "label_space") : "";
            List<String> names = new ArrayList<>();
            for (JsonNode n : array(m, "class_names", k)) {
                if (!n.isTextual()) throw bad("class_names must be strings, got " + n);
                names.add(n.asText());
            }
            int[] palette = new int[k];
            JsonNode pal = array(m, "palette", k);
            for (int c = 0; c < k; c++) palette[c] = color(pal.get(c), c);
            int[] labelIds = null;
            if (m.hasNonNull("label_ids")) {
                JsonNode ids = array(m, "label_ids", k);
                labelIds = new int[k];
                for (int c = 0; c < k; c++) {
                    JsonNode v = ids.get(c);
                    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > Classes.MAX_LABEL_ID) {
                        throw bad("label_ids[" + c + "] must be an integer in 0.." + Classes.MAX_LABEL_ID + " (a raw label value), got " + v);
                    }
                    labelIds[c] = v.asInt();
                }
            }
            Size layout = size("layout_size"), image = size("image_size");
            int zDim = integer(m, "z_dim", 1);
            int scaling = integer(m, "layout_scaling", 1);
            if (image.height() != layout.height() * scaling || image.width() != layout.width() * scaling) {
                throw bad("image_size " + image + " is not layout_size " + layout + " × layout_scaling " + scaling);
            }
            JsonNode files = object(m, "files");
            Path seg = network(files, "seg_generator", true);
            Path img = network(files, "image_generator", true);
            Path fused = network(files, "sbgan", false);
            Classes classes;
            try {
                classes = new Classes(names, palette, labelIds);
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage());
            }
            return new ModelBundle(dir, preset, labelSpace, classes, layout, image, zDim, scaling, seg, img, fused);
        }

        private BadBundleException bad(String problem) {
            return new BadBundleException(json, problem);
        }

        private JsonNode field(JsonNode o, String name) throws BadBundleException {
            JsonNode v = o.get(name);
            if (v == null || v.isNull()) throw bad("\"" + name + "\" is missing");
            return v;
        }

        private int integer(JsonNode o, String name, int min) throws BadBundleException {
            JsonNode v = field(o, name);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw bad("\"" + name + "\" must be an integer, got " + v);
            if (v.asInt() < min) throw bad("\"" + name + "\" must be at least " + min + ", got " + v.asInt());
            return v.asInt();
        }

        private String text(JsonNode o, String name) throws BadBundleException {
            JsonNode v = field(o, name);
            if (!v.isTextual()) throw bad("\"" + name + "\" must be a string, got " + v);
            return v.asText();
        }

        private JsonNode object(JsonNode o, String name) throws BadBundleException {
            JsonNode v = field(o, name);
            if (!v.isObject()) throw bad("\"" + name + "\" must be an object, got " + v);
            return v;
        }

        private JsonNode array(JsonNode o, String name, int k) throws BadBundleException {
            JsonNode v = field(o, name);
            if (!v.isArray()) throw bad("\"" + name + "\" must be an array, got " + v);
            if (v.size() != k) throw bad("\"" + name + "\" has " + v.size() + " entries but num_classes is " + k);
            return v;
        }

        private int color(JsonNode v, int c) throws BadBundleException {
            String s = v.isTextual() ? v.asText() : "";
            if (!s.matches("#[0-9a-fA-F]{6}")) throw bad("palette[" + c + "] must be a colour like \"#804080\", got " + v);
            return Integer.parseInt(s.substring(1), 16);
        }

        private Size size(String name) throws BadBundleException {
            JsonNode o = object(m, name);
            return new Size(integer(o, "height", 1), integer(o, "width", 1));
        }

        /** The network file named by files.{@code key}: a plain file name inside the bundle. */
        private Path network(JsonNode files, String key, boolean required) throws BadBundleException {
            JsonNode v = files.get(key);
            if (v == null || v.isNull()) {
                if (required) throw bad("\"files." + key + "\" is missing");
                return null;
            }
            if (!v.isTextual() || v.asText().isBlank()) throw bad("\"files." + key + "\" must be a file name, got " + v);
            Path f = dir.resolve(v.asText()).normalize();
            if (!f.startsWith(dir.normalize())) throw bad("\"files." + key + "\" must name a file inside the bundle, got " + v);
            if (!Files.isRegularFile(f)) {
                if (!required) return null; // the fused network is optional for the runtime
                throw new BadBundleException(f, "no such file (model.json names it as files." + key + "); copy the whole bundle folder");
            }
            if (!Files.isReadable(f)) throw new BadBundleException(f, "not readable");
            return f;
        }
    }


    /** The bundle folder. */
    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public BundleKind kind() {
        return BundleKind.SBGAN;
    }

    @Override
    public String preset() {
        return preset;
    }

    /** The label space's name, e.g. {@code cityscapes-8}; empty if model.json does not say. */
    public String labelSpace() {
        return labelSpace;
    }

    public Classes classes() {
        return classes;
    }

    /** K. */
    public int numClasses() {
        return classes.count();
    }

    public List<String> classNames() {
        return classes.names();
    }

    /** One {@code 0xRRGGBB} per class (a copy). */
    public int[] palette() {
        return classes.palette();
    }

    /** The raw label id of each class (a copy); the class indices if model.json has no {@code label_ids}. */
    public int[] labelIds() {
        return classes.labelIds();
    }

    /** The size of the layout generator's label maps. */
    public Size layoutSize() {
        return layoutSize;
    }

    /** The size of the images, and of the label maps scenes carry: layout size × {@link #layoutScaling()}. */
    public Size imageSize() {
        return imageSize;
    }

    public int zDim() {
        return zDim;
    }

    public int layoutScaling() {
        return layoutScaling;
    }

    public Path segGeneratorFile() {
        return segGenerator;
    }

    public Path imageGeneratorFile() {
        return imageGenerator;
    }

    /** The fused z → (labels, image) network, if the bundle has one. */
    public Optional<Path> fusedFile() {
        return Optional.ofNullable(fused);
    }

    @Override
    public String toString() {
        return "ModelBundle[" + dir + ", " + preset + ", K=" + numClasses() + ", " + layoutSize + " → " + imageSize + ", z_dim=" + zDim + "]";
    }
}
