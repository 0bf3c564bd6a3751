package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sbgan.trainer.data.synth.StreetSceneGenerator;
import org.sbgan.trainer.data.synth.SyntheticCityscapes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

/** Writes a synthetic Cityscapes-layout dataset of procedural street scenes (docs/SYNTHETIC-DATA.md). */
@Prototype
@Command(name = "synth-data", mixinStandardHelpOptions = true,
        description = "Generate procedural street scenes as a Cityscapes-layout tree: leftImg8bit/<split>/<city>/*_leftImg8bit.png, "
                + "gtFine/<split>/<city>/*_gtFine_labelIds.png (real Cityscapes ids) and *_gtFine_color.png. "
                + "Deterministic per --seed; scene i is the same in every run with that seed.")
public final class SynthDataCommand implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "300", description = "Number of scenes (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--size", defaultValue = "64x128", paramLabel = "HxW", description = "Scene size, height x width (default: ${DEFAULT-VALUE}).")
    String size;

    @Mixin
    SharedOptions.Seed seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Root of the Cityscapes tree to write (created if missing).")
    Path out;

    @Option(names = "--val-fraction", defaultValue = "0.2", description = "Share of the scenes (the last ones) written to the val split, "
            + "the rest to train (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--split", paramLabel = "NAME", description = "Write every scene into this one split instead (e.g. train, val, test).")
    String split;

    @Option(names = "--no-color", description = "Skip the *_gtFine_color.png previews.")
    boolean noColor;

    @Option(names = "--contact-sheet", paramLabel = "FILE", description = "Also write a PNG grid of the first 8 scenes "
            + "(image above colour labels, enlarged 2x).")
    Path contactSheet;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int[] hw = parseSize(size);
        if (count < 1) throw new ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
        if (!(valFraction >= 0 && valFraction <= 1)) throw new ParameterException(spec.commandLine(), "--val-fraction must be in [0, 1], got " + valFraction);
        if (split != null && !split.matches("[a-z][a-z0-9_]*")) {
            throw new ParameterException(spec.commandLine(), "--split must be a lower-case name like train or val, got '" + split + "'");
        }
        StreetSceneGenerator gen = new StreetSceneGenerator(hw[1], hw[0], seed.value);
        long t0 = System.nanoTime();
        int step = Math.max(1, count / 10);
        SyntheticCityscapes.Summary s = SyntheticCityscapes.write(out, gen, count, valFraction, split, !noColor, n -> {
            if (!quiet && (n % step == 0 || n == count)) System.out.printf("wrote %d/%d scenes%n", n, count);
        });
        if (contactSheet != null) {
            SyntheticCityscapes.contactSheet(contactSheet, gen, 8, 2);
            if (!quiet) System.out.println("contact sheet: " + contactSheet);
        }
        if (!quiet) {
            System.out.printf("%d scenes (%d train, %d val%s) of %dx%d in %s, seed %d, %.1f s%n", count, s.train(), s.val(),
                    s.other() > 0 ? ", " + s.other() + " " + split : "", hw[0], hw[1], out, seed.value, (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    private int[] parseSize(String s) {
        String[] parts = s.trim().toLowerCase(java.util.Locale.ROOT).split("[x×]");
        try {
            if (parts.length == 2) {
                int h = Integer.parseInt(parts[0].trim()), w = Integer.parseInt(parts[1].trim());
                if (h >= 8 && w >= 16 && h <= 4096 && w <= 4096) return new int[] {h, w};
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new ParameterException(spec.commandLine(), "--size must be HxW with H in 8..4096 and W in 16..4096 (e.g. 64x128), got '" + s + "'");
    }
}
