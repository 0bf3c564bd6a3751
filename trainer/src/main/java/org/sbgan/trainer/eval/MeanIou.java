package org.sbgan.trainer.eval;

import java.util.List;
import java.util.Set;
import org.sbgan.trainer.segmenter.ConfusionMatrix;
import org.sbgan.trainer.segmenter.SegmenterModel;

/**
 * Layout→image consistency: a trained segmenter ({@code --segmenter SEG}) applied to the generated images, its label maps
 * compared with the layouts they were generated from — the scenes' own label maps (uncond), or the real val layouts that
 * G_img rendered (cond, the paper's Table 2 setting). Beside it, the same predictions against a <em>different</em> scene's
 * layout (scene i against layout i + 1): the score an image earns without showing its own layout, from the class
 * statistics alone; the gap between the two is what the images show of their layouts. And the segmenter on the real
 * images against their own maps: the ceiling that a perfect generator would reach with this segmenter.
 */
final class MeanIou implements Metric {
    static final String ID = "miou";
    /** Keys: mIoU against the own layouts, against mismatched ones, pixel accuracy; per class under {@link #classKey}. */
    static final String MIOU = "miou", MIOU_MISMATCHED = "miou_mismatched", MIOU_REAL = "miou_real", PIXEL_ACCURACY = "miou_pixel_accuracy";

    static String classKey(String className) {
        return "iou/" + className;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<Evaluation.Mode> modes() {
        return Set.of(Evaluation.Mode.UNCOND, Evaluation.Mode.COND);
    }

    @Override
    public List<String> keys() {
        return List.of(MIOU, MIOU_MISMATCHED, MIOU_REAL, PIXEL_ACCURACY);
    }

    @Override
    public String title(String key, boolean builtin) {
        return switch (key) {
            case MIOU -> "mIoU of the images against their layouts";
            case MIOU_MISMATCHED -> "mIoU against another scene's layout (control)";
            case MIOU_REAL -> "mIoU of real images vs their maps (ceiling)";
            case PIXEL_ACCURACY -> "pixel accuracy against their layouts";
            default -> key;
        };
    }

    @Override
    public void compute(Data in, Values out) {
        int[] layouts = in.options.mode() == Evaluation.Mode.COND ? in.realLabels : in.fakeLabels;
        try (SegmenterModel m = SegmenterModel.open(in.options.segmenter(), in.options.threads())) {
            if (!m.bundle().classNames().equals(in.space.classNames())) {
                throw new IllegalArgumentException(m.bundle().dir() + ": the segmenter's classes " + m.bundle().classNames() + " are not the model's "
                        + in.space.classNames());
            }
            in.progress.accept("segmenting " + in.fakeN + " generated images with " + m.bundle().dir());
            SegmenterModel.Prediction p = m.predict(in.fakeImages, in.fakeN, in.height, in.width, false);
            ConfusionMatrix own = m.confusion(p, layouts, in.height, in.width, 0);
            ConfusionMatrix other = m.confusion(p, layouts, in.height, in.width, 1);
            out.scalars.put(MIOU, own.meanIou());
            out.scalars.put(MIOU_MISMATCHED, other.meanIou());
            SegmenterModel.Prediction real = m.predict(in.realImages, in.realN, in.height, in.width, false);
            out.scalars.put(MIOU_REAL, m.confusion(real, in.realLabels, in.height, in.width, 0).meanIou());
            out.scalars.put(PIXEL_ACCURACY, own.pixelAccuracy());
            for (int c = 0; c < own.numClasses(); c++) out.scalars.put(classKey(in.space.className(c)), own.iou(c));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
