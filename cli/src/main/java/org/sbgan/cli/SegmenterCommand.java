package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Parent of the segmenter commands: a U-Net trained and scored by sbgan itself, for evaluations that need no downloads. */
@Prototype
@Command(name = "segmenter", mixinStandardHelpOptions = true, subcommands = {SegmenterTrainCommand.class, SegmenterEvalCommand.class},
        description = "Train a semantic segmentation network on labelled pairs, and score one (mIoU, pixel accuracy, per-class IoU).")
public final class SegmenterCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
