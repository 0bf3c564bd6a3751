package org.sbgan.trainer.data.synth;

import java.util.List;
import org.sbgan.runtime.image.RgbImage;

/** A grid of scenes for viewing: each cell is the image above its colour label map, enlarged by an integer factor. */
public final class ContactSheet {
    private ContactSheet() {}

    public static RgbImage render(List<StreetScene> scenes, int columns, int zoom) {
        if (scenes.isEmpty()) throw new IllegalArgumentException("no scenes for a contact sheet");
        if (columns < 1 || zoom < 1) throw new IllegalArgumentException("columns and zoom must be positive");
        int w = scenes.get(0).width() * zoom, h = scenes.get(0).height() * zoom, gap = 4;
        int cols = Math.min(columns, scenes.size()), rows = (scenes.size() + cols - 1) / cols;
        int cellH = 2 * h + 1;
        int W = cols * w + (cols + 1) * gap, H = rows * cellH + (rows + 1) * gap;
        int[] px = new int[W * H];
        java.util.Arrays.fill(px, 0x202020);
        for (int k = 0; k < scenes.size(); k++) {
            StreetScene s = scenes.get(k);
            if (s.width() * zoom != w || s.height() * zoom != h) throw new IllegalArgumentException("scenes differ in size");
            int ox = gap + (k % cols) * (w + gap), oy = gap + (k / cols) * (cellH + gap);
            RgbImage img = s.image(), col = s.colorLabels();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    px[(oy + y) * W + ox + x] = img.get(x / zoom, y / zoom);
                    px[(oy + h + 1 + y) * W + ox + x] = col.get(x / zoom, y / zoom);
                }
            }
        }
        return new RgbImage(W, H, px);
    }
}
