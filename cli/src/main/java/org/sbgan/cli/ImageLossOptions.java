package org.sbgan.cli;

import java.nio.file.Path;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.models.SegmenterLoss;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.ClassWeights;
import org.sbgan.trainer.graphs.GraphSet;
import org.sbgan.trainer.train.TrainConfig.SegmenterLossOption;
import picocli.CommandLine.Option;

/**
 * The optional G_img losses beside the spec's hinge + feature matching (a picocli mixin of {@code train} and
 * {@code build-graphs}): the VGG19 perceptual loss and a trained segmenter's cross-entropy.
 */
final class ImageLossOptions {
    /** Values of --segmenter-loss: off (the released code's losses), and the preset's default (auto for tiny and small). */
    static final String NONE = "none", PRESET = "preset";

    @Option(names = "--vgg", paramLabel = "FILE", description = "VGG19 ONNX model (torchvision vgg19().features): adds the VGG19 "
            + "perceptual loss (×10, relu1_1…relu5_1) to the SPADE and e2e G steps (default: off).")
    Path vgg;

    @Option(names = "--segmenter-loss", paramLabel = "auto|none|SEG", defaultValue = PRESET,
            description = "A segmenter's per-pixel cross-entropy between G_img's image and the layout it was drawn from, added to the SPADE and "
                    + "e2e G steps so every labelled region shows its class: auto (a segmenter the run trains on its own training pairs, "
                    + "into RUN/segmenter, when the SPADE stage starts), none (off, as in the released code), or SEG (segmenter train's run or "
                    + "model folder) (default: auto for tiny and small, none for the paper presets).")
    String segmenter;

    @Option(names = "--segmenter-loss-weight", paramLabel = "W", description = "λ of the segmenter loss (default: 1).")
    float weight;

    @Option(names = "--segmenter-loss-classes", paramLabel = "none|balanced|CLASS=W,...", defaultValue = "none",
            description = "Class weights of the segmenter loss: none, balanced (median frequency of the training pixels), or weights by class "
                    + "name, the others 1 (e.g. human=3) (default: ${DEFAULT-VALUE}).")
    ClassWeights classes;

    /** The segmenter loss a run's config records for preset {@code p}, or null when off (a folder made absolute). */
    SegmenterLossOption segmenterLoss(Preset p) {
        String v = segmenter == null ? PRESET : segmenter;
        if (v.equals(PRESET)) v = SegmenterLossOption.presetDefault(p.name()) ? SegmenterLossOption.OWN : NONE;
        if (v.equals(NONE)) return null;
        String where = v.equals(SegmenterLossOption.OWN) ? v : Path.of(v).toAbsolutePath().normalize().toString();
        return new SegmenterLossOption(where, weight, classes);
    }

    /**
     * The losses of a graph set built without training data (build-graphs), the same as train builds: the segmenter's
     * weights are state that train fills in, so only its shape is needed; balanced class weights need the training
     * pixels, so they are refused here, and weights given by class name read the preset's default label space.
     */
    GraphSet.LossFiles lossFilesWithoutData(Preset p) throws java.io.IOException {
        SegmenterLossOption o = segmenterLoss(p);
        if (o == null) return new GraphSet.LossFiles(vgg, null);
        if (o.classes().balanced()) {
            throw new IllegalArgumentException("--segmenter-loss-classes balanced needs the training data's pixel counts; "
                    + "train computes them (here none or CLASS=W)");
        }
        float[] w = o.classes().of(null, LabelSpaces.resolve(null, p.numClasses()));
        if (o.own()) {
            return new GraphSet.LossFiles(vgg, new SegmenterLoss(SegmenterLoss.ownConfig(p), "the run's own segmenter", o.weight(), w));
        }
        return new GraphSet.LossFiles(vgg, GraphSet.readSegmenterLoss(Path.of(o.segmenter()), p, o.weight(), w));
    }
}
