package org.sbgan.trainer.eval;

import org.sbgan.trainer.data.loader.Resize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;
import org.sbgan.trainer.data.Datasets;

/**
 * Reads a folder of images (for example Cityscapes {@code leftImg8bit/val}, or a folder of generated scenes) into
 * one planar float array for the metrics.
 *
 * <p>Why its own reader: evaluation needs every image of a split, in a stable order, at one size, without the
 * training loader's random crops and flips. Files are found recursively and sorted by path, so a capped count
 * always picks the same images; they are resized (box filter then bilinear, see {@link Resize}) to exactly
 * {@code h×w} without cropping, and mapped from 8-bit to [−1, 1].
 */
public final class ImageSets {
    private ImageSets() {}

    /** n images, {@code [n, 3, h, w]} row-major in [−1, 1], and the files they came from. */
    public record Loaded(float[] chw, int n, int h, int w, List<Path> files) {}

    /** The PNG/JPEG files under a folder, recursively, sorted by path; fails in one line when there are none. */
    public static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": image folder not found");
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> files = s.filter(Files::isRegularFile).filter(Datasets::isImage).sorted().collect(Collectors.toList());
            if (files.isEmpty()) throw new IllegalArgumentException(dir + ": no PNG or JPEG images in the folder");
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list images (" + e.getMessage() + ")", e);
        }
    }

    /** Up to {@code max} images (all when max ≤ 0) of the folder, resized to h×w. */
    public static Loaded read(Path dir, int h, int w, int max) throws IOException {
        if (h < 1 || w < 1) throw new IllegalArgumentException("image size must be positive, got " + h + "×" + w);
        List<Path> files = list(dir);
        if (max > 0 && files.size() > max) files = files.subList(0, max);
        int plane = 3 * h * w;
        float[] out = new float[files.size() * plane];
        for (int i = 0; i < files.size(); i++) {
            RgbImage im = Images.readRgb(files.get(i));
            float[] img = toChw(im);
            System.arraycopy(Resize.to(img, 3, im.height(), im.width(), h, w), 0, out, i * plane, plane);
        }
        return new Loaded(out, files.size(), h, w, List.copyOf(files));
    }

    /** 8-bit RGB to planar [3, h, w] in [−1, 1]. */
    static float[] toChw(RgbImage im) {
        int h = im.height(), w = im.width(), plane = h * w;
        float[] out = new float[3 * plane];
        int[] rgb = im.rgb();
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            out[i] = ((p >> 16) & 0xFF) / 127.5f - 1f;
            out[plane + i] = ((p >> 8) & 0xFF) / 127.5f - 1f;
            out[2 * plane + i] = (p & 0xFF) / 127.5f - 1f;
        }
        return out;
    }

}
