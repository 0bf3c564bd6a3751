package org.sbgan.trainer.data.synth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.write.ContactSheet;

/**
 * Writes a synthetic Cityscapes-layout dataset made by {@link StreetSceneGenerator}. Scene {@code i} of a run is
 * {@code generator.scene(i)}; the first {@code count − round(count·valFraction)} scenes go to {@code train}
 * (city {@value #TRAIN_CITY}, sequence numbers 0, 1, ...), the rest to {@code val} (city {@value #VAL_CITY}),
 * unless one split is named, which gets all of them.
 */
public final class SyntheticCityscapes {
    public static final String TRAIN_CITY = "synthtown", VAL_CITY = "synthville";

    private SyntheticCityscapes() {}

    /** What a run wrote: scenes per split. */
    public record Summary(int train, int val, int other) {}

    /** The city a split's scenes are filed under. */
    public static String city(String split) {
        return switch (split) {
            case "train" -> TRAIN_CITY;
            case "val" -> VAL_CITY;
            default -> "synth" + split;
        };
    }

    /**
     * Writes {@code count} scenes under {@code root}. {@code split} null splits by {@code valFraction}; otherwise
     * every scene goes to that split. {@code progress} is told the number written so far after each scene.
     */
    public static Summary write(Path root, StreetSceneGenerator gen, int count, double valFraction, String split,
                                boolean color, IntConsumer progress) throws IOException {
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, got " + count);
        if (!(valFraction >= 0 && valFraction <= 1)) throw new IllegalArgumentException("--val-fraction must be in [0, 1], got " + valFraction);
        if (split != null && !split.matches("[a-z][a-z0-9_]*")) throw new IllegalArgumentException("--split must be a lower-case name like train or val, got '" + split + "'");
        int nVal = split == null ? (int) Math.round(count * valFraction) : 0;
        int nTrain = count - nVal;
        int train = 0, val = 0, other = 0;
        for (int i = 0; i < count; i++) {
            StreetScene s = gen.scene(i);
            String sp = split != null ? split : i < nTrain ? "train" : "val";
            int seq = split != null ? i : i < nTrain ? i : i - nTrain;
            CityscapesTreeWriter.write(root, sp, city(sp), seq, s, color);
            switch (sp) {
                case "train" -> train++;
                case "val" -> val++;
                default -> other++;
            }
            if (progress != null) progress.accept(i + 1);
        }
        return new Summary(train, val, other);
    }

    /** Writes a contact sheet of scenes 0..n−1 (image above colour labels, 4 per row, enlarged {@code zoom}×). */
    public static void contactSheet(Path file, StreetSceneGenerator gen, int n, int zoom) throws IOException {
        List<StreetScene> scenes = new ArrayList<>();
        for (int i = 0; i < n; i++) scenes.add(gen.scene(i));
        Images.writeRgb(file, ContactSheet.of(scenes.stream().map(StreetScene::image).toList(),
                scenes.stream().map(StreetScene::colorLabels).toList(), 4, zoom));
    }
}
