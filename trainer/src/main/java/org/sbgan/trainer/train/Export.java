package org.sbgan.trainer.train;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.runtime.files.FolderLock;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.graphs.models.TrainingStage;

/** A model bundle from any checkpoint of a run ({@code sbgan-cli export}). */
public final class Export {
    private Export() {}

    /** What was exported. */
    public record Result(Path bundle, Path checkpoint, long step, String phase) {}

    /**
     * Writes the bundle of checkpoint {@code name} (a folder name under {@code RUN/checkpoints}, or null for the
     * newest) to {@code out}. Errors name the run folder or checkpoint.
     */
    public static Result run(Path runDir, String name, Path out) throws IOException {
        return run(runDir, name, null, out);
    }

    /**
     * As {@link #run(Path, String, Path)}; with {@code stage} (seg, spade, e2e) instead of a name, the checkpoint taken at
     * the end of that stage — e.g. G_img before end-to-end fine-tuning is the end of {@code spade}.
     */
    public static Result run(Path runDir, String name, String stage, Path out) throws IOException {
        RunFolder run = new RunFolder(runDir);
        TrainConfig cfg = run.readConfig();
        try (FolderLock lock = FolderLock.acquire(runDir, "sbgan-cli export")) {
            return export(run, cfg, name, stage, out);
        }
    }

    private static Result export(RunFolder run, TrainConfig cfg, String name, String stage, Path out) throws IOException {
        Path runDir = run.dir();
        Checkpoints cps = new Checkpoints(run.checkpoints(), Integer.MAX_VALUE);
        List<Checkpoints.Checkpoint> all = cps.list();
        if (all.isEmpty()) throw new IOException(run.checkpoints() + ": no complete checkpoint to export");
        Checkpoints.Checkpoint ck = all.get(all.size() - 1);
        if (stage != null) {
            ck = cps.endOf(stage).orElseThrow(() -> new IOException(run.checkpoints() + ": no checkpoint at the end of stage " + stage));
        }
        if (name != null) {
            ck = all.stream().filter(c -> c.dir().getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new IOException(run.checkpoints().resolve(name) + ": no such complete checkpoint; there are "
                            + all.stream().map(c -> c.dir().getFileName().toString()).toList()));
        }
        Map<String, Tensor> state = ck.state();
        try (StateStore store = new StateStore(OrtEnvironment.getEnvironment())) {
            state.forEach(store::put);
            ObjectNode trained = new ObjectMapper().createObjectNode();
            trained.put("run", runDir.toAbsolutePath().toString());
            trained.put("checkpoint", ck.dir().getFileName().toString());
            trained.put("phase", ck.position().phaseId());
            trained.put("steps", ck.position().globalStep());
            trained.put("seed", cfg.seed());
            trained.put("dataset", cfg.data());
            if (Files.exists(out) && !Files.isDirectory(out)) throw new IOException("--out " + out + " exists and is not a folder");
            if (TrainingStage.PROGAN_RGB.id().equals(ck.meta().path("stage").asText())) {
                BundleWriter.writeProgan(out, cfg.presetRecord(), store, trained);
            } else {
                BundleWriter.write(out, cfg.presetRecord(), cfg.seed(), store, LabelSpaces.resolve(cfg.labels(), cfg.presetRecord().numClasses()),
                        trained);
            }
        }
        return new Result(out, ck.dir(), ck.position().globalStep(), ck.position().phaseId());
    }
}
