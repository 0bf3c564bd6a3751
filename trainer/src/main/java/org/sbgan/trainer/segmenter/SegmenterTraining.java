package org.sbgan.trainer.segmenter;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.models.Segmenter;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.runtime.Device;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.runtime.files.FolderLock;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.trainer.data.ClassWeights;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.trainer.data.loader.Batch;
import org.sbgan.trainer.data.loader.BatchLoader;
import org.sbgan.trainer.data.loader.Transforms;
import org.sbgan.trainer.graphs.SegmenterBundle;
import org.sbgan.trainer.run.MetricsLog;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.trainer.step.StepRunner;
import org.sbgan.trainer.train.Checkpoints;
import org.sbgan.trainer.train.Trainer;

/**
 * Trains a {@link Segmenter} on labelled pairs with its own step graph (per-pixel cross-entropy, Adam), in a run folder:
 * <pre>
 * segmenter-run.json  the {@link Options} and the data it was trained on; a resumed run must match them
 * checkpoints/        as for {@code train}: the whole state (weights, BatchNorm statistics, Adam moments), atomically
 * metrics.jsonl       one line per iteration: loss, batch pixel accuracy, lr, step time
 * model/              the {@link SegmenterBundle} of the last state
 * </pre>
 * Batches come from the trainer's own {@link BatchLoader} and training {@link Transforms} (resize to cover, crop,
 * horizontal flip), in a deterministic stream started at the iteration, so a resumed run computes what an
 * uninterrupted one does. The lr is constant for the first half and falls linearly to 0 over the second.
 */
public final class SegmenterTraining {
    public static final String RUN_FILE = "segmenter-run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SegmenterTraining() {}

    /**
     * What a training run computes.
     *
     * @param height         input height of the segmenter (samples are resized to cover it and cropped)
     * @param width          input width
     * @param base           channels of the first U-Net level
     * @param depth          U-Net levels
     * @param batch          images per step
     * @param iterations     steps
     * @param lr             Adam's learning rate (β = 0.9, 0.999)
     * @param classWeights   loss weighting
     * @param seed           weights and data order
     * @param checkpointEvery iterations between checkpoints (the last iteration always writes one)
     */
    public record Options(int height, int width, int base, int depth, int batch, int iterations, float lr, ClassWeights classWeights,
            long seed, int checkpointEvery) {
        public static final int BATCH = 16, ITERATIONS = 600, CHECKPOINT_EVERY = 200;
        public static final float LR = 2e-3f;

        public Options {
            if (batch < 2) throw new IllegalArgumentException("segmenter batch must be at least 2 (BatchNorm), not " + batch);
            if (iterations < 1) throw new IllegalArgumentException("segmenter iterations must be at least 1, not " + iterations);
            if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException("segmenter lr must be positive, not " + lr);
            if (checkpointEvery < 1) throw new IllegalArgumentException("checkpoint interval must be at least 1, not " + checkpointEvery);
            if (classWeights == null) classWeights = ClassWeights.NONE;
        }

        /** The defaults at an input size: base 16, depth 3, batch 16, 600 iterations, lr 2e-3, equal weights. */
        public static Options of(int height, int width, long seed) {
            return new Options(height, width, Segmenter.Config.BASE, Segmenter.Config.DEPTH, BATCH, ITERATIONS, LR, ClassWeights.NONE, seed,
                    CHECKPOINT_EVERY);
        }

        public Options withIterations(int n) {
            return new Options(height, width, base, depth, batch, n, lr, classWeights, seed, checkpointEvery);
        }

        public Options withBatch(int b) {
            return new Options(height, width, base, depth, b, iterations, lr, classWeights, seed, checkpointEvery);
        }

        public Options withSeed(long s) {
            return new Options(height, width, base, depth, batch, iterations, lr, classWeights, s, checkpointEvery);
        }

        public Options withClassWeights(ClassWeights w) {
            return new Options(height, width, base, depth, batch, iterations, lr, w, seed, checkpointEvery);
        }

        public Segmenter.Config network(int numClasses) {
            return new Segmenter.Config(numClasses, height, width, base, depth);
        }

        public ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("height", height).put("width", width).put("base", base).put("depth", depth).put("batch", batch).put("iterations", iterations)
                    .put("lr", lr).put("class_weights", classWeights.id()).put("seed", seed).put("checkpoint_every", checkpointEvery);
            return o;
        }

