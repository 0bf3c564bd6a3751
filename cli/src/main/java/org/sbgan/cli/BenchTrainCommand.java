package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sbgan.cli.bench.TrainBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import org.sbgan.graphs.models.TrainingStage;

/** Times one SB-GAN stage's training iteration (G step, then D step) on ONNX Runtime. */
@Prototype
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Time the training iteration of one SB-GAN stage: its G step, then its D step, the step graphs "
                + "built in memory for the preset (seg: the layout GAN at G_seg's top level; spade; e2e: end-to-end "
                + "fine-tuning) and run by the StepRunner on one state store, with batch and noise inputs filled once "
                + "with synthetic data. Prints the median and p10/p90 iteration time, images/s, achieved GFLOP/s "
                + "(the step manifests' FLOP counts), peak RSS and the state bytes that cross host<->device per "
                + "iteration on CUDA; progress goes to stderr (results: docs/BENCHMARKS.md)."})
public final class BenchTrainCommand implements Callable<Integer> {
    @Mixin
    SharedOptions.PresetName preset;

    @Option(names = "--stage", required = true, description = "Stage whose G/D step pair is timed: seg (the top level), spade, e2e or progan_rgb.")
    TrainingStage stage;

    @Option(names = "--steps", defaultValue = "20", description = "Timed iterations (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed iterations first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    SharedOptions.Threads threads;

    @Mixin
    SharedOptions.OnDevice device;

    @Mixin
    SharedOptions.Seed seed;

    @Option(names = "--profile", paramLabel = "PREFIX",
            description = "Write ONNX Runtime's per-node JSON profile of each session to PREFIX_<stage>_<g|d>_<time>.json.")
    Path profile;

    @Mixin
    SharedOptions.Json json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--steps must be at least 1, --warmup at least 0");
        }
        TrainBench.Options opt = new TrainBench.Options(preset.id(), stage, warmup, steps, threads.or(2), device.value, seed.value, profile);
        TrainBench.Result r = TrainBench.run(opt, System.err::println);
        System.out.print(TrainBench.table(r));
        if (json.value) System.out.println(TrainBench.json(r));
        return 0;
    }
}
