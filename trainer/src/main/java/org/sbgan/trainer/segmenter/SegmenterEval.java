package org.sbgan.trainer.segmenter;

import java.io.IOException;
import java.nio.file.Path;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.data.Datasets;
import org.sbgan.trainer.data.FileSampleSource;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.trainer.data.loader.Resize;
import org.sbgan.trainer.data.loader.Transforms;
import org.sbgan.trainer.graphs.SegmenterBundle;
import org.sbgan.trainer.run.SampleGrid;

/**
 * A segmenter scored on labelled pairs ({@code segmenter eval}): every image resized to the segmenter's input size (box
 * filter then bilinear), its label map nearest-resized to the same size, and the predictions counted in a
 * {@link ConfusionMatrix}.
 */
public final class SegmenterEval {
    private SegmenterEval() {}

    /** Images {@code [n, 3, H, W]} in [−1, 1] and label maps {@code [n, H, W]} of a split, at one size. */
    public record Pairs(int n, int height, int width, float[] images, int[] labels, String describe) {}

    /** The result: the confusion matrix and what it was computed on. */
    public record Result(ConfusionMatrix confusion, int samples, String data) {}

    /** Opens a split of a labelled dataset in the segmenter's label space; errors name the folder or file. */
    public static FileSampleSource open(Path root, DataFormat format, String split, LabelSpace space) throws IOException {
        if (!format.hasLabels()) throw new IllegalArgumentException("data format " + format.id() + " has no label maps; a segmenter needs labelled pairs");
        return format.open(root, split, space, Datasets.Content.PAIRED, BadSamplePolicy.FAIL);
    }

    /** The label space a bundle names, checked against its class names. */
    public static LabelSpace space(SegmenterBundle b) throws IOException {
        LabelSpace s = LabelSpaces.resolve(b.labelSpace().isEmpty() ? null : b.labelSpace(), b.config().numClasses());
        if (!s.classNames().equals(b.classNames())) {
            throw new IllegalArgumentException(b.dir().resolve(SegmenterBundle.META) + ": label space " + b.labelSpace() + " has classes "
                    + s.classNames() + ", the segmenter " + b.classNames());
        }
        return s;
    }

    /** Every sample of {@code src} at {@code height×width}. */
    public static Pairs load(SampleSource src, int height, int width) throws IOException {
        int n = src.size(), plane = height * width;
        float[] images = new float[n * 3 * plane];
        int[] labels = new int[n * plane];
        for (int i = 0; i < n; i++) {
            Sample s = src.load(i);
            System.arraycopy(Resize.image(s, height, width), 0, images, i * 3 * plane, 3 * plane);
            System.arraycopy(Transforms.resizeNearest(s.classes(), s.height(), s.width(), height, width), 0, labels, i * plane, plane);
        }
        return new Pairs(n, height, width, images, labels, src.describe());
    }

    /** Scores an open segmenter on pairs. */
    public static Result score(SegmenterModel m, Pairs p) {
        return new Result(m.score(p.images(), p.n(), p.height(), p.width(), p.labels(), p.height(), p.width()), p.n(), p.describe());
    }

    /** Scores a segmenter on a split of a dataset. */
    public static Result run(Path model, Path root, DataFormat format, String split, int threads) throws IOException {
        return run(model, root, format, split, threads, null, 0);
    }

    /**
     * Scores a segmenter on a split of a dataset; with {@code samples}, also writes a PNG of the first {@code count} pairs:
     * image, true label map, prediction (zoom 2, the label space's colours).
     */
    public static Result run(Path model, Path root, DataFormat format, String split, int threads, Path samples, int count) throws IOException {
        try (SegmenterModel m = SegmenterModel.open(model, threads)) {
            LabelSpace space = space(m.bundle());
            FileSampleSource src = open(root, format, split, space);
            if (src.size() < 1) throw new IllegalArgumentException(src.describe() + ": no samples to score");
            Pairs p = load(src, m.config().height(), m.config().width());
            SegmenterModel.Prediction pred = m.predict(p.images(), p.n(), p.height(), p.width(), false);
            if (samples != null && count > 0) {
                int n = Math.min(count, p.n()), plane = p.height() * p.width();
                Images.writeRgb(samples, SampleGrid.segmentations(java.util.Arrays.copyOf(p.images(), n * 3 * plane),
                        java.util.Arrays.copyOf(p.labels(), n * plane), java.util.Arrays.copyOf(pred.labels(), n * plane), n, p.height(), p.width(),
                        space.palette(), 4, 2));
            }
            return new Result(m.confusion(pred, p.labels(), p.height(), p.width(), 0), p.n(), p.describe());
        }
    }
}