        public static Options fromJson(JsonNode o) {
            return new Options(o.path("height").asInt(), o.path("width").asInt(), o.path("base").asInt(), o.path("depth").asInt(),
                    o.path("batch").asInt(), o.path("iterations").asInt(), (float) o.path("lr").asDouble(),
                    ClassWeights.parse(o.path("class_weights").asText("none")), o.path("seed").asLong(),
                    o.path("checkpoint_every").asInt(CHECKPOINT_EVERY));
        }
    }

    /** Progress; both methods have defaults. */
    public interface Listener {
        default void message(String line) {}

        default void stepped(long iteration, long total, float loss, float pixelAccuracy, double stepMs) {}
    }

    /**
     * What a run trains on: {@code data}, and from iteration {@code finishFrom} on {@code finish} instead (a segmenter
     * that ends its budget on real pairs after mixed ones); {@code finish} null for one source throughout. Class
     * weights are counted on {@code data}.
     */
    public record Curriculum(SampleSource data, SampleSource finish, long finishFrom) {
        public Curriculum {
            if (finish != null && finishFrom < 0) throw new IllegalArgumentException("the finishing data starts at iteration " + finishFrom);
        }

        public static Curriculum of(SampleSource data) {
            return new Curriculum(data, null, 0);
        }

        /** The source of iteration {@code it} (0-based). */
        SampleSource at(long it) {
            return finish != null && it >= finishFrom ? finish : data;
        }

        public String describe() {
            return finish == null ? data.describe() : data.describe() + ", then from iteration " + (finishFrom + 1) + " " + finish.describe();
        }
    }

    /** The end of a run: the bundle, iterations run now, seconds, and the last step's loss and batch accuracy. */
    public record Result(SegmenterBundle bundle, long ran, double seconds, float loss, float pixelAccuracy) {}

    /** The options a segmenter run folder was started with (for {@code --resume}). */
    public static Options savedOptions(Path out) throws IOException {
        Path f = out.resolve(RUN_FILE);
        if (!Files.isRegularFile(f)) throw new IllegalArgumentException(out + ": not a segmenter run folder (no " + RUN_FILE + "); nothing to resume");
        try {
            return Options.fromJson(JSON.readTree(f.toFile()).path("options"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(f + ": unreadable (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Trains on {@code data} (labelled samples of {@code space}) into the run folder {@code out}. Without {@code resume},
     * a folder that already has checkpoints is refused; with it, the run continues from its latest checkpoint and the
     * options must be those it started with. {@code provenance} (what the data is) is recorded in the bundle.
     */
    public static Result train(SampleSource data, LabelSpace space, Options o, Path out, boolean resume, ObjectNode provenance, int threads,
            Listener listener) throws IOException, InterruptedException {
        return train(Curriculum.of(data), space, o, out, resume, provenance, threads, listener);
    }

    /** As {@link #train(SampleSource, LabelSpace, Options, Path, boolean, ObjectNode, int, Listener)}, on a curriculum. */
    public static Result train(Curriculum curriculum, LabelSpace space, Options o, Path out, boolean resume, ObjectNode provenance, int threads,
            Listener listener) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Listener log = listener == null ? new Listener() {} : listener;
        SampleSource data = curriculum.data();
        for (SampleSource d : new SampleSource[] {data, curriculum.finish()}) {
            if (d != null && d.size() < 1) throw new IllegalArgumentException(d.describe() + ": no labelled samples to train a segmenter on");
        }
        Checkpoints checkpoints = new Checkpoints(out.resolve("checkpoints"), 2);
        if (!resume) refuseExisting(out);
        Optional<Checkpoints.Checkpoint> latest;
        Files.createDirectories(out);
        try (FolderLock lock = FolderLock.acquire(out, "sbgan-cli segmenter train")) {
            checkpoints.prune();
            latest = checkpoints.latest();
            if (resume && Files.isRegularFile(out.resolve(RUN_FILE))) {
                Options saved = savedOptions(out);
                if (!saved.equals(o)) throw new IllegalArgumentException(out + " was started with " + saved.toJson() + "; resume it with the same options");
            }
            int k = space.numClasses();
            Segmenter.Config net = o.network(k);
            float[] weights = o.classWeights().of(data, space);
            ObjectNode run = JSON.createObjectNode();
            run.set("options", o.toJson());
            run.set("data", provenance == null ? JSON.createObjectNode().put("source", curriculum.describe()) : provenance);
            run.put("samples", data.size());
            if (curriculum.finish() != null) run.put("finish_samples", curriculum.finish().size()).put("finish_from", curriculum.finishFrom());
            run.put("label_space", space.name());
            if (weights != null) {
                ArrayNode w = run.putArray("class_weight_values");
                for (float v : weights) w.add(v);
            }
            AtomicFiles.write(out.resolve(RUN_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(run));

            StepGraph step = Segmenter.trainStep(net, o.batch(), o.seed(), weights, Adam.Config.adam(0.9f, 0.999f));
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long from = 0;
            try (StateStore store = new StateStore(env);
                 OrtSession.SessionOptions so = Device.CPU.sessionOptions(threads);
                 StepRunner runner = new StepRunner(env, step, store, so)) {
                if (latest.isPresent()) {
                    for (Map.Entry<String, Tensor> e : latest.get().state().entrySet()) store.put(e.getKey(), e.getValue());
                    from = latest.get().position().iteration();
                    log.message("resuming from " + latest.get().dir().getFileName() + " (iteration " + from + " of " + o.iterations() + ")");
                }
                checkpoints.dropAfter(from);
                float loss = Float.NaN, acc = Float.NaN;
                Path lastCheckpoint = latest.map(Checkpoints.Checkpoint::dir).orElse(null);
                BatchLoader.Config lc = BatchLoader.Config.of(o.batch(), Transforms.training(o.height(), o.width()), BatchLoader.Content.BOTH, k, o.seed());
                BatchLoader loader = null; // of the curriculum's source of the current iteration
                SampleSource reading = null;
                try (MetricsLog metrics = MetricsLog.open(out.resolve("metrics.jsonl"), from)) {
                    for (long it = from; it < o.iterations(); it++) {
                        if (curriculum.at(it) != reading) {
                            if (loader != null) loader.close();
                            reading = curriculum.at(it);
                            loader = new BatchLoader(reading, lc.withStart(it));
                        }
                        long s0 = System.nanoTime();
                        float lr = lr(o, it);
                        try (Batch b = loader.take()) {
                            b.copyImagesTo(runner.floatInput(Segmenter.IMAGE));
                            b.copyLabelsTo(runner.floatInput(Segmenter.LAYOUT));
                        }
                        runner.hyper(Adam.lrInput(Segmenter.GROUP), lr);
                        runner.step();
                        loss = runner.metric("loss");
                        acc = runner.metric("pixel_accuracy");
                        if (!Float.isFinite(loss)) {
                            throw new Trainer.DivergedException("segmenter iteration " + (it + 1) + ": loss is " + loss + "; stopped without saving this state. "
                                    + (lastCheckpoint == null ? "No checkpoint was written yet." : "The last good checkpoint is " + lastCheckpoint
                                    + " (resume with --resume after lowering --lr)."));
                        }
                        double ms = (System.nanoTime() - s0) / 1e6;
                        Map<String, Object> rec = new LinkedHashMap<>();
                        rec.put("step", it + 1);
                        rec.put("loss", loss);
                        rec.put("pixel_accuracy", acc);
                        rec.put("lr", lr);
                        rec.put("step_ms", Math.round(ms * 1000) / 1000.0);
                        metrics.write(rec);
                        log.stepped(it + 1, o.iterations(), loss, acc, ms);
                        boolean end = it + 1 == o.iterations();
                        if (end || (it + 1) % o.checkpointEvery() == 0) {
                            ObjectNode extra = JSON.createObjectNode().put("kind", "segmenter").put("seed", o.seed()).put("threads", threads);
                            lastCheckpoint = checkpoints.write(store, new Checkpoints.Position("segmenter", it + 1, it + 1), extra);
                        }
                    }
                } finally {
                    if (loader != null) loader.close();
                }
                Map<String, Tensor> state = new HashMap<>();
                for (String n : store.names()) state.put(n, store.get(n));
                ObjectNode training = run.deepCopy();
                training.put("run", out.toAbsolutePath().toString());
                if (Float.isFinite(loss)) training.put("last_loss", loss).put("last_batch_pixel_accuracy", acc);
                SegmenterBundle bundle = SegmenterBundle.write(out.resolve(SegmenterBundle.MODEL_DIR), net, o.seed(), state, space, training);
                log.message("wrote the segmenter " + bundle.dir());
                return new Result(bundle, o.iterations() - from, (System.nanoTime() - t0) / 1e9, loss, acc);
            } catch (OrtException e) {
                throw new IllegalStateException("segmenter training: ONNX Runtime failed (" + e.getMessage() + ")", e);
            }
        }
    }

    /** Fails, saying how to go on, when {@code out} already holds a run (a checkpoint); nothing is overwritten. */
    public static void refuseExisting(Path out) throws IOException {
        Optional<Checkpoints.Checkpoint> latest = new Checkpoints(out.resolve("checkpoints"), 2).latest();
        if (latest.isPresent()) {
            throw new IllegalStateException(out + " already has a checkpoint (iteration " + latest.get().position().iteration()
                    + "); pass --resume to continue it, or choose another --out folder");
        }
    }

    /** Constant, then linearly to 0 over the second half. */
    static float lr(Options o, long it) {
        long n = o.iterations(), half = n / 2;
        if (it < half) return o.lr();
        return o.lr() * (float) (n - it) / (n - half);
    }

}
