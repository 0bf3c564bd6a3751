package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.models.Preset;
import org.sbgan.runtime.files.FolderLock;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.LabelRaster;
import org.sbgan.runtime.image.RgbImage;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.train.BundleWriter;

/** {@code sbgan-cli generate}: kill-safe reruns, one-line errors, and trained scenes whose images follow their layouts. */
class GenerateCommandTest {
    private static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");

    static Path initialBundle(Path dir) throws IOException {
        BundleWriter.writeInitial(dir, Preset.TINY, 1, LabelSpaces.cityscapesCategories());
        return dir;
    }

    /** The scene files, contact sheet and the like: not the (released, empty) lock file. */
    private static List<Path> files(Path dir) throws IOException {
        assertEquals(0, Files.size(dir.resolve(FolderLock.FILE)), "the lock is released");
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(dir::relativize).filter(p -> !p.toString().equals(FolderLock.FILE)).sorted().toList();
        }
    }

    /** Finished colour maps so far; 0 while the walk races with a rename in the writing process. */
    private static long images(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith("_gtFine_color.png")).count();
        } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
            return 0;
        }
    }

    static List<String> args(Path model, Path out, String count) {
        return new ArrayList<>(List.of("generate", "--model", model.toString(), "--out", out.toString(), "--count", count, "--seed", "5",
                "--batch", "4", "--threads", "2", "--progress", "lines"));
    }

    @Test
    void aRunKilledMidwayIsCompletedByARerunWithNoDuplicatesOrTruncatedFiles(@TempDir Path tmp) throws Exception {
        Path model = initialBundle(tmp.resolve("model")), a = tmp.resolve("a"), b = tmp.resolve("b");
        Cli.Run ra = Cli.run(args(model, a, "240").toArray(String[]::new));
        assertEquals(0, ra.code(), ra.err());
        assertTrue(ra.out().contains("240 generated"), ra.out());

        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                Main.class.getName()));
        cmd.addAll(args(model, b, "240"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("b.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (images(b) < 40 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(p.isAlive(), "still generating when killed: " + Files.readString(tmp.resolve("b.log")));
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        long before = images(b);
        assertTrue(before < 240, "killed midway: " + before);

        Cli.Run rb = Cli.run(args(model, b, "240").toArray(String[]::new));
        assertEquals(0, rb.code(), rb.err());
        assertTrue(rb.err().contains("finished scenes"), rb.err());
        List<Path> fa = files(a), fb = files(b);
        assertEquals(fa, fb, "the same files, none twice, no temporary files left");
        for (Path f : fa) assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f.toString());
        assertEquals(240 * 3 + 1, fa.size(), "3 files per scene and the contact sheet");
    }

    @Test
    void aBusyOutputFolderIsRefusedInOneLine(@TempDir Path tmp) throws Exception {
        Path model = initialBundle(tmp.resolve("model")), out = tmp.resolve("out");
        try (FolderLock held = FolderLock.acquire(out, "another generate")) {
            Cli.Run r = Cli.run(args(model, out, "4").toArray(String[]::new));
            assertEquals(1, r.code());
            assertEquals("error: " + out + ": in use by this process (" + ProcessHandle.current().pid() + "); wait for it to end, or use another folder",
                    r.err().strip());
        }
        assertEquals(List.of(), files(out), "nothing written");
    }

    @Test
    void aMissingBundleIsOneLineNamingIt(@TempDir Path tmp) {
        Cli.Run r = Cli.run("generate", "--model", tmp.resolve("nope").toString(), "--out", tmp.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().strip().startsWith("error: " + tmp.resolve("nope")), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    /** Mean over scenes of the variance across classes of each class region's mean colour (classes with ≥ 30 pixels). */
    static double classColourSpread(Path out, int k) throws IOException {
        LabelSpace space = LabelSpaces.cityscapesCategories();
        double total = 0;
        int scenes = 0;
        try (Stream<Path> s = Files.walk(out.resolve("leftImg8bit"))) {
            for (Path img : s.filter(f -> f.toString().endsWith("_leftImg8bit.png")).sorted().toList()) {
                String name = img.getFileName().toString().replace("_leftImg8bit.png", "_gtFine_labelIds.png");
                Path lbl = out.resolve("gtFine").resolve(out.resolve("leftImg8bit").relativize(img.getParent())).resolve(name);
                RgbImage rgb = Images.readRgb(img);
                LabelRaster raster = Images.readLabels(lbl);
                double[][] sum = new double[k][3];
                int[] n = new int[k];
                for (int y = 0; y < rgb.height(); y++) {
                    for (int x = 0; x < rgb.width(); x++) {
                        int c = space.classOf(raster.values()[y * rgb.width() + x]), v = rgb.get(x, y);
                        sum[c][0] += v >> 16 & 255;
                        sum[c][1] += v >> 8 & 255;
                        sum[c][2] += v & 255;
                        n[c]++;
                    }
                }
                List<double[]> means = new ArrayList<>();
                for (int c = 0; c < k; c++) if (n[c] >= 30) means.add(new double[] {sum[c][0] / n[c], sum[c][1] / n[c], sum[c][2] / n[c]});
                if (means.size() < 2) continue;
                double[] mu = new double[3];
                for (double[] m : means) for (int i = 0; i < 3; i++) mu[i] += m[i] / means.size();
                double var = 0;
                for (double[] m : means) for (int i = 0; i < 3; i++) var += (m[i] - mu[i]) * (m[i] - mu[i]) / means.size();
                total += var;
                scenes++;
            }
        }
        return scenes == 0 ? 0 : total / scenes;
    }

    @Test
    void trainedScenesHaveImagesThatFollowTheirLayouts(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Cli.Run t = Cli.run("train", "--stage", "all", "--data", TESTDATA.toString(), "--run", run.toString(),
                "--max-steps", "30", "--sample-every", "1000", "--threads", "2", "--progress", "lines");
        assertEquals(0, t.code(), t.err());
        // The same trained layouts painted by the untrained G_img: the comparison isolates what G_img learned.
        Path initialModel = initialBundle(tmp.resolve("initial")), untrained = tmp.resolve("untrained");
        Files.createDirectories(untrained);
        for (String f : List.of("model.json", "seg_generator.onnx")) Files.copy(run.resolve("model").resolve(f), untrained.resolve(f));
        Files.copy(initialModel.resolve("image_generator.onnx"), untrained.resolve("image_generator.onnx"));
        Path outT = tmp.resolve("trained-out"), outU = tmp.resolve("untrained-out");
        Cli.Run g1 = Cli.run("generate", "--model", run.resolve("model").toString(), "--count", "16", "--out", outT.toString());
        Cli.Run g2 = Cli.run("generate", "--model", untrained.toString(), "--count", "16", "--out", outU.toString());
        assertEquals(0, g1.code(), g1.err());
        assertEquals(0, g2.code(), g2.err());
        double trained = classColourSpread(outT, 8), initial = classColourSpread(outU, 8);
        System.out.printf("class-region colour spread: trained %.1f, untrained %.1f%n", trained, initial);
        assertNotEquals(0, initial, "the layouts have several classes");
        assertTrue(trained > 3 * initial, "images follow their layouts after training: " + initial + " -> " + trained);
    }
}
