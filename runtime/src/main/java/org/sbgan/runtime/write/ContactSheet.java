package org.sbgan.runtime.write;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;

/**
 * A grid of scenes for a quick look: each cell is the image with its colour label map to the right, cells
 * separated by a {@value #GAP}-pixel white gutter. All scenes must have one size.
 */
public final class ContactSheet {
    public static final int GAP = 2;
    private static final int BACKGROUND = 0xFFFFFF;

    private ContactSheet() {}

    /** The sheet, {@code columns} cells wide (fewer if there are fewer scenes). */
    public static RgbImage of(List<Scene> scenes, int columns) {
        if (scenes.isEmpty()) throw new IllegalArgumentException("a contact sheet needs at least one scene");
        if (columns < 1) throw new IllegalArgumentException("columns must be at least 1, got " + columns);
        int w = scenes.get(0).width(), h = scenes.get(0).height();
        int cols = Math.min(columns, scenes.size()), rows = (scenes.size() + cols - 1) / cols;
        int cellW = 2 * w + GAP, cellH = h;
        int sheetW = cols * cellW + (cols + 1) * GAP, sheetH = rows * cellH + (rows + 1) * GAP;
        int[] px = new int[sheetW * sheetH];
        Arrays.fill(px, BACKGROUND);
        for (int i = 0; i < scenes.size(); i++) {
            Scene s = scenes.get(i);
            if (s.width() != w || s.height() != h) {
                throw new IllegalArgumentException("scene " + i + " is " + s.height() + "×" + s.width() + ", the first is " + h + "×" + w);
            }
            int x0 = GAP + (i % cols) * (cellW + GAP), y0 = GAP + (i / cols) * (cellH + GAP);
            blit(s.rgb(), px, sheetW, x0, y0);
            blit(s.labels().colorRgb(), px, sheetW, x0 + w + GAP, y0);
        }
        return new RgbImage(sheetW, sheetH, px);
    }

    /** Writes the sheet as a PNG (atomically). */
    public static void write(Path file, List<Scene> scenes, int columns) throws IOException {
        Images.writeRgb(file, of(scenes, columns));
    }

    private static void blit(RgbImage src, int[] dst, int dstW, int x0, int y0) {
        for (int y = 0; y < src.height(); y++) System.arraycopy(src.rgb(), y * src.width(), dst, (y0 + y) * dstW + x0, src.width());
    }
}
