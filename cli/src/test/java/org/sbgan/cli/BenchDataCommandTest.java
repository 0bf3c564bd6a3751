package org.sbgan.cli;

import static org.sbgan.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.cli.Cli.Run;

/** {@code bench data --data DIR --on-bad-sample fail|skip} on a copy of testdata/ with one corrupt image. */
class BenchDataCommandTest {

    /** 20 train pairs of testdata/ in a Cityscapes tree, the image of the 4th replaced by garbage. */
    static Path damagedCopy(Path tmp) throws IOException {
        Path src = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
        List<Path> images;
        try (Stream<Path> s = Files.walk(src.resolve("leftImg8bit").resolve("train"))) {
            images = s.filter(p -> p.toString().endsWith("_leftImg8bit.png")).sorted().limit(20).toList();
        }
        Path corrupt = null;
        for (int i = 0; i < images.size(); i++) {
            Path img = images.get(i);
            Path rel = src.resolve("leftImg8bit").relativize(img);
            Path label = src.resolve("gtFine").resolve(rel.toString().replace("_leftImg8bit.png", "_gtFine_labelIds.png"));
            Path toImg = tmp.resolve("leftImg8bit").resolve(rel), toLabel = tmp.resolve("gtFine").resolve(src.resolve("gtFine").relativize(label));
            Files.createDirectories(toImg.getParent());
            Files.createDirectories(toLabel.getParent());
            Files.copy(label, toLabel);
            if (i == 3) {
                Files.write(toImg, "not a png".getBytes(StandardCharsets.UTF_8));
                corrupt = toImg;
            } else {
                Files.copy(img, toImg);
            }
        }
        Files.writeString(tmp.resolve("corrupt.txt"), corrupt.getFileName().toString());
        return tmp;
    }

    @Test
    void failStopsWithOneLineNamingTheFile(@TempDir Path tmp) throws IOException {
        Path data = damagedCopy(tmp);
        String bad = Files.readString(data.resolve("corrupt.txt"));
        Run r = run("bench", "data", "--preset", "tiny", "--data", data.toString(), "--batches", "2", "--warmup", "1");
        assertEquals(1, r.rc(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.contains("error:")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).contains(bad), errors.get(0));
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void skipGoesOnAndListsTheSkippedFile(@TempDir Path tmp) throws IOException {
        Path data = damagedCopy(tmp);
        String bad = Files.readString(data.resolve("corrupt.txt"));
        Run r = run("bench", "data", "--preset", "tiny", "--data", data.toString(), "--batches", "2", "--warmup", "1",
                "--on-bad-sample", "skip");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("skipped 1"), r.err());
        assertTrue(r.err().contains(bad), r.err());
        assertTrue(r.err().contains("19 good samples"), r.err());
        assertTrue(r.out().contains("batches/s"), r.out());
    }
}
