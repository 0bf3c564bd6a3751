package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Parent of the benchmarks; each subcommand prints a table and, with {@code --json}, one JSON object. */
@Prototype
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchTrainCommand.class, BenchGenerateCommand.class, BenchConvCommand.class, BenchDataCommand.class, BenchSegmenterCommand.class},
        description = "Measure the speed of graphs run by ONNX Runtime (results: docs/BENCHMARKS.md).")
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
