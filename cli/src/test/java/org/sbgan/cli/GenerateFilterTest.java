package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.Classes;
import org.sbgan.runtime.bundle.ModelBundle;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.LabelRaster;
import org.sbgan.runtime.image.RgbImage;
import org.sbgan.runtime.write.ContactSheet;
import org.sbgan.runtime.write.SceneWriter;

/** {@code generate --min-class-pixels}: a subset of the candidate indices, each scene the unfiltered run's. */
class GenerateFilterTest {
    private static final int N = 12;

    private static String[] filtered(Path model, Path out, String... more) {
        List<String> a = GenerateCommandTest.args(model, out, String.valueOf(N));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void keptScenesAreExactlyThoseMeetingTheRuleWithTheUnfilteredFiles(@TempDir Path tmp) throws Exception {
        Path model = GenerateCommandTest.initialBundle(tmp.resolve("model")), all = tmp.resolve("all");
        assertEquals(0, Cli.run(filtered(model, all)).code());
        Classes classes = ModelBundle.read(model).classes();
        int k = classes.count();

        // Pixels per class of each unfiltered scene, read back from its labelIds PNG.
        SceneWriter whole = SceneWriter.cityscapes(all);
        long[][] px = new long[N][k];
        long pixels = 0;
        for (int i = 0; i < N; i++) {
            LabelRaster r = Images.readLabels(whole.files(i).get(1));
            pixels = r.values().length;
            for (int v : r.values()) for (int c = 0; c < k; c++) if (v == classes.labelId(c)) px[i][c]++;
        }
        // The class whose share varies most; the threshold halfway between two of its counts near the median.
        int c = 0;
        for (int j = 1; j < k; j++) if (spread(px, j) > spread(px, c)) c = j;
        final int cls = c;
        long[] sorted = LongStream.range(0, N).map(i -> px[(int) i][cls]).sorted().toArray();
        int split = -1;
        for (int j = 1; j < N; j++) if (sorted[j - 1] < sorted[j] && (split < 0 || Math.abs(j - N / 2) < Math.abs(split - N / 2))) split = j;
        assertTrue(split > 0, "the scenes differ in " + classes.name(cls) + ": " + java.util.Arrays.toString(sorted));
        double threshold = (sorted[split - 1] + sorted[split]) / 2.0;
        List<Long> expected = LongStream.range(0, N).filter(i -> px[(int) i][cls] > threshold).boxed().toList();
        assertFalse(expected.isEmpty());
        assertTrue(expected.size() < N);

        String spec = classes.name(cls).toUpperCase(Locale.ROOT) + "=" + threshold / pixels;
        Path kept = tmp.resolve("kept");
        Cli.Run r = Cli.run(filtered(model, kept, "--min-class-pixels", spec));
        assertEquals(0, r.code(), r.err());
        String rate = String.format(Locale.ROOT, "kept %d of %d scenes (%.1f %%) with %s ≥ ", expected.size(), N, 100.0 * expected.size() / N, classes.name(cls));
        assertTrue(r.out().contains(rate), r.out());
        assertTrue(r.out().startsWith(N + " candidate scenes in " + kept + " (cityscapes format): " + expected.size() + " generated in "), r.out());

        SceneWriter w = SceneWriter.cityscapes(kept);
        assertEquals(expected, LongStream.range(0, N).filter(w::isComplete).boxed().toList(), "kept: the scenes with enough " + classes.name(cls));
        List<Path> wanted = new ArrayList<>(List.of(Path.of("contact_sheet.png")));
        for (long i : expected) for (Path f : w.files(i)) wanted.add(kept.relativize(f));
        assertEquals(wanted.stream().sorted().toList(), GenerateShardTest.files(kept), "the kept scenes' files and the contact sheet, nothing else");
        for (long i : expected) {
            for (int f = 0; f < 3; f++) assertArrayEquals(Files.readAllBytes(whole.files(i).get(f)), Files.readAllBytes(w.files(i).get(f)), "scene " + i);
        }
        // The contact sheet: the first 16 kept scenes (all of them here).
        List<RgbImage> images = new ArrayList<>(), colours = new ArrayList<>();
        for (long i : expected) {
            images.add(Images.readRgb(whole.files(i).get(0)));
            colours.add(Images.readRgb(whole.files(i).get(2)));
        }
        assertArrayEquals(ContactSheet.of(images, colours, 4, 1).rgb(), Images.readRgb(kept.resolve("contact_sheet.png")).rgb());

        // A rerun counts finished scenes as kept and examines only the rejected candidates again.
        Cli.Run again = Cli.run(filtered(model, kept, "--min-class-pixels", spec));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains(rate), again.out());
        assertTrue(again.out().contains(": 0 generated in "), again.out());
        assertTrue(again.err().contains("found " + expected.size() + " finished scenes in " + kept + "; examining the other " + (N - expected.size())
                + " candidates"), again.err());

        // Filtering composes with sharding: the shards keep the same scenes.
        Path shards = tmp.resolve("shards");
        for (String s : List.of("0/2", "1/2")) assertEquals(0, Cli.run(filtered(model, shards, "--shard", s, "--min-class-pixels", spec)).code());
        GenerateShardTest.assertSameFiles(kept, shards);

        // A rule no candidate meets: nothing written, no contact sheet, and that is said.
        int rare = 0;
        for (int j = 1; j < k; j++) if (max(px, j) < max(px, rare)) rare = j;
        assertTrue(max(px, rare) < pixels);
        Path none = tmp.resolve("none");
        Cli.Run nr = Cli.run(filtered(model, none, "--min-class-pixels", classes.name(rare) + "=" + (max(px, rare) + 0.5) / pixels));
        assertEquals(0, nr.code(), nr.err());
        assertTrue(nr.out().contains("kept 0 of 12 scenes (0.0 %) with " + classes.name(rare) + " ≥ "), nr.out());
        assertTrue(nr.out().contains("no contact sheet: no scene of 0..11 has " + classes.name(rare) + " ≥ "), nr.out());
        assertEquals(List.of(), GenerateShardTest.files(none));
    }

