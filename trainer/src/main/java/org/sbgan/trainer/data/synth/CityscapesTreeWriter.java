package org.sbgan.trainer.data.synth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.sbgan.runtime.image.Images;

/**
 * Writes scenes in the Cityscapes directory layout:
 * {@code leftImg8bit/<split>/<city>/<city>_<seq6>_<frame6>_leftImg8bit.png} (RGB),
 * {@code gtFine/<split>/<city>/<stem>_gtFine_labelIds.png} (8-bit gray, label ids) and
 * {@code gtFine/<split>/<city>/<stem>_gtFine_color.png} (the official colours, for viewing). Each file is
 * written atomically.
 */
public final class CityscapesTreeWriter {
    /** Cityscapes annotates the 20th frame of each 30-frame snippet; the synthetic stems use the same number. */
    public static final int FRAME = 19;

    private CityscapesTreeWriter() {}

    public static String stem(String city, int seq, int frame) {
        return String.format(Locale.ROOT, "%s_%06d_%06d", city, seq, frame);
    }

    public static Path imagePath(Path root, String split, String city, String stem) {
        return root.resolve("leftImg8bit").resolve(split).resolve(city).resolve(stem + "_leftImg8bit.png");
    }

    public static Path labelIdsPath(Path root, String split, String city, String stem) {
        return root.resolve("gtFine").resolve(split).resolve(city).resolve(stem + "_gtFine_labelIds.png");
    }

    public static Path colorPath(Path root, String split, String city, String stem) {
        return root.resolve("gtFine").resolve(split).resolve(city).resolve(stem + "_gtFine_color.png");
    }

    /** Writes the three files of one scene and returns its stem. */
    public static String write(Path root, String split, String city, int seq, StreetScene scene, boolean color) throws IOException {
        String stem = stem(city, seq, FRAME);
        Images.writeRgb(imagePath(root, split, city, stem), scene.image());
        Images.writeGray8(labelIdsPath(root, split, city, stem), scene.width(), scene.height(), scene.labelIds());
        if (color) Images.writeRgb(colorPath(root, split, city, stem), scene.colorLabels());
        return stem;
    }
}
