package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.util.concurrent.Callable;
import org.sbgan.cli.bench.SegmenterBench;
import org.sbgan.graphs.models.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Times the segmenter's training step (U-Net, per-pixel cross-entropy, Adam) on ONNX Runtime. */
@Prototype
@Command(name = "segmenter", mixinStandardHelpOptions = true,
        description = {"Time the segmenter's training step (the U-Net of `segmenter train`: forward, per-pixel softmax "
                + "cross-entropy, Adam 0.9/0.999, lr 2e-3), built in memory and run by the StepRunner, with random images "
                + "in [-1, 1] and one-hot label maps filled once. Prints the median and p10/p90 step time, images/s, "
                + "achieved GFLOP/s (the step manifest's FLOP count) and the parameter count; progress goes to stderr "
                + "(results and the PyTorch comparison: docs/BENCHMARKS.md)."})
public final class BenchSegmenterCommand implements Callable<Integer> {
    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--classes", defaultValue = "8", paramLabel = "K", description = "Classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Mixin
    SharedOptions.SegmenterShape shape;

    @Option(names = "--steps", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    SharedOptions.Threads threads;

    @Mixin
    SharedOptions.Seed seed;

    @Mixin
    SharedOptions.Json json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || warmup < 0 || batch < 1) {
            throw new ParameterException(spec.commandLine(), "--steps and --batch must be at least 1, --warmup at least 0");
        }
        int[] hw = shape.heightWidth();
        Segmenter.Config net;
        try {
            net = new Segmenter.Config(classes, hw[0], hw[1], shape.base, shape.depth);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        SegmenterBench.Options opt = new SegmenterBench.Options(net, batch, warmup, steps, threads.or(2), seed.value);
        SegmenterBench.Result r = SegmenterBench.run(opt, System.err::println);
        System.out.print(SegmenterBench.table(r));
        if (json.value) System.out.println(SegmenterBench.json(r));
        return 0;
    }
}
