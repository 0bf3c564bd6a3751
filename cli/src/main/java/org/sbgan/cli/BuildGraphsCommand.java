package org.sbgan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.context.annotation.Prototype;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sbgan.graphs.models.Preset;
import org.sbgan.trainer.graphs.GraphSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Writes every training-step and inference graph of a preset, the initial state and manifest.json (GraphSet). */
@Prototype
@Command(name = "build-graphs", mixinStandardHelpOptions = true,
        description = "Build every graph of a preset into DIR: steps/*.onnx (each training step of every stage and level), "
                + "inference/*.onnx (initial weights baked in), state/initial_state.onnx (the seeded initial state, one "
                + "TensorProto initializer per state tensor) and manifest.json (networks with parameter counts; each graph's "
                + "inputs, outputs or metrics, state read and written, FLOPs). Prints one row per network.")
public final class BuildGraphsCommand implements Callable<Integer> {
    @Mixin
    SharedOptions.PresetName preset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write (created if missing; files in it are replaced).")
    Path out;

    @Mixin
    SharedOptions.Seed seed;

    @Option(names = "--batch-seg", paramLabel = "N", description = "Batch of the layout-GAN steps at every level (default: the preset's, per level).")
    Integer batchSeg;

    @Option(names = "--batch-spade", paramLabel = "N", description = "Batch of the SPADE G/D and D2-pretraining steps (default: the preset's SPADE batch).")
    Integer batchSpade;

    @Option(names = "--batch-e2e", paramLabel = "N", description = "Batch of the end-to-end G/D steps (default: the preset's end-to-end batch).")
    Integer batchE2e;

    @Mixin
    ImageLossOptions imageLosses = new ImageLossOptions();

    @Mixin
    LayoutRecipeOptions layoutRecipe = new LayoutRecipeOptions();

    @Mixin
    SharedOptions.Json json;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Preset p = preset.resolve();
        try {
            p = p.withLayout(layoutRecipe.resolve(p));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        GraphSet.LossFiles losses;
        try {
            losses = imageLosses.lossFilesWithoutData(p);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        int bSeg = checkBatch("--batch-seg", batchSeg), bSpade = checkBatch("--batch-spade", batchSpade),
                bE2e = checkBatch("--batch-e2e", batchE2e);
        long t0 = System.nanoTime();
        GraphSet.Result r;
        try {
            r = GraphSet.write(p, seed.value, new GraphSet.Batches(bSeg, bSpade, bE2e), losses, out, line -> {
                if (!quiet) System.out.println(line);
            });
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException("out of Java heap building the graphs of preset " + p.name() + " (max heap "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB); give the JVM more, e.g. SBGAN_JAVA_OPTS=-Xmx16g", e);
        }
        double secs = (System.nanoTime() - t0) / 1e9;

        System.out.printf("%-6s %12s  %-13s %6s %18s  %-16s %18s%n", "net", "parameters", "train step", "batch",
                "step FLOPs", "inference graph", "infer FLOPs/sample");
        for (GraphSet.Network n : r.networks()) {
            System.out.printf("%-6s %12d  %-13s %6d %18d  %-16s %18d%n", n.name(), n.parameters(), n.stepGraph(), n.stepBatch(),
                    n.flopsPerStep(), n.inferenceGraph(), n.inferenceFlopsPerSample());
        }
        System.out.printf("%d step graphs, %d inference graphs, %d state tensors in %s (preset %s, seed %d), %.1f s%n",
                r.stepGraphs(), r.inferenceGraphs(), r.stateTensors(), out, p.name(), seed.value, secs);
        if (json.value) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode o = m.createObjectNode();
            o.put("preset", p.name());
            o.put("seed", seed.value);
            o.put("out", out.toString());
            o.put("manifest", out.resolve(GraphSet.MANIFEST).toString());
            o.put("step_graphs", r.stepGraphs());
            o.put("inference_graphs", r.inferenceGraphs());
            o.put("state_tensors", r.stateTensors());
            o.put("vgg_loss", imageLosses.vgg != null);
            o.put("segmenter_loss", losses.segmenter() != null);
            o.put("seconds", Math.round(secs * 1000) / 1000.0);
            o.set("networks", r.manifest().get("networks"));
            System.out.println(m.writeValueAsString(o));
        }
        return 0;
    }

    private int checkBatch(String opt, Integer v) {
        if (v == null) return 0;
        if (v < 1) throw new ParameterException(spec.commandLine(), opt + " must be at least 1, got " + v);
        return v;
    }
}
