package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;

class ImageSetsTest {
    @TempDir
    Path dir;

    private void write(Path file, int w, int h, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        int[] px = new int[w * h];
        java.util.Arrays.fill(px, rgb);
        Images.writeRgb(file, new RgbImage(w, h, px));
    }

    @Test
    void readsRecursivelySortedResizedAndCapped() throws IOException {
        write(dir.resolve("b/x_leftImg8bit.png"), 64, 32, 0x000000);
        write(dir.resolve("a/y_leftImg8bit.png"), 128, 64, 0xFFFFFF);
        write(dir.resolve("a/z_leftImg8bit.png"), 16, 8, 0xFF0080);
        Files.writeString(dir.resolve("a/readme.txt"), "not an image");

        ImageSets.Loaded all = ImageSets.read(dir, 8, 16, 0);
        assertEquals(3, all.n());
        assertEquals(3 * 3 * 8 * 16, all.chw().length);
        assertTrue(all.files().get(0).endsWith("a/y_leftImg8bit.png"));
        int plane = 8 * 16;
        assertEquals(1f, all.chw()[0], 1e-6); // white
        assertEquals(1f, all.chw()[3 * plane], 1e-6); // magenta-ish: red 255
        assertEquals(-1f + 0x80 / 127.5f, all.chw()[3 * plane + 2 * plane], 1e-6);
        assertEquals(-1f, all.chw()[6 * plane + 5], 1e-6); // black

        ImageSets.Loaded two = ImageSets.read(dir, 8, 16, 2);
        assertEquals(2, two.n());
    }

    @Test
    void emptyOrMissingFoldersFailInOneLine() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Exception e = assertThrows(IllegalArgumentException.class, () -> ImageSets.read(empty, 8, 8, 0));
        assertTrue(e.getMessage().contains("no PNG or JPEG") && !e.getMessage().contains("\n"), e.getMessage());
        Exception m = assertThrows(IllegalArgumentException.class, () -> ImageSets.read(dir.resolve("nope"), 8, 8, 0));
        assertTrue(m.getMessage().contains("not found"), m.getMessage());
    }
}
