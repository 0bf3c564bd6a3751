package org.sbgan.trainer.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSampleReport;
import org.sbgan.trainer.data.CheckedSplits;
import org.sbgan.trainer.data.Datasets;
import org.sbgan.trainer.data.FileSampleSource;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;

/**
 * The data of a run: the labelled training split (label maps with images), and the images D2's real side draws
 * from — the labelled images plus, with {@code --unlabeled-images}, images that have no label map (docs/METHOD.md §3).
 */
public final class TrainData {
    private final LabelSpace space;
    private final FileSampleSource labelledFiles;
    private final SampleSource labelled;
    private final SampleSource d2Images;
    private final FileSampleSource unlabeledFiles;

    private TrainData(LabelSpace space, FileSampleSource labelledFiles, SampleSource labelled, FileSampleSource unlabeledFiles,
            SampleSource d2Images) {
        this.space = space;
        this.labelledFiles = labelledFiles;
        this.labelled = labelled;
        this.unlabeledFiles = unlabeledFiles;
        this.d2Images = d2Images;
    }

    /**
     * Opens the training split named by the config and decodes every sample once, before anything is built or
     * written: with {@code --on-bad-sample fail} the first bad sample stops it (one line, file and problem); with
     * {@code skip} the bad ones are listed on {@code log} and left out. What the cache budget allows stays decoded.
     */
    public static TrainData open(TrainConfig cfg, Consumer<String> log) throws IOException {
        int k = cfg.presetRecord().numClasses();
        LabelSpace space = LabelSpaces.resolve(cfg.labels(), k);
        if (space.numClasses() != k) {
            throw new IllegalArgumentException("label space " + space.name() + " has " + space.numClasses() + " classes, preset "
                    + cfg.preset() + " needs K = " + k);
        }
        long budget = cfg.cacheMb() << 20;
        FileSampleSource.Validated v = CheckedSplits.validatedLabelled(Path.of(cfg.data()), cfg.dataFormat(), "train", space, cfg.onBadSample(), budget, log);
        SampleSource labelled = CheckedSplits.cached(v, budget);
        FileSampleSource extra = null;
        SampleSource d2 = labelled;
        if (cfg.unlabeledImages() != null) {
            FileSampleSource.Validated u = CheckedSplits.validated(Datasets.imageFolder(Path.of(cfg.unlabeledImages()), cfg.onBadSample()), budget, log);
            extra = u.good();
            d2 = concat(labelled, CheckedSplits.cached(u, budget));
        }
        return new TrainData(space, v.good(), labelled, extra, d2);
    }

    private static SampleSource concat(SampleSource a, SampleSource b) {
        return new SampleSource() {
            @Override
            public int size() {
                return a.size() + b.size();
            }

            @Override
            public String describe() {
                return a.describe() + " + " + b.describe();
            }

            @Override
            public Sample load(int index) throws IOException {
                return index < a.size() ? a.load(index) : b.load(index - a.size());
            }
        };
    }

    public LabelSpace labelSpace() {
        return space;
    }

    public SampleSource labelled() {
        return labelled;
    }

    public SampleSource d2Images() {
        return d2Images;
    }

    public boolean hasUnlabeled() {
        return unlabeledFiles != null;
    }

    /** Bad samples skipped so far (with {@code --on-bad-sample skip}), for the run log; empty string if none. */
    public String badSampleSummary() {
        StringBuilder sb = new StringBuilder();
        append(sb, labelledFiles.report());
        if (unlabeledFiles != null) append(sb, unlabeledFiles.report());
        return sb.toString();
    }

    private static void append(StringBuilder sb, BadSampleReport r) {
        if (r.count() == 0) return;
        if (sb.length() > 0) sb.append('\n');
        sb.append(r.summary());
    }

    public String describe() {
        return labelled.describe() + (unlabeledFiles != null ? " + " + unlabeledFiles.describe() : "");
    }
}
