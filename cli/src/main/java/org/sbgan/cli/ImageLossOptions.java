package org.sbgan.cli;

import java.nio.file.Path;
import org.sbgan.trainer.data.ClassWeights;
import picocli.CommandLine.Option;

/**
 * The optional G_img losses beside the spec's hinge + feature matching (a picocli mixin of {@code train} and
 * {@code build-graphs}): the VGG19 perceptual loss and a trained segmenter's cross-entropy.
 */
final class ImageLossOptions {
    @Option(names = "--vgg", paramLabel = "FILE", description = "VGG19 ONNX model (torchvision vgg19().features): adds the VGG19 "
            + "perceptual loss (×10, relu1_1…relu5_1) to the SPADE and e2e G steps (default: off).")
    Path vgg;

    @Option(names = "--segmenter-loss", paramLabel = "SEG", description = "A segmenter trained on the real pairs (segmenter train's run or "
            + "model folder): adds its per-pixel cross-entropy between G_img's image and the layout it was drawn from to the SPADE and "
            + "e2e G steps, so every labelled region must show its class (default: off).")
    Path segmenter;

    @Option(names = "--segmenter-loss-weight", paramLabel = "W", description = "λ of the segmenter loss (default: 1).")
    float weight;

    @Option(names = "--segmenter-loss-classes", paramLabel = "none|balanced", defaultValue = "none",
            description = "Class weights of the segmenter loss: none, or balanced (median frequency of the training pixels) (default: ${DEFAULT-VALUE}).")
    ClassWeights classes;

    /**
     * The files for a graph set built without training data (build-graphs, bench): the segmenter loss with equal class
     * weights; balanced weights need the training pixels, so they are refused here.
     */
    org.sbgan.trainer.graphs.GraphSet.LossFiles lossFilesWithoutData() {
        if (segmenter != null && classes != ClassWeights.NONE) {
            throw new IllegalArgumentException("--segmenter-loss-classes " + classes.id() + " needs the training data's pixel counts; "
                    + "train computes them (here only none)");
        }
        return new org.sbgan.trainer.graphs.GraphSet.LossFiles(vgg, segmenter, weight == 0 ? org.sbgan.graphs.models.SegmenterLoss.LAMBDA : weight, null);
    }

    /** The segmenter option as a run's config records it, or null when off (absolute folder). */
    org.sbgan.trainer.train.TrainConfig.SegmenterLossOption segmenterLoss() {
        return segmenter == null ? null
                : new org.sbgan.trainer.train.TrainConfig.SegmenterLossOption(segmenter.toAbsolutePath().normalize().toString(), weight, classes);
    }
}
