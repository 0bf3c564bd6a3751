package org.sbgan.runtime.write;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.SceneFilter;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;

/**
 * A grid of scenes for a quick look: each cell is the image with its colour label map to the right, cells
 * separated by a {@value #GAP}-pixel white gutter. All scenes must have one size.
 */
public final class ContactSheet {
    public static final int GAP = 2;
    /** Scenes on the sheet an output folder gets, and its columns. */
    public static final int SCENES = 16, COLUMNS = 4;
    private static final int BACKGROUND = 0xFFFFFF;

    private ContactSheet() {}

    /**
     * The scenes of an output folder's sheet: the first {@value #SCENES} of indices {@code 0..count-1} that {@code filter}
     * keeps, scanning from index 0 (a layout per rejected candidate). They depend on nothing but the seed, the count and
     * the filter, so every process writing part of one output (a shard, a Spark job) makes the same sheet.
     */
    public static List<Scene> firstScenes(SceneGenerator gen, long seed, long count, SceneFilter filter) {
        List<Scene> sheet = new ArrayList<>();
        for (long i = 0; i < count && sheet.size() < SCENES; ) {
            int n = (int) Math.min(count - i, filter.keepsAll() ? SCENES - sheet.size() : gen.options().batch());
            for (Scene s : gen.scenes(seed, i, n, filter::keeps)) if (sheet.size() < SCENES) sheet.add(s);
            i += n;
        }
        return sheet;
    }

    /** The sheet, {@code columns} cells wide (fewer if there are fewer scenes). */
    public static RgbImage of(List<Scene> scenes, int columns) {
        if (scenes.isEmpty()) throw new IllegalArgumentException("a contact sheet needs at least one scene");
        return of(scenes.stream().map(Scene::rgb).toList(), scenes.stream().map(s -> s.labels().colorRgb()).toList(), columns, 1);
    }

    /**
     * The sheet of image / colour-map pairs (any source: generated scenes, synthetic data), each pixel enlarged to
     * {@code zoom}×{@code zoom}, {@code columns} cells wide.
     */
    public static RgbImage of(List<RgbImage> images, List<RgbImage> colours, int columns, int zoom) {
        if (images.isEmpty()) throw new IllegalArgumentException("a contact sheet needs at least one scene");
        if (images.size() != colours.size()) throw new IllegalArgumentException(images.size() + " images but " + colours.size() + " colour maps");
        if (columns < 1) throw new IllegalArgumentException("columns must be at least 1, got " + columns);
        if (zoom < 1) throw new IllegalArgumentException("zoom must be at least 1, got " + zoom);
        int w = images.get(0).width(), h = images.get(0).height();
        int cols = Math.min(columns, images.size()), rows = (images.size() + cols - 1) / cols;
        int cellW = 2 * w * zoom + GAP, cellH = h * zoom;
        int sheetW = cols * cellW + (cols + 1) * GAP, sheetH = rows * cellH + (rows + 1) * GAP;
        int[] px = new int[sheetW * sheetH];
        Arrays.fill(px, BACKGROUND);
        for (int i = 0; i < images.size(); i++) {
            RgbImage im = images.get(i), col = colours.get(i);
            if (im.width() != w || im.height() != h || col.width() != w || col.height() != h) {
                throw new IllegalArgumentException("scene " + i + " is " + im.height() + "×" + im.width() + ", the first is " + h + "×" + w);
            }
            int x0 = GAP + (i % cols) * (cellW + GAP), y0 = GAP + (i / cols) * (cellH + GAP);
            blit(im, zoom, px, sheetW, x0, y0);
            blit(col, zoom, px, sheetW, x0 + w * zoom + GAP, y0);
        }
        return new RgbImage(sheetW, sheetH, px);
    }

    /** Writes the sheet as a PNG (atomically). */
    public static void write(Path file, List<Scene> scenes, int columns) throws IOException {
        Images.writeRgb(file, of(scenes, columns));
    }

    private static void blit(RgbImage src, int zoom, int[] dst, int dstW, int x0, int y0) {
        for (int y = 0; y < src.height() * zoom; y++) {
            for (int x = 0; x < src.width() * zoom; x++) dst[(y0 + y) * dstW + x0 + x] = src.get(x / zoom, y / zoom);
        }
    }
}
