package org.sbgan.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.sbgan.runtime.labels.LabelSpace;

/**
 * Dataset splits opened for training: every sample decoded once and checked before anything is trained. With
 * {@link BadSamplePolicy#FAIL} the first bad sample stops it (one line, file and problem); with {@link BadSamplePolicy#SKIP}
 * the bad ones are listed on the log and left out. What the cache budget allows stays decoded.
 */
public final class CheckedSplits {
    private CheckedSplits() {}

    /** A labelled split (images with label maps) as a sample source, cached up to {@code cacheMb}. */
    public static SampleSource labelled(Path root, DataFormat format, String split, LabelSpace space, BadSamplePolicy policy, long cacheMb,
            Consumer<String> log) throws IOException {
        long budget = cacheMb << 20;
        FileSampleSource.Validated v = validatedLabelled(root, format, split, space, policy, budget, log);
        return cached(v, budget);
    }

    /** A labelled split, checked; what {@code budget} bytes allow stays decoded in the result. */
    public static FileSampleSource.Validated validatedLabelled(Path root, DataFormat format, String split, LabelSpace space, BadSamplePolicy policy,
            long budget, Consumer<String> log) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": no such dataset folder");
        return validated(format.open(root, split, space, Datasets.Content.PAIRED, policy), budget, log);
    }

    /** Checks every sample of {@code src}; the skipped ones are listed on {@code log}. */
    public static FileSampleSource.Validated validated(FileSampleSource src, long budget, Consumer<String> log) throws IOException {
        FileSampleSource.Validated v = src.validate(budget, log);
        BadSampleReport r = src.report();
        if (r.count() > 0) {
            log.accept(src.describe() + ": " + r.summary() + ", training on the other " + v.good().size() + ":");
            for (String line : r.lines()) log.accept("  " + line);
        }
        return v;
    }

    /** The checked samples, the decoded ones served from memory when there is a budget. */
    public static SampleSource cached(FileSampleSource.Validated v, long budget) {
        return budget > 0 ? new CachedSampleSource(v.good(), budget, v.decoded()) : v.good();
    }
}