    private static long spread(long[][] px, int c) {
        long lo = Long.MAX_VALUE, hi = 0;
        for (long[] p : px) {
            lo = Math.min(lo, p[c]);
            hi = Math.max(hi, p[c]);
        }
        return hi - lo;
    }

    private static long max(long[][] px, int c) {
        long hi = 0;
        for (long[] p : px) hi = Math.max(hi, p[c]);
        return hi;
    }

    @Test
    void badRulesAreOneLineUsageErrors(@TempDir Path tmp) throws Exception {
        Path model = GenerateCommandTest.initialBundle(tmp.resolve("model")), out = tmp.resolve("out");
        String names = String.join(", ", ModelBundle.read(model).classes().names());
        for (String[] bad : List.of(new String[] {"car=0.1", "'car=0.1': the model has no class 'car' (it has " + names + ")"},
                new String[] {"vehicle=0", "'vehicle=0': FRACTION must be in (0, 1] or a percentage in (0, 100] %, not '0'"},
                new String[] {"vehicle=1.5", "'vehicle=1.5': FRACTION must be in (0, 1] or a percentage in (0, 100] %, not '1.5'"},
                new String[] {"vehicle", "'vehicle' is not CLASS=FRACTION (e.g. vehicle=0.01 or vehicle=1%)"})) {
            Cli.Run r = Cli.run(filtered(model, out, "--min-class-pixels", "flat=1%", "--min-class-pixels", bad[0]));
            assertEquals(2, r.code(), r.err());
            assertEquals(List.of("error: --min-class-pixels " + bad[1], "try 'sbgan-cli generate --help'"), r.err().strip().lines().toList());
        }
        assertFalse(Files.exists(out), "nothing written");
    }
}
