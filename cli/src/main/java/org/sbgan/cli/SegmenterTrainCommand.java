package org.sbgan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.context.annotation.Prototype;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSampleException;
import org.sbgan.trainer.data.CheckedSplits;
import org.sbgan.trainer.data.ClassWeights;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.trainer.segmenter.SegmenterEval;
import org.sbgan.trainer.segmenter.SegmenterTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sbgan-cli segmenter train}: a U-Net on a labelled split, with checkpoints and resume; scored on the val split at the end. */
@Prototype
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the segmenter (a compact U-Net, per-pixel cross-entropy, Adam) on a labelled split.",
                "Writes OUT/model/ (segmenter.onnx + segmenter.json), OUT/checkpoints/ and OUT/metrics.jsonl, then scores the model "
                        + "on the --val-split when the dataset has one."})
public final class SegmenterTrainCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "SEG", description = "Run folder of the segmenter (its bundle goes to SEG/model/).")
    Path out;

    @Option(names = "--resume", description = "Continue SEG from its latest checkpoint with the options it was started with.")
    boolean resume;

    @Mixin
    SharedOptions.Dataset dataset;

    @Option(names = "--split", defaultValue = "train", description = "Split to train on (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--val-split", defaultValue = "val", paramLabel = "SPLIT",
            description = "Split scored after training; skipped with a note when absent; 'none' to skip (default: ${DEFAULT-VALUE}).")
    String valSplit;

    @Mixin
    SharedOptions.SegmenterShape shape;

    @Option(names = "--iterations", defaultValue = "600", paramLabel = "N", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", paramLabel = "LR", description = "Adam learning rate, constant then linearly to 0 over the second half (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--class-weights", defaultValue = "none", paramLabel = "none|balanced|CLASS=W,...",
            description = "Loss weights per class: none, balanced (median-frequency balancing, clipped to [0.1, 10]), or weights by class name, "
                    + "the others 1 (e.g. human=3) (default: ${DEFAULT-VALUE}).")
    ClassWeights classWeights;

    @Option(names = "--checkpoint-every", defaultValue = "200", paramLabel = "N", description = "Iterations between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Mixin
    SharedOptions.Seed seed;

    @Mixin
    SharedOptions.Threads threads;

    @Mixin
    SharedOptions.Progress progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SegmenterTraining.Options o;
        if (resume) {
            o = SegmenterTraining.savedOptions(out);
        } else {
            int[] hw = shape.heightWidth();
            try {
                o = new SegmenterTraining.Options(hw[0], hw[1], shape.base, shape.depth, batch, iterations, lr, classWeights, seed.value, checkpointEvery);
                o.network(2); // checks the size against the depth
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        if (!resume) SegmenterTraining.refuseExisting(out);
        if (dataset.dataFormat == null) dataset.dataFormat = dataset.detectLabelled(spec, "a segmenter", "");
        PrintStream err = System.err;
        // without --labels: ADE20K's 150 classes for ADE20K data, else the 8 Cityscapes categories (the presets' defaults)
        LabelSpace space = LabelSpaces.resolve(dataset.labels, dataset.dataFormat == DataFormat.ADE20K ? 150 : 8);
        SampleSource data = CheckedSplits.labelled(dataset.data, dataset.dataFormat, split, space, dataset.onBadSample, dataset.cacheMb, err::println);
        ObjectNode provenance = new ObjectMapper().createObjectNode().put("data", dataset.data.toAbsolutePath().normalize().toString())
                .put("format", dataset.dataFormat.id()).put("split", split);
        err.printf(Locale.ROOT, "segmenter: %s, %d samples, label space %s (K = %d), %d×%d, U-Net base %d depth %d, %d iterations of batch %d%n",
                data.describe(), data.size(), space.name(), space.numClasses(), o.height(), o.width(), o.base(), o.depth(), o.iterations(), o.batch());
        int t = threads.orCores();
        SegmenterTraining.Result r;
        try (ProgressOutput shown = new ProgressOutput(err, progress.bar(), "segmenter", null, false)) {
            r = SegmenterTraining.train(data, space, o, out, resume, provenance, t, listener(shown));
        }
        PrintStream so = System.out;
        so.printf(Locale.ROOT, "trained the segmenter: %d iterations in %s; last batch loss %.4f, pixel accuracy %.4f%n", r.ran(),
                TrainCommand.duration(r.seconds()), r.loss(), r.pixelAccuracy());
        so.println("model: " + r.bundle().dir() + "  (sbgan-cli segmenter eval --model " + out + ")");
        if (!valSplit.equalsIgnoreCase("none")) {
            try {
                SegmenterEval.Result e = SegmenterEval.run(out, dataset.data, dataset.dataFormat, valSplit, t);
                so.print(SegmenterEvalCommand.table(e, r.bundle().classNames()));
            } catch (BadSampleException e) {
                if (!e.problem().equals("no such directory")) throw e;
                err.println("note: no split '" + valSplit + "' to score the segmenter on (" + e.getMessage() + ")");
            }
        }
        return 0;
    }

    /** Segmenter training's progress: iteration, loss, batch pixel accuracy, step time. */
    static SegmenterTraining.Listener listener(ProgressOutput shown) {
        return new SegmenterTraining.Listener() {
            @Override
            public void message(String line) {
                shown.message(line);
            }

            @Override
            public void stepped(long it, long total, float loss, float acc, double ms) {
                String extra = String.format(Locale.ROOT, "loss %.4f acc %.3f %.0f ms/step", loss, acc, ms);
                shown.step(it, total, extra, it == total, () -> String.format(Locale.ROOT, "[%5.1f%%] iteration %d/%d | %s", 100.0 * it / total, it, total, extra));
            }
        };
    }
}
