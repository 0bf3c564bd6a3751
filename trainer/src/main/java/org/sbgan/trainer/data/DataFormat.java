package org.sbgan.trainer.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.sbgan.runtime.labels.LabelSpace;

/**
 * How a dataset folder is laid out, and how to open a split of it: the one list of formats that {@code train},
 * {@code eval}, the benchmarks and {@code config.json} share. Written in lower case ({@link #id()}).
 */
public enum DataFormat {
    /** {@code leftImg8bit/<split>/<city>/…} with {@code gtFine/<split>/<city>/…}. */
    CITYSCAPES("leftImg8bit/, gtFine/"),
    /** {@code images/<split>/} with {@code annotations/<split>/}. */
    ADE20K("images/, annotations/"),
    /** {@code images/} with {@code labels/}, paired by relative path; one split, so {@code split} is not used. */
    PAIRS("images/, labels/"),
    /** A folder of images (PNG or JPEG, in subfolders too) without label maps. */
    FOLDER("image files");

    private final String evidence;

    DataFormat(String evidence) {
        this.evidence = evidence;
    }

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What in a folder shows this layout ("leftImg8bit/, gtFine/"). */
    public String evidence() {
        return evidence;
    }

    public boolean hasLabels() {
        return this != FOLDER;
    }

    /** The format of an id, case-insensitive; an unknown id is one line listing the known ones. */
    @JsonCreator
    public static DataFormat of(String id) {
        for (DataFormat f : values()) if (f.id().equalsIgnoreCase(id == null ? "" : id.strip())) return f;
        throw new IllegalArgumentException("data format must be one of " + Arrays.stream(values()).map(DataFormat::id)
                .collect(Collectors.joining(", ")) + ", not '" + id + "'");
    }

    /** Opens split {@code split} of {@code root} (errors name the folder or file). */
    public FileSampleSource open(Path root, String split, LabelSpace space, Datasets.Content content, BadSamplePolicy policy) throws IOException {
        return switch (this) {
            case CITYSCAPES -> Datasets.cityscapes(root, split, space, content, policy);
            case ADE20K -> Datasets.ade20k(root, split, space, content, policy);
            case PAIRS -> switch (content) {
                case PAIRED -> Datasets.paired(root.resolve("images"), root.resolve("labels"), space, policy);
                case LABELS_ONLY -> Datasets.labelFolder(root.resolve("labels"), space, policy);
                case IMAGES_ONLY -> Datasets.imageFolder(root.resolve("images"), policy);
            };
            case FOLDER -> {
                if (content != Datasets.Content.IMAGES_ONLY) throw new IllegalArgumentException(root + ": a folder of images has no label maps");
                yield Datasets.imageFolder(root, policy);
            }
        };
    }

    /**
     * The layout of {@code root}, read off its folder names: {@code leftImg8bit/} or {@code gtFine/} is Cityscapes,
     * {@code images/} with {@code annotations/} ADE20K, {@code images/} with {@code labels/} paired folders, image files
     * (directly or in subfolders) a plain folder. Anything else is a one-line error naming the folder.
     */
    public static DataFormat detect(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": no such folder");
        boolean images = Files.isDirectory(root.resolve("images"));
        if (Files.isDirectory(root.resolve("leftImg8bit")) || Files.isDirectory(root.resolve("gtFine"))) return CITYSCAPES;
        if (images && Files.isDirectory(root.resolve("annotations"))) return ADE20K;
        if (images && Files.isDirectory(root.resolve("labels"))) return PAIRS;
        if (Datasets.walk(root).stream().anyMatch(Datasets::isImage)) return FOLDER; // what imageFolder would read
        throw new IOException(root + ": not a dataset folder (no leftImg8bit/ or gtFine/ for Cityscapes, images/ + annotations/ "
                + "for ADE20K, images/ + labels/ for pairs, nor image files)");
    }
}
