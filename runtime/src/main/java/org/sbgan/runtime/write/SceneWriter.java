package org.sbgan.runtime.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.sbgan.runtime.LabelMap;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.image.Images;

/**
 * Writes scenes as PNG files, one scene at a time, so a stream of any length needs memory for one scene only.
 *
 * <p>Two layouts:
 * <ul>
 *   <li>{@link Format#CITYSCAPES}: {@code leftImg8bit/<split>/<city>/<city>_<seq>_000019_leftImg8bit.png},
 *       {@code gtFine/<split>/<city>/<city>_<seq>_000019_gtFine_labelIds.png} (8-bit gray raw label ids) and
 *       {@code ..._gtFine_color.png}, with seq the scene index in six digits, so the output can be read by
 *       any Cityscapes loader (this project's trainer included).</li>
 *   <li>{@link Format#PLAIN}: {@code <index 6 digits>/image.png}, {@code label.png} (8-bit gray class indices)
 *       and {@code color.png}.</li>
 * </ul>
 * Every file is written to a temporary name and renamed into place ({@link Images}), and the colour file goes
 * last, so {@link #isComplete} after a crash is true only for scenes whose three files are whole: a rerun can
 * skip them. Thread-safe (it holds no mutable state); scenes of different indices can be written concurrently.
 */
public final class SceneWriter {
    public enum Format {
        CITYSCAPES,
        PLAIN;

        /** {@code cityscapes} or {@code plain}, case-insensitive. */
        public static Format parse(String s) {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        }
    }

    public static final String DEFAULT_SPLIT = "train", DEFAULT_CITY = "sbgan";

    private final Path out;
    private final Format format;
    private final String split;
    private final String city;

    private SceneWriter(Path out, Format format, String split, String city) {
        this.out = Objects.requireNonNull(out, "out");
        this.format = format;
        this.split = name(split, "split");
        this.city = name(city, "city");
    }

    private static String name(String s, String what) {
        if (s == null || !s.matches("[A-Za-z0-9][A-Za-z0-9.-]*")) {
            throw new IllegalArgumentException(what + " must be letters, digits, '.' or '-' (no '_' or '/'), got " + s);
        }
        return s;
    }

    /** The Cityscapes layout, split {@value #DEFAULT_SPLIT}, city {@value #DEFAULT_CITY}. */
    public static SceneWriter cityscapes(Path out) {
        return cityscapes(out, DEFAULT_SPLIT, DEFAULT_CITY);
    }

    public static SceneWriter cityscapes(Path out, String split, String city) {
        return new SceneWriter(out, Format.CITYSCAPES, split, city);
    }

    public static SceneWriter plain(Path out) {
        return new SceneWriter(out, Format.PLAIN, DEFAULT_SPLIT, DEFAULT_CITY);
    }

    public static SceneWriter of(Format format, Path out) {
        return format == Format.CITYSCAPES ? cityscapes(out) : plain(out);
    }

    public Path out() {
        return out;
    }

    public Format format() {
        return format;
    }

    /** The files of scene {@code index}: image, label map, colour label map. */
    public List<Path> files(long index) {
        if (index < 0) throw new IllegalArgumentException("scene index must not be negative, got " + index);
        String seq = String.format(Locale.ROOT, "%06d", index);
        if (format == Format.PLAIN) {
            Path d = out.resolve(seq);
            return List.of(d.resolve("image.png"), d.resolve("label.png"), d.resolve("color.png"));
        }
        String stem = city + "_" + seq + "_000019_";
        Path gt = out.resolve("gtFine").resolve(split).resolve(city);
        return List.of(out.resolve("leftImg8bit").resolve(split).resolve(city).resolve(stem + "leftImg8bit.png"),
                gt.resolve(stem + "gtFine_labelIds.png"), gt.resolve(stem + "gtFine_color.png"));
    }

    /** Whether all files of scene {@code index} exist (each is written atomically, so each is whole). */
    public boolean isComplete(long index) {
        for (Path f : files(index)) {
            if (!Files.isRegularFile(f)) return false;
        }
        return true;
    }

    /**
     * Writes a scene under its index.
     *
     * @return the files written
     * @throws IllegalArgumentException for a rendered scene (no index), or a label that does not fit 8 bits
     */
    public List<Path> write(Scene scene) throws IOException {
        if (scene.index() < 0) throw new IllegalArgumentException("scene has no index (a rendered scene); use write(scene, index)");
        return write(scene, scene.index());
    }

    /** Writes a scene under {@code index}. */
    public List<Path> write(Scene scene, long index) throws IOException {
        List<Path> files = files(index);
        LabelMap labels = scene.labels();
        int[] gray = format == Format.PLAIN ? labels.indices() : labels.labelIds();
        if (format == Format.PLAIN && labels.classes().count() > 256) {
            throw new IllegalArgumentException("plain label maps are 8-bit; a model with " + labels.classes().count() + " classes needs the cityscapes format");
        }
        if (format == Format.CITYSCAPES && labels.classes().maxLabelId() > 255) {
            throw new IllegalArgumentException("Cityscapes labelIds files are 8-bit but the model has label id " + labels.classes().maxLabelId()
                    + "; use the plain format (class indices)");
        }
        Images.writeRgb(files.get(0), scene.rgb());
        Images.writeGray8(files.get(1), scene.width(), scene.height(), gray);
        Images.writeRgb(files.get(2), labels.colorRgb());
        return files;
    }

    @Override
    public String toString() {
        return "SceneWriter[" + format.name().toLowerCase(Locale.ROOT) + ", " + out + "]";
    }
}
