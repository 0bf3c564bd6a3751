package org.sbgan.trainer.data.synth;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.LabelRaster;
import org.sbgan.runtime.image.RgbImage;
import org.sbgan.runtime.write.ContactSheet;

class SyntheticCityscapesTest {
    @TempDir
    Path tmp;

    @Test
    void writesACityscapesTreeThatReadsBack() throws IOException {
        StreetSceneGenerator gen = new StreetSceneGenerator(64, 32, 3);
        SyntheticCityscapes.Summary s = SyntheticCityscapes.write(tmp, gen, 5, 0.4, null, true, null);
        assertEquals(new SyntheticCityscapes.Summary(3, 2, 0), s);
        Path img = tmp.resolve("leftImg8bit/train/synthtown/synthtown_000002_000019_leftImg8bit.png");
        Path ids = tmp.resolve("gtFine/train/synthtown/synthtown_000002_000019_gtFine_labelIds.png");
        Path col = tmp.resolve("gtFine/train/synthtown/synthtown_000002_000019_gtFine_color.png");
        for (Path p : List.of(img, ids, col)) assertTrue(Files.isRegularFile(p), p.toString());
        assertTrue(Files.isRegularFile(tmp.resolve("gtFine/val/synthville/synthville_000001_000019_gtFine_labelIds.png")));
        assertFalse(Files.exists(tmp.resolve("gtFine/val/synthville/synthville_000002_000019_gtFine_labelIds.png")));
        StreetScene scene = gen.scene(2);
        LabelRaster labels = Images.readLabels(ids);
        assertArrayEquals(scene.labelIds(), labels.values());
        RgbImage rgb = Images.readRgb(img);
        assertArrayEquals(scene.image().rgb(), rgb.rgb());
        assertArrayEquals(scene.colorLabels().rgb(), Images.readRgb(col).rgb());
        StreetScene firstVal = gen.scene(3);
        assertArrayEquals(firstVal.labelIds(),
                Images.readLabels(tmp.resolve("gtFine/val/synthville/synthville_000000_000019_gtFine_labelIds.png")).values());
    }

    @Test
    void sameSeedWritesIdenticalFiles() throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        SyntheticCityscapes.write(a, new StreetSceneGenerator(64, 32, 9), 3, 0, null, false, null);
        SyntheticCityscapes.write(b, new StreetSceneGenerator(64, 32, 9), 3, 0, null, false, null);
        List<Path> files;
        try (Stream<Path> st = Files.walk(a)) {
            files = st.filter(Files::isRegularFile).sorted().toList();
        }
        assertEquals(6, files.size());
        for (Path f : files) assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(a.relativize(f))), f.toString());
    }

    @Test
    void oneNamedSplitTakesEveryScene() throws IOException {
        SyntheticCityscapes.Summary s = SyntheticCityscapes.write(tmp, new StreetSceneGenerator(32, 16, 1), 2, 0.5, "test", false, null);
        assertEquals(new SyntheticCityscapes.Summary(0, 0, 2), s);
        assertTrue(Files.isRegularFile(tmp.resolve("leftImg8bit/test/synthtest/synthtest_000001_000019_leftImg8bit.png")));
        assertThrows(IllegalArgumentException.class, () -> SyntheticCityscapes.write(tmp, new StreetSceneGenerator(32, 16, 1), 0, 0.2, null, false, null));
    }

    @Test
    void contactSheetShowsEachImageBesideItsLabelsEnlarged() {
        StreetSceneGenerator gen = new StreetSceneGenerator(32, 16, 1);
        StreetScene a = gen.scene(0), b = gen.scene(1);
        RgbImage sheet = ContactSheet.of(List.of(a.image(), b.image()), List.of(a.colorLabels(), b.colorLabels()), 4, 2);
        int g = ContactSheet.GAP, cellW = 2 * 64 + g;
        assertEquals(2 * cellW + 3 * g, sheet.width());
        assertEquals(32 + 2 * g, sheet.height());
        assertEquals(a.image().get(3, 5), sheet.get(g + 6, g + 10));
        assertEquals(a.colorLabels().get(3, 5), sheet.get(g + 64 + g + 6, g + 10));
        assertEquals(b.image().get(3, 5), sheet.get(g + cellW + g + 6, g + 10));
    }
}
