package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sbgan.cli.bench.ConvBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

/** Times a 3×3 convolution's forward and backward through the StepRunner against a plain ORT Conv session. */
@Prototype
@Command(name = "conv", mixinStandardHelpOptions = true,
        description = {"Time forward (ORT Conv and SELECT_GEMM) and backward (dX + dW, every gradient formulation) of a 3x3 convolution, "
                + "N8 C64->64 64x64 at stride 1, 2 and (1,2) (more shapes with --sweep), run as step graphs by the "
                + "StepRunner, against a plain one-node ONNX Runtime Conv session. Prints median and minimum ms and "
                + "GFLOP/s per session; progress goes to stderr."})
public final class BenchConvCommand implements Callable<Integer> {
    @Mixin
    SharedOptions.Threads threads;

    @Option(names = "--repeats", defaultValue = "30", description = "Timed runs of each session (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs of each session first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--spin", description = "Keep ONNX Runtime's intra-op thread spinning (off by default: with a pool per "
            + "session, idle sessions' spinning threads compete with the running one).")
    boolean spin;

    @Option(names = "--global-pool", description = "Run all sessions on one ONNX Runtime thread pool for the process "
            + "instead of one pool per session.")
    boolean globalPool;

    @Option(names = "--sweep", description = "Also time the shapes behind Nn's per-shape rules (dW, stride-1 dX, forward): deep "
            + "layers, rule boundaries, RGB in and out.")
    boolean sweep;

    @Mixin
    SharedOptions.Json json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int threads = this.threads.or(2);
        if (repeats < 1 || warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--repeats must be at least 1, --warmup at least 0");
        }
        ConvBench.Options opt = new ConvBench.Options(threads, warmup, repeats, spin, globalPool);
        List<ConvBench.Case> cases = new ArrayList<>(ConvBench.defaultCases());
        if (sweep) cases.addAll(ConvBench.sweepCases());
        ConvBench.Report report = ConvBench.run(opt, cases, line -> System.err.println(line));
        System.out.print(ConvBench.table(report));
        if (json.value) System.out.println(ConvBench.json(report));
        return 0;
    }
}
