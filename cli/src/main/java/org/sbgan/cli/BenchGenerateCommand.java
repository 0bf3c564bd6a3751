package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.util.concurrent.Callable;
import org.sbgan.cli.bench.GenerateBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

/** {@code sbgan-cli bench generate}: scenes/s of the runtime at batch 1 and 16. */
@Prototype
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Time scene generation through the runtime's SceneGenerator (G_seg, argmax, one-hot, G_img) on a bundle of the "
                + "preset with initial weights: median ms/scene and scenes/s at batch 1 and batch 16, and peak RSS (docs/BENCHMARKS.md)."})
public final class BenchGenerateCommand implements Callable<Integer> {
    @Mixin
    SharedOptions.PresetName preset;

    @Option(names = "--scenes", defaultValue = "64", description = "Scenes per timed run (default: ${DEFAULT-VALUE}).")
    int scenes;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs per batch size; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Mixin
    SharedOptions.Threads threads;

    @Mixin
    SharedOptions.OnDevice device;

    @Mixin
    SharedOptions.Json json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (scenes < 1 || repeats < 1) throw new ParameterException(spec.commandLine(), "--scenes and --repeats must be at least 1");
        GenerateBench.Result r = GenerateBench.run(new GenerateBench.Options(preset.id(), scenes, repeats, threads.or(2), device.value),
                System.err::println);
        System.out.print(GenerateBench.table(r));
        if (json.value) System.out.println(GenerateBench.json(r));
        return 0;
    }
}
