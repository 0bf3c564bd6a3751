package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sbgan.graphs.models.Preset;
import org.sbgan.trainer.bench.TrainBench;
import org.sbgan.runtime.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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
    @Option(names = "--preset", defaultValue = "tiny",
            description = "Model preset: tiny, small, cityscapes or ade-indoor (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--stage", required = true, description = "Stage whose G/D step pair is timed: seg, spade or e2e.")
    TrainBench.Stage stage;

    @Option(names = "--steps", defaultValue = "20", description = "Timed iterations (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed iterations first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads per session (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu or cuda (cuda needs a jar built with `mvn -Pcuda package`, CUDA 12 and cuDNN 9) (default: ${DEFAULT-VALUE}).")
    Device device;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the parameters and the synthetic inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--profile", paramLabel = "PREFIX",
            description = "Write ONNX Runtime's per-node JSON profile of each session to PREFIX_<stage>_<g|d>_<time>.json.")
    Path profile;

    @Option(names = "--json", description = "After the table, print the result as one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || threads < 1 || warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--steps and --threads must be at least 1, --warmup at least 0");
        }
        if (!Preset.NAMES.contains(preset)) {
            throw new ParameterException(spec.commandLine(), "--preset must be one of " + String.join(", ", Preset.NAMES) + ", not '" + preset + "'");
        }
        TrainBench.Options opt = new TrainBench.Options(preset, stage, warmup, steps, threads, device, seed, profile);
        TrainBench.Result r = TrainBench.run(opt, System.err::println);
        System.out.print(TrainBench.table(r));
        if (json) System.out.println(TrainBench.json(r));
        return 0;
    }
}
