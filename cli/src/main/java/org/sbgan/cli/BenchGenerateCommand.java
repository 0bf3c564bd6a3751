package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.util.concurrent.Callable;
import org.sbgan.graphs.models.Preset;
import org.sbgan.runtime.Device;
import org.sbgan.trainer.bench.GenerateBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sbgan-cli bench generate}: scenes/s of the runtime at batch 1 and 16. */
@Prototype
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Time scene generation through the runtime's SceneGenerator (G_seg, argmax, one-hot, G_img) on a bundle of the "
                + "preset with initial weights: median ms/scene and scenes/s at batch 1 and batch 16, and peak RSS (docs/BENCHMARKS.md)."})
public final class BenchGenerateCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "tiny", description = "tiny, small, cityscapes or ade-indoor (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--scenes", defaultValue = "64", description = "Scenes per timed run (default: ${DEFAULT-VALUE}).")
    int scenes;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs per batch size; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    Device device;

    @Option(names = "--json", description = "After the table, print the result as one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            Preset.byName(preset);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--preset: " + e.getMessage());
        }
        if (scenes < 1 || repeats < 1 || threads < 1) throw new ParameterException(spec.commandLine(), "--scenes, --repeats and --threads must be at least 1");
        GenerateBench.Result r = GenerateBench.run(new GenerateBench.Options(preset, scenes, repeats, threads, device), System.err::println);
        System.out.print(GenerateBench.table(r));
        if (json) System.out.println(GenerateBench.json(r));
        return 0;
    }
}
