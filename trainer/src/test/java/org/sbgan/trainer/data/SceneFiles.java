package org.sbgan.trainer.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;

/** Tiny street-scene-like label maps and matching images for dataset tests. */
final class SceneFiles {
    private SceneFiles() {}

    static final int W = 32, H = 16;

    /** Raw Cityscapes label ids: sky (23) above, building (11), road (7), a car (26) and a person (24) box; seed shifts things. */
    static int[] labelIds(int seed) {
        int[] v = new int[W * H];
        int horizon = 4 + seed % 3, roadTop = 10 + seed % 2;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int id = y < horizon ? 23 : y < roadTop ? 11 : 7;
                if (y >= roadTop - 2 && y < roadTop + 2 && x >= 3 + seed && x < 11 + seed) id = 26;
                if (seed % 2 == 1 && y >= roadTop - 4 && y < roadTop && x >= 20 && x < 22) id = 24;
                if (y == H - 1 && x < 2) id = 0; // a few unlabeled pixels
                v[y * W + x] = id;
            }
        }
        return v;
    }

    /** An image of the label map's palette colours with a soft per-sample tint. */
    static RgbImage image(int[] ids, int seed) {
        LabelSpace cs = LabelSpaces.cityscapes35();
        int[] rgb = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            int c = cs.color(ids[i]);
            int r = Math.min(255, ((c >> 16) & 0xFF) + seed * 3), g = (c >> 8) & 0xFF, b = Math.min(255, (c & 0xFF) + (i % W));
            rgb[i] = (r << 16) | (g << 8) | b;
        }
        return new RgbImage(W, ids.length / W, rgb);
    }

    static int[] trainIds(int[] ids) {
        int[] t = new int[ids.length];
        LabelSpace s = LabelSpaces.cityscapesTrainIds();
        for (int i = 0; i < ids.length; i++) {
            int c = s.classOf(ids[i]);
            t[i] = c == 19 ? 255 : c;
        }
        return t;
    }

    static void writeLabels(Path file, int[] values) throws IOException {
        Images.writeGray8(file, W, values.length / W, values);
    }

    static void write16(Path file, int w, int h, int[] values) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSamples(0, 0, w, h, 0, values);
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer");
    }

    static void writeJpeg(Path file, RgbImage image) throws IOException {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, image.width(), image.height(), image.rgb(), 0, image.width());
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, "jpg", file.toFile())) throw new IOException("no JPEG writer");
    }
}
