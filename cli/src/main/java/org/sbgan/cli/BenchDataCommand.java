package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.BadSampleReport;
import org.sbgan.trainer.data.CachedSampleSource;
import org.sbgan.trainer.data.Datasets;
import org.sbgan.trainer.data.FileSampleSource;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.cli.bench.DataBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

/** Times the data path (transforms + one-hot + batching on a background thread) for a preset's batch shape. */
@Prototype
@Command(name = "data", mixinStandardHelpOptions = true,
        description = {"Time the training data path: a BatchLoader preparing batches (short-side resize, joint flip, "
                + "crop, [-1,1] images, one-hot labels) into direct buffers ahead of a consumer that copies each into "
                + "step-input buffers. Data shapes follow docs/METHOD.md §4 (G_seg's top resolution, K = 8 Cityscapes "
                + "categories): tiny = 32x64, small = 64x128, batch 16. Without --data the samples are synthesized in "
                + "memory (label maps + images at --source-size), so the bench measures transforms and batching, "
                + "not decoding. Prints batches/s and median ms/batch against a 2.4-GFLOP conv forward "
                + "(docs/BENCHMARKS.md)."})
public final class BenchDataCommand implements Callable<Integer> {
    /** The data shapes of the presets (docs/METHOD.md §4): G_seg's top resolution, K = 8 categories, batch 16. */
    enum Preset {
        TINY(32, 64, 8, 16), SMALL(64, 128, 8, 16);

        final int height, width, numClasses, batchSize;

        Preset(int height, int width, int numClasses, int batchSize) {
            this.height = height;
            this.width = width;
            this.numClasses = numClasses;
            this.batchSize = batchSize;
        }
    }

    @Mixin
    SharedOptions.PresetName preset;

    @Option(names = "--batches", defaultValue = "200", description = "Timed batches (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--warmup", defaultValue = "30", description = "Untimed batches first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--workers", defaultValue = "1", description = "Threads preparing the samples of a batch (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--prefetch", defaultValue = "3", description = "Batches prepared ahead (default: ${DEFAULT-VALUE}).")
    int prefetch;

    @Option(names = "--samples", defaultValue = "200", description = "Synthetic samples held in memory (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--source-size", defaultValue = "256x512", description = "Size HxW of the synthetic samples (default: ${DEFAULT-VALUE}).")
    String sourceSize;

    @Mixin
    SharedOptions.Seed seed;

    @Option(names = "--data", description = "A Cityscapes-layout folder (leftImg8bit/, gtFine/) to read instead of synthetic samples.")
    Path data;

    @Option(names = "--cache-mb", defaultValue = "1024",
            description = "With --data: keep up to this many MB of decoded samples in memory, so later epochs skip decoding; 0 = off (default: ${DEFAULT-VALUE}).")
    long cacheMb;

    @Option(names = "--on-bad-sample", defaultValue = "fail",
            description = "With --data: fail (stop at the first bad sample, naming the file) or skip (go on, list skipped files) (default: ${DEFAULT-VALUE}).")
    BadSamplePolicy onBadSample;

    @Mixin
    SharedOptions.Json json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Preset p;
        try {
            p = Preset.valueOf(preset.value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--preset must be tiny or small, not '" + preset.value + "'");
        }
        if (batches < 1 || warmup < 0 || workers < 1 || prefetch < 1 || samples < p.batchSize) {
            throw new ParameterException(spec.commandLine(), "--batches, --workers and --prefetch must be at least 1, --warmup at least 0, "
                    + "--samples at least the batch size " + p.batchSize);
        }
        SampleSource source;
        if (data != null) {
            if (!Files.isDirectory(data)) throw new ParameterException(spec.commandLine(), "--data " + data + " is not a folder");
            source = openDataset(data, p);
        } else {
            String[] hw = sourceSize.toLowerCase(Locale.ROOT).split("x");
            int sh, sw;
            try {
                if (hw.length != 2) throw new NumberFormatException();
                sh = Integer.parseInt(hw[0].trim());
                sw = Integer.parseInt(hw[1].trim());
                if (sh < 1 || sw < 1) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--source-size must be HxW with positive integers, not '" + sourceSize + "'");
            }
            System.err.printf(Locale.ROOT, "synthesizing %d samples of %dx%d in memory%n", samples, sh, sw);
            source = DataBench.synthetic(samples, sh, sw, p.numClasses, seed.value);
        }
        DataBench.Options opt = new DataBench.Options(preset.value.toLowerCase(Locale.ROOT), p.height, p.width, p.numClasses, p.batchSize,
                warmup, batches, workers, prefetch, seed.value);
        DataBench.Result r = DataBench.run(source, opt, System.err::println);
        System.out.print(DataBench.table(r));
        if (json.value) System.out.println(DataBench.json(r));
        return 0;
    }

    /**
     * The train split of a Cityscapes-layout folder read with the 8 Cityscapes categories (the K the tiny and
     * small presets use). Every sample is decoded once up front: with {@code --on-bad-sample fail} the first bad
     * one stops the bench with one line naming the file; with {@code skip} the skipped files are listed.
     */
    SampleSource openDataset(Path dir, Preset p) throws IOException {
        FileSampleSource src = Datasets.cityscapes(dir, "train", LabelSpaces.cityscapesCategories(), Datasets.Content.PAIRED, onBadSample);
        if (src.labelSpace().numClasses() != p.numClasses) {
            throw new IllegalStateException("preset " + preset.value + " expects K=" + p.numClasses + ", the dataset's label space has " + src.labelSpace().numClasses());
        }
        int good = src.validate();
        BadSampleReport report = src.report();
        if (report.count() > 0) {
            System.err.println(report.summary());
            report.lines().forEach(l -> System.err.println("  " + l));
        }
        System.err.printf(Locale.ROOT, "reading %s: %d good samples%n", src.describe(), good);
        return cacheMb > 0 ? new CachedSampleSource(src, cacheMb << 20) : src;
    }
}
