package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sbgan.trainer.train.Export;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.sbgan.runtime.bundle.ModelJson;

/** {@code sbgan-cli export}: a model bundle from a checkpoint of a run. */
@Prototype
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model bundle from a checkpoint of a run folder: model.json, seg_generator.onnx, image_generator.onnx "
                + "and the fused sbgan.onnx (z -> labels, image), the trained weights baked in, usable from any ONNX Runtime "
                + "binding. `train` writes RUN/model/ from its last state; this command takes any checkpoint."})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "The run folder.")
    Path run;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The bundle folder to write (replaced if it exists).")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "NAME", description = "A checkpoint folder name, e.g. step-0000000420 (default: the newest).")
    String checkpoint;

    @Option(names = "--stage", paramLabel = "STAGE", description = "Instead of --checkpoint: the checkpoint kept at the end of a stage "
            + "(seg, spade, e2e), e.g. spade for G_img before end-to-end fine-tuning.")
    String stage;

    @Override
    public Integer call() throws Exception {
        if (checkpoint != null && stage != null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "give --checkpoint or --stage, not both");
        }
        Export.Result r = Export.run(run, checkpoint, stage, out);
        System.out.println("exported " + r.checkpoint().getFileName() + " (step " + r.step() + ", " + r.phase() + ") of " + run + " to " + r.bundle());
        System.out.println("files: " + ModelJson.FILE + ", " + ModelJson.SEG_GENERATOR + ", " + ModelJson.IMAGE_GENERATOR + ", " + ModelJson.FUSED);
        return 0;
    }
}
