package org.sbgan.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.context.annotation.Prototype;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.graphs.SegmenterBundle;
import org.sbgan.trainer.segmenter.ConfusionMatrix;
import org.sbgan.trainer.segmenter.SegmenterEval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sbgan-cli segmenter eval}: mIoU, pixel accuracy, per-class IoU and the confusion matrix of a segmenter on a labelled split. */
@Prototype
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score a segmenter on a labelled split: mean IoU over the classes that occur, pixel accuracy, per-class IoU, confusion matrix.")
public final class SegmenterEvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SEG", description = "Segmenter: a `segmenter train --out` folder or its model/ folder.")
    Path model;

    @Option(names = "--data", defaultValue = "testdata", paramLabel = "DIR", description = "Dataset folder (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--data-format", description = "cityscapes, ade20k or pairs (default: read off the --data folder).")
    DataFormat dataFormat;

    @Option(names = "--split", defaultValue = "val", description = "Split to score (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the result as JSON.")
    Path outFile;

    @Option(names = "--samples", paramLabel = "FILE.png", description = "Also write a grid of image | true labels | prediction for the first --sample-count pairs.")
    Path samples;

    @Option(names = "--sample-count", defaultValue = "16", paramLabel = "N", description = "Pairs in the --samples grid (default: ${DEFAULT-VALUE}).")
    int sampleCount;

    @Mixin
    SharedOptions.Threads threads;

    @Mixin
    SharedOptions.Json json;

    @Override
    public Integer call() throws Exception {
        DataFormat f = dataFormat != null ? dataFormat : java.nio.file.Files.isDirectory(data) ? DataFormat.detect(data) : DataFormat.CITYSCAPES;
        SegmenterBundle b = SegmenterBundle.read(model);
        SegmenterEval.Result r = SegmenterEval.run(model, data, f, split, threads.orCores(), samples, sampleCount);
        if (samples != null) System.out.println("wrote " + samples);
        System.out.print(table(r, b.classNames()));
        ObjectNode o = r.confusion().toJson(b.classNames());
        o.put("model", b.dir().toString()).put("data", r.data()).put("samples", r.samples());
        if (outFile != null) {
            AtomicFiles.write(outFile, (o.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
            System.out.println("wrote " + outFile);
        }
        if (json.value) System.out.println(o);
        return 0;
    }

    /** mIoU and pixel accuracy, then one row per class. */
    static String table(SegmenterEval.Result r, List<String> classes) {
        ConfusionMatrix c = r.confusion();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "segmenter on %s (%d samples): mIoU %.4f, pixel accuracy %.4f%n", r.data(), r.samples(), c.meanIou(),
                c.pixelAccuracy()));
        for (int k = 0; k < classes.size(); k++) {
            double v = c.iou(k);
            sb.append(String.format(Locale.ROOT, "  %-16s IoU %s%n", classes.get(k), Double.isNaN(v) ? "   -   (absent)" : String.format(Locale.ROOT, "%.4f", v)));
        }
        if (classes.size() <= 20) {
            sb.append("  confusion matrix (rows: true class, columns: predicted; pixels)\n  ").append(String.format(Locale.ROOT, "%-14s", ""));
            for (int p = 0; p < classes.size(); p++) sb.append(String.format(Locale.ROOT, " %9.9s", classes.get(p)));
            sb.append('\n');
            for (int t = 0; t < classes.size(); t++) {
                sb.append(String.format(Locale.ROOT, "  %-14.14s", classes.get(t)));
                for (int p = 0; p < classes.size(); p++) sb.append(String.format(Locale.ROOT, " %9d", c.count(t, p)));
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
