package org.sbgan.runtime.write;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sbgan.runtime.LabelMap;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.image.Images;

/**
 * A scene's three PNG files in one of {@link SceneWriter}'s layouts: their names relative to the output folder and
 * their bytes. Defined once, so that {@code generate}'s files and any other writer's (a Spark job's, to a Hadoop
 * file system or into Parquet rows) are the same bytes under the same names.
 *
 * @param format cityscapes or plain
 * @param split  the Cityscapes split folder (letters, digits, '.' or '-')
 * @param city   the Cityscapes city (the same characters)
 */
public record ScenePngs(SceneWriter.Format format, String split, String city) {
    public ScenePngs {
        if (format == null) throw new IllegalArgumentException("no format");
        split = name(split, "split");
        city = name(city, "city");
    }

    private static String name(String s, String what) {
        if (s == null || !s.matches("[A-Za-z0-9][A-Za-z0-9.-]*")) {
            throw new IllegalArgumentException(what + " must be letters, digits, '.' or '-' (no '_' or '/'), got " + s);
        }
        return s;
    }

    /** The layout with split {@value SceneWriter#DEFAULT_SPLIT}, city {@value SceneWriter#DEFAULT_CITY}. */
    public static ScenePngs of(SceneWriter.Format format) {
        return new ScenePngs(format, SceneWriter.DEFAULT_SPLIT, SceneWriter.DEFAULT_CITY);
    }

    /** The files of scene {@code index}, '/'-separated and relative to the output folder: image, label map, colour map. */
    public List<String> names(long index) {
        if (index < 0) throw new IllegalArgumentException("scene index must not be negative, got " + index);
        String seq = String.format(Locale.ROOT, "%06d", index);
        if (format == SceneWriter.Format.PLAIN) return List.of(seq + "/image.png", seq + "/label.png", seq + "/color.png");
        String stem = city + "_" + seq + "_000019_";
        String gt = "gtFine/" + split + "/" + city + "/";
        return List.of("leftImg8bit/" + split + "/" + city + "/" + stem + "leftImg8bit.png", gt + stem + "gtFine_labelIds.png",
                gt + stem + "gtFine_color.png");
    }

    /** Whether a file exists, given its name relative to the output folder (on any file system; may do I/O). */
    @FunctionalInterface
    public interface Exists {
        boolean test(String name) throws IOException;
    }

    /**
     * Whether scene {@code index} is finished: all its files exist. Each file is written atomically, so an existing
     * file is whole.
     */
    public boolean complete(long index, Exists exists) throws IOException {
        for (String name : names(index)) {
            if (!exists.test(name)) return false;
        }
        return true;
    }

    /**
     * The scene a file belongs to: {@code i} if {@code name} (relative, '/'-separated) is one of {@link #names}{@code (i)},
     * else -1. Lets a process that writes some of a folder's scenes tell its own files from others'.
     */
    public long indexOf(String name) {
        Matcher m = (format == SceneWriter.Format.PLAIN ? PLAIN_FILE : CITYSCAPES_FILE).matcher(name);
        if (!m.matches()) return -1;
        long index;
        try {
            index = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
        return names(index).contains(name) ? index : -1;
    }

    /** The index's digits in a plain file name, or in a Cityscapes file name (cities have no '_'). */
    private static final Pattern PLAIN_FILE = Pattern.compile("(\\d{6,})/[^/]+"),
            CITYSCAPES_FILE = Pattern.compile(".*/[^/_]+_(\\d{6,})_000019_[^/]+");

    /**
     * The bytes of the three files, in {@link #names} order: the image (RGB), the label map (8-bit gray: the label
     * space's raw ids for cityscapes, class indices for plain), the colour map.
     *
     * @throws IllegalArgumentException if a label does not fit 8 bits in this format
     */
    public List<byte[]> encode(Scene scene) throws IOException {
        LabelMap labels = scene.labels();
        if (format == SceneWriter.Format.PLAIN && labels.classes().count() > 256) {
            throw new IllegalArgumentException("plain label maps are 8-bit; a model with " + labels.classes().count() + " classes needs the cityscapes format");
        }
        if (format == SceneWriter.Format.CITYSCAPES && labels.classes().maxLabelId() > 255) {
            throw new IllegalArgumentException("Cityscapes labelIds files are 8-bit but the model has label id " + labels.classes().maxLabelId()
                    + "; use the plain format (class indices)");
        }
        int[] gray = format == SceneWriter.Format.PLAIN ? labels.indices() : labels.labelIds();
        return List.of(Images.pngRgb(scene.rgb()), Images.pngGray8(scene.width(), scene.height(), gray), Images.pngRgb(labels.colorRgb()));
    }
}
