package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.image.Images;

class SynthDataCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheCityscapesTreeAndAContactSheet() throws Exception {
        Path out = tmp.resolve("data"), sheet = tmp.resolve("sheet.png");
        int rc = Main.execute("synth-data", "--count", "5", "--size", "32x64", "--seed", "4", "--val-fraction", "0.4",
                "--out", out.toString(), "--contact-sheet", sheet.toString(), "--quiet");
        assertEquals(0, rc);
        List<String> files;
        try (Stream<Path> st = Files.walk(out)) {
            files = st.filter(Files::isRegularFile).map(p -> out.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
        assertEquals(15, files.size(), files.toString());
        assertTrue(files.contains("leftImg8bit/train/synthtown/synthtown_000000_000019_leftImg8bit.png"));
        assertTrue(files.contains("gtFine/train/synthtown/synthtown_000002_000019_gtFine_labelIds.png"));
        assertTrue(files.contains("gtFine/val/synthville/synthville_000001_000019_gtFine_color.png"));
        var labels = Images.readLabels(out.resolve("gtFine/val/synthville/synthville_000001_000019_gtFine_labelIds.png"));
        assertEquals(64, labels.width());
        assertEquals(32, labels.height());
        var img = Images.readRgb(sheet);
        int g = org.sbgan.runtime.write.ContactSheet.GAP;
        assertEquals(4 * (2 * 128 + g) + 5 * g, img.width(), "4 cells of image and colour map side by side, enlarged 2×");
    }

    @Test
    void badSizeIsAUsageError() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            assertEquals(2, Main.execute("synth-data", "--size", "64by128", "--out", tmp.toString()));
        } finally {
            System.setErr(err);
        }
        assertEquals(List.of("error: --size must be HxW with H in 8..4096 and W in 16..4096 (e.g. 64x128), got '64by128'",
                "try 'sbgan-cli synth-data --help'"), buf.toString().strip().lines().toList());
    }
}
