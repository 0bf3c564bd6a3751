package org.sbgan.trainer.train;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.models.Segmenter;
import org.sbgan.graphs.models.SegmenterLoss;
import org.sbgan.graphs.models.Stages;
import org.sbgan.graphs.models.TrainingStage;
import org.sbgan.graphs.optim.Ema;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.runtime.files.FolderLock;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.trainer.data.loader.Batch;
import org.sbgan.trainer.data.loader.BatchLoader;
import org.sbgan.trainer.data.loader.Transforms;
import org.sbgan.trainer.graphs.GraphFolder;
import org.sbgan.trainer.graphs.GraphSet;
import org.sbgan.trainer.graphs.SegmenterBundle;
import org.sbgan.trainer.run.LossCurves;
import org.sbgan.trainer.run.MetricsLog;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.trainer.step.StepRunner;

/**
 * Runs a {@link Schedule} on the step graphs of a run folder: per iteration it fills the noise, data and learning
 * rates of a G step and a D step, runs them on ONNX Runtime, checks the losses, logs them, and checkpoints.
 *
 * <p><b>Exact resume.</b> Everything an iteration consumes is a function of its position — noise of (seed, phase,
 * iteration), the data batch of the loader's deterministic stream started at the iteration, the lr of the
 * iteration — and a checkpoint holds the whole state, so a run stopped after any checkpoint and resumed computes
 * what the uninterrupted run computes (bit for bit on CPU with the same thread count).
 *
 * <p><b>Optimizer state.</b> Every new G_seg level starts G_seg's and D_seg's Adam state afresh (the new level adds
 * parameters; a carried-over step counter would skew their bias correction), and end-to-end fine-tuning does too
 * (docs/METHOD.md §3: fresh optimizer state for G_seg and D_seg). G_img and D1 keep theirs from the SPADE stage.
 */
public final class Trainer implements AutoCloseable {
    /**
     * How a run executes (not part of what it computes).
     *
     * @param ownSegmenter trains the run's own segmenter for the segmenter loss ({@code --segmenter-loss auto}), or null
     *                     when the caller offers none (such a config is then refused)
     */
    public record Options(int threads, OrtSession.SessionOptions sessionOptions, String device, OwnSegmenter ownSegmenter) {
        public Options(int threads, OrtSession.SessionOptions sessionOptions, String device) {
            this(threads, sessionOptions, device, null);
        }
    }

    /**
     * Trains (or finishes, after an interruption) a segmenter on the run's training pairs into {@code dir} and returns
     * its folder; {@code maxIterations} caps its training as --max-steps caps every phase (0 = none). The segmenter's
     * training lives above this package, so the caller supplies it.
     */
    @FunctionalInterface
    public interface OwnSegmenter {
        Path ensure(SampleSource data, LabelSpace space, Segmenter.Config shape, long seed, long maxIterations, Path dir, Listener log)
                throws IOException, OrtException, InterruptedException;
    }

    /** Progress of one iteration. */
    public record Progress(Schedule.Phase phase, long iteration, long globalStep, long done, long total,
            Map<String, Float> metrics, double iterationMs, double imagesPerSecond) {}

    /** Receives progress; every method has a default so a listener implements only what it shows. */
    public interface Listener {
        default void phaseStarted(Schedule.Phase phase, long fromIteration) {}

        default void stepped(Progress p) {}

        default void message(String line) {}

        default void phaseEnded(Schedule.Phase phase) {}
    }

    /** The end of a run. */
    public record Result(Path modelDir, long iterations, long globalStep, double seconds, Map<String, Float> lastMetrics) {}

    /** A loss that became NaN or infinite: the run stops and keeps the last good checkpoint. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    private final RunFolder run;
    private final TrainConfig cfg;
    private final Preset preset;
    private final Options opts;
    private final Listener listener;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final StateStore store = new StateStore(env);
    private final Map<String, StepRunner> runners = new LinkedHashMap<>();
    private Samples samples;
    private GraphFolder graphs;
    private Checkpoints checkpoints;
    private MetricsLog metrics;
    private Path lastCheckpoint;
    private double elapsedBefore;
    private FolderLock lock;

    public Trainer(RunFolder run, TrainConfig cfg, Options opts, Listener listener) {
        this.run = run;
        this.cfg = cfg;
        this.preset = cfg.presetRecord();
        this.opts = opts;
        this.listener = listener == null ? new Listener() {} : listener;
    }

    /**
     * Trains the stages. With {@code resume} the run continues from its latest checkpoint; without, a run folder
     * that already has checkpoints is refused (nothing is overwritten).
     */
    public Result train(List<TrainingStage> stages, boolean resume) throws IOException, OrtException, InterruptedException {
        long t0 = System.nanoTime();
        checkpoints = new Checkpoints(run.checkpoints(), 2);
        if (!resume) refuseExisting(checkpoints.latest());
        // Nothing is written before the data is known good: every sample is decoded once here.
        TrainData data = TrainData.open(cfg, listener::message);
        listener.message(String.format(Locale.ROOT, "data: %s, %d labelled samples, label space %s (all decoded and checked in %.1f s)",
                data.describe(), data.labelled().size(), data.labelSpace().name(), (System.nanoTime() - t0) / 1e9));
        lock = FolderLock.acquire(run.dir(), "sbgan-cli train");
        checkpoints.prune();
        Optional<Checkpoints.Checkpoint> latest = checkpoints.latest();
        if (!resume) refuseExisting(latest);
        run.writeConfig(cfg);
        graphs = ensureGraphs(data);
        Schedule schedule = Schedule.of(cfg, stages, data.labelled().size(), data.d2Images().size());
        noteSmallData(schedule, data);

        store.putMissing(graphs.initialState());
        int startPhase = 0;
        long startIteration = 0, globalStep = 0;
        if (latest.isPresent()) {
            Checkpoints.Checkpoint ck = latest.get();
            Map<String, Tensor> state = ck.state();
            for (Map.Entry<String, Tensor> e : state.entrySet()) store.put(e.getKey(), e.getValue());
            Checkpoints.Position pos = ck.position();
            globalStep = pos.globalStep();
            elapsedBefore = ck.meta().path("elapsed_s").asDouble(0);
            lastCheckpoint = ck.dir();
            int idx = schedule.indexOf(pos.phaseId());
            if (idx >= 0) {
                startPhase = idx;
                startIteration = pos.iteration();
                if (startIteration >= schedule.phases().get(idx).iterations()) {
                    startPhase++;
                    startIteration = 0;
                }
            } else {
                TrainingStage ckStage = stageOf(pos.phaseId());
                if (ckStage.ordinal() > stages.get(stages.size() - 1).ordinal()) {
                    throw new IllegalStateException("the latest checkpoint of " + run.dir() + " is in stage " + ckStage.id()
                            + ", past the stages asked for (" + stages.stream().map(TrainingStage::id).toList() + ")");
                }
                if (!ck.meta().path("phase_complete").asBoolean(false)) {
                    listener.message("note: stage " + ckStage.id() + " stopped before its end (" + pos.phaseId() + "); starting "
                            + stages.get(0).id() + " from that state");
                }
            }
            listener.message("resuming from " + ck.dir().getFileName() + " (step " + globalStep + ", " + pos.phaseId() + ")");
        }
        checkpoints.dropAfter(globalStep);
        metrics = MetricsLog.open(run.metrics(), globalStep);
        Files.createDirectories(run.samples());
        samples = new Samples(env, opts.sessionOptions(), preset, cfg.seed(), store, data.labelSpace(), data.labelled(), run.samples());

        long total = schedule.totalIterations(), done = 0;
        for (int i = 0; i < startPhase; i++) done += schedule.phases().get(i).iterations();
        done += startIteration;
        Map<String, Float> last = Map.of();
        long ran = 0;
        for (int pi = startPhase; pi < schedule.phases().size(); pi++) {
            Schedule.Phase ph = schedule.phases().get(pi);
            long from = pi == startPhase ? startIteration : 0;
            listener.phaseStarted(ph, from);
            if (from == 0) resetOptimizers(schedule, pi);
            loadSegmenterIfRead(ph, data);
            PhaseRun r = new PhaseRun(ph, data, from);
            try (r) {
                for (long it = from; it < ph.iterations(); it++) {
                    long s0 = System.nanoTime();
                    last = r.iteration(it, globalStep);
                    globalStep++;
                    done++;
                    ran++;
                    double ms = (System.nanoTime() - s0) / 1e6;
                    double ips = ph.batch() / (ms / 1000);
                    log(ph, it, globalStep, last, ms, ips, t0);
                    listener.stepped(new Progress(ph, it + 1, globalStep, done, total, last, ms, ips));
                    boolean end = it + 1 == ph.iterations();
                    boolean stageEnd = end && (pi + 1 == schedule.phases().size() || schedule.phases().get(pi + 1).stage() != ph.stage());
                    if (stageEnd) swapInAverages(ph);
                    if (end || globalStep % cfg.sampleEvery() == 0) writeSamples(ph, globalStep);
                    if (end || globalStep % cfg.checkpointEvery() == 0) checkpoint(ph, it + 1, globalStep, end, stageEnd, t0);
                }
            }
            listener.phaseEnded(ph);
            curves();
        }
        String badSamples = data.badSampleSummary();
        if (!badSamples.isEmpty()) listener.message(badSamples);
        Path model = null;
        if (!schedule.phases().isEmpty()) {
            writeSamplesFinal(schedule, globalStep);
            model = run.model();
            ObjectNode trained = new ObjectMapper().createObjectNode();
            ArrayNode st = trained.putArray("stages");
            stages.forEach(s -> st.add(s.id()));
            trained.put("steps", globalStep);
            trained.put("run", run.dir().toAbsolutePath().toString());
            trained.put("seed", cfg.seed());
            trained.put("dataset", cfg.data());
            TrainConfig.SegmenterLossOption sl = cfg.segmenterLoss();
            if (sl == null) trained.putNull("segmenter_loss");
            else trained.putObject("segmenter_loss").put("segmenter", sl.own() ? ownSegmenterDir().toAbsolutePath().toString() : sl.segmenter())
                    .put("weight", sl.weight()).put("classes", sl.classes().id());
            if (stages.contains(TrainingStage.PROGAN_RGB)) BundleWriter.writeProgan(model, preset, store, trained);
            else BundleWriter.write(model, preset, cfg.seed(), store, data.labelSpace(), trained);
            listener.message("wrote the model bundle " + model);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(model, ran, globalStep, seconds, last);
    }

    private void refuseExisting(Optional<Checkpoints.Checkpoint> latest) {
        if (latest.isEmpty()) return;
        Checkpoints.Position pos = latest.get().position();
        throw new IllegalStateException(run.dir() + " already has a checkpoint (step " + pos.globalStep() + ", " + pos.phaseId()
                + "); pass --resume to continue it, or choose another --run folder");
    }

    /** One line per data source and batch size where the data is smaller than a batch (batches then wrap across epochs). */
    private void noteSmallData(Schedule schedule, TrainData data) {
        java.util.Set<String> said = new java.util.HashSet<>();
        for (Schedule.Phase ph : schedule.phases()) {
            boolean images = ph.def().data() == TrainingStage.Data.IMAGES;
            SampleSource src = images ? data.d2Images() : data.labelled();
            if (src.size() >= ph.batch() || !said.add(src.describe() + "/" + ph.batch())) continue;
            listener.message("note: " + src.describe() + " has " + src.size() + " sample" + (src.size() == 1 ? "" : "s")
                    + ", fewer than a batch of " + ph.batch() + " (" + ph.label() + "): each batch takes the next " + ph.batch()
                    + " of the shuffled epochs laid end to end, so every sample is used and batches hold repeats");
        }
    }

    private static TrainingStage stageOf(String phaseId) {
        return TrainingStage.of(phaseId.contains("/") ? phaseId.substring(0, phaseId.indexOf('/')) : phaseId);
    }

    /** The run's graphs: built into RUN/graphs when absent, else checked against the config. */
    private GraphFolder ensureGraphs(TrainData data) throws IOException {
        Path dir = run.graphs();
        if (!Files.exists(dir.resolve(GraphSet.MANIFEST))) {
            if (Files.isDirectory(dir)) {
                // a graph set without its manifest is one that an interrupted build left (graphs are now swapped in whole)
                listener.message("note: " + dir + " has no " + GraphSet.MANIFEST + " (an interrupted build); building it again");
                AtomicFiles.deleteTree(dir);
            }
            listener.message("building the step graphs of preset " + preset.name() + " into " + dir);
            listener.message("layout recipe: " + preset.layout().describe());
            GraphSet.write(preset, cfg.seed(), cfg.batchOverrides(), lossFiles(data), dir, line -> {});
        }
        GraphFolder g = GraphFolder.open(dir);
        if (!g.preset().equals(preset.name()) || g.seed() != cfg.seed() || !g.layoutRecipe().equals(preset.layout())) {
            throw new IllegalStateException(dir + " holds graphs of preset " + g.preset() + " seed " + g.seed() + " layout recipe "
                    + g.layoutRecipe().describe() + ", the run is preset " + preset.name() + " seed " + cfg.seed() + " layout recipe "
                    + preset.layout().describe() + "; remove the folder to rebuild it");
        }
        return g;
    }

    /** The run's optional G_img losses; the segmenter loss's class weights come from the training pixels. */
    private GraphSet.LossFiles lossFiles(TrainData data) throws IOException {
        TrainConfig.SegmenterLossOption sl = cfg.segmenterLoss();
        Path vgg = cfg.vgg() == null ? null : Path.of(cfg.vgg());
        if (sl == null) return new GraphSet.LossFiles(vgg, null);
        float[] w = sl.classes().of(data.labelled(), data.labelSpace());
        if (w != null) listener.message("segmenter loss class weights (" + sl.classes().id() + "): " + java.util.Arrays.toString(w));
        SegmenterLoss loss;
        if (sl.own()) {
            loss = new SegmenterLoss(SegmenterLoss.ownConfig(preset), ownSegmenterDir().toString(), sl.weight(), w);
        } else {
            loss = GraphSet.readSegmenterLoss(Path.of(sl.segmenter()), preset, sl.weight(), w);
        }
        return new GraphSet.LossFiles(vgg, loss);
    }

    /** Where a run keeps its own segmenter (a {@code segmenter train} run folder). */
    private Path ownSegmenterDir() {
        return run.dir().resolve(OWN_SEGMENTER);
    }

    /** The folder of a run's own segmenter for the segmenter loss, inside the run folder. */
    public static final String OWN_SEGMENTER = "segmenter";

    /**
     * Before a phase whose G step reads the segmenter loss's network ({@code segnet.*} state), puts the trained weights
     * into the state: from the given segmenter, or from the run's own, trained now if it is not yet (so a run that
     * never reaches the SPADE stage never trains one). The same weights every time, so a resumed run computes the same.
     */
    private void loadSegmenterIfRead(Schedule.Phase ph, TrainData data) throws IOException, OrtException, InterruptedException {
        if (segmenterLoaded || ph.gStep() == null) return;
        String prefix = Segmenter.GROUP + ".";
        List<StepManifest.StateEntry> wanted = graphs.stepManifest(ph.gStep()).state().stream().filter(e -> e.name().startsWith(prefix)).toList();
        if (wanted.isEmpty()) return;
        TrainConfig.SegmenterLossOption sl = cfg.segmenterLoss();
        if (sl == null) throw new IllegalStateException(ph.gStep() + " reads a segmenter, but the run has no --segmenter-loss; remove " + run.graphs() + " to rebuild");
        Path dir;
        if (sl.own()) {
            if (opts.ownSegmenter() == null) throw new IllegalStateException("--segmenter-loss " + TrainConfig.SegmenterLossOption.OWN
                    + " needs a segmenter trainer (sbgan-cli train supplies it)");
            dir = opts.ownSegmenter().ensure(data.labelled(), data.labelSpace(), SegmenterLoss.ownConfig(preset), cfg.seed(), cfg.maxSteps(), ownSegmenterDir(),
                    listener);
        } else {
            dir = Path.of(sl.segmenter());
        }
        SegmenterBundle b = SegmenterBundle.read(dir);
        Map<String, Tensor> w = b.weights();
        for (StepManifest.StateEntry e : wanted) {
            Tensor t = w.get(e.name());
            if (t == null || !java.util.Arrays.equals(t.shape, e.shape())) {
                throw new IllegalStateException(b.model() + ": " + (t == null ? "no tensor " + e.name() : e.name() + " is "
                        + java.util.Arrays.toString(t.shape)) + ", the run's graphs need " + java.util.Arrays.toString(e.shape())
                        + " (the segmenter changed since the run began?)");
            }
            store.put(e.name(), t);
        }
        segmenterLoaded = true;
        listener.message("segmenter loss: " + wanted.size() + " tensors of " + b.dir());
    }

    private boolean segmenterLoaded;

    private StepRunner runner(String graph) throws IOException, OrtException {
        StepRunner r = runners.get(graph);
        if (r == null) {
            StepManifest m = graphs.stepManifest(graph);
            r = new StepRunner(env, graphs.stepBytes(graph), m, store, opts.sessionOptions());
            runners.put(graph, r);
        }
        return r;
    }

    /** Closes the runners not needed by {@code keep} (a finished level's graphs). */
    private void closeRunnersExcept(List<String> keep) throws OrtException {
        var it = runners.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (!keep.contains(e.getKey())) {
                e.getValue().close();
                it.remove();
            }
        }
    }

    /**
     * At the end of a progressive stage, the moving average of the generator's weights (layout recipe emaBeta) replaces
     * the weights: it is what the next stage fine-tunes and what the bundle holds.
     */
    private void swapInAverages(Schedule.Phase ph) {
        String gen = ph.stage().averagedGenerator();
        if (preset.layout().emaBeta() <= 0 || gen == null || !ph.def().progressive()) return;
        for (String n : List.copyOf(store.names())) {
            if (!n.startsWith(gen + ".") || !n.endsWith(EMA_SUFFIX)) continue;
            store.put(n.substring(0, n.length() - EMA_SUFFIX.length()), store.get(n));
        }
    }

    private static final String EMA_SUFFIX = Ema.stateName("");

    /** Fresh Adam state for the groups and phases the stage definition says ({@link TrainingStage#refreshesAdam}). */
    private void resetOptimizers(Schedule schedule, int pi) throws IOException {
        Schedule.Phase ph = schedule.phases().get(pi);
        if (!TrainingStage.refreshesAdam(ph.def(), pi == 0 ? null : schedule.phases().get(pi - 1).def())) return;
        for (String graph : new String[] {ph.gStep(), ph.dStep()}) {
            for (StepManifest.StateEntry e : graphs.stepManifest(graph).state()) {
                if (e.kind() != StepManifest.StateKind.OPTIMIZER && e.kind() != StepManifest.StateKind.COUNTER) continue;
                String n = e.name();
                boolean refreshed = false;
                for (String gr : TrainingStage.REFRESHED_GROUPS) refreshed |= n.startsWith(gr + ".") || n.startsWith("opt." + gr + ".");
                if (!refreshed) continue;
                int numel = Math.toIntExact(Shapes.numel(e.shape()));
                store.put(n, e.dtype() == DType.FLOAT ? Tensor.zeros(e.shape()) : Tensor.of(e.dtype(), e.shape(), new long[numel]));
            }
        }
    }

    /** One phase's loaders and step runners. */
    private final class PhaseRun implements AutoCloseable {
        private final Schedule.Phase ph;
        private final BatchLoader loader, d2Loader;
        private final StepRunner g, d;

        PhaseRun(Schedule.Phase ph, TrainData data, long from) throws IOException, OrtException {
            this.ph = ph;
            List<String> graphsNeeded = new ArrayList<>();
            if (ph.gStep() != null) graphsNeeded.add(ph.gStep());
            graphsNeeded.add(ph.dStep());
            closeRunnersExcept(graphsNeeded);
            this.g = ph.gStep() == null ? null : runner(ph.gStep());
            this.d = runner(ph.dStep());
            long seed = Noise.mix(cfg.seed() ^ Noise.hash("data:" + ph.id()));
            Preset.Size size = ph.def().progressive() ? preset.segResolution(ph.level()) : preset.imageSize();
            Transforms t = Transforms.training(size.height(), size.width());
            int k = preset.numClasses();
            loader = switch (ph.def().data()) {
                case LABELS -> open(data.labelled(), ph.batch(), t, BatchLoader.Content.LABELS, k, seed, from);
                case IMAGES -> open(data.d2Images(), ph.batch(), t, BatchLoader.Content.IMAGES, k, seed, from);
                case PAIRS -> open(data.labelled(), ph.batch(), t, BatchLoader.Content.BOTH, k, seed, from);
            };
            // End to end, D2's real side draws from its own loader when unlabelled images join it.
            d2Loader = ph.kind() == TrainingStage.Kind.E2E && data.hasUnlabeled()
                    ? open(data.d2Images(), ph.batch(), t, BatchLoader.Content.IMAGES, k, Noise.mix(seed + 1), from) : null;
        }

        private BatchLoader open(SampleSource src, int batch, Transforms t, BatchLoader.Content c, int k, long seed, long from) {
            return new BatchLoader(src, BatchLoader.Config.of(batch, t, c, k, seed).withStart(from));
        }

        Map<String, Float> iteration(long it, long globalStep) throws IOException, InterruptedException, OrtException {
            Map<String, Float> out = new LinkedHashMap<>();
            try (Batch b = loader.take(); Batch b2 = d2Loader == null ? null : d2Loader.take()) {
                if (g != null) {
                    feed(g, b, b2, it);
                    g.step();
                    collect(g, out, it, globalStep);
                }
                feed(d, b, b2, it);
                d.step();
                collect(d, out, it, globalStep);
            }
            for (String group : List.of(Stages.GSEG, Stages.DSEG, Stages.GIMG, Stages.D1, Stages.D2, Stages.PRGB_G, Stages.PRGB_D)) {
                if (hasHyper(g, "lr." + group) || hasHyper(d, "lr." + group)) out.put("lr." + group, lr(group, it));
            }
            if (hasHyper(g, Stages.FADE_ALPHA) || hasHyper(d, Stages.FADE_ALPHA)) out.put(Stages.FADE_ALPHA, fadeAlpha(it));
            return out;
        }

        private boolean hasHyper(StepRunner r, String name) {
            return r != null && r.manifest().inputs().stream().anyMatch(in -> in.name().equals(name));
        }

        private void feed(StepRunner r, Batch b, Batch b2, long it) {
            String graph = r.manifest().name();
            for (StepManifest.InputEntry in : r.manifest().inputs()) {
                String n = in.name();
                switch (in.role()) {
                    case BATCH -> {
                        FloatBuffer dst = r.floatInput(n);
                        switch (n) {
                            case Stages.REAL_LAYOUT -> b.copyLabelsTo(dst);
                            case Stages.REAL_IMAGE -> b.copyImagesTo(dst);
                            case Stages.D2_REAL_IMAGE -> (b2 != null ? b2 : b).copyImagesTo(dst);
                            default -> throw new IllegalStateException("step " + graph + " has an unknown batch input '" + n + "'");
                        }
                    }
                    case NOISE -> {
                        var rng = Noise.rng(cfg.seed(), ph.id(), it, graph, n);
                        FloatBuffer dst = r.floatInput(n);
                        switch (n) {
                            case Stages.Z -> Noise.normal(dst, rng);
                            case Stages.GUMBEL -> Noise.gumbel(dst, rng);
                            case Stages.ALPHA -> Noise.uniform(dst, rng);
                            default -> throw new IllegalStateException("step " + graph + " has an unknown noise input '" + n + "'");
                        }
                    }
                    case HYPER -> {
                        if (n.startsWith("lr.")) r.hyper(n, lr(n.substring(3), it));
                        else if (n.equals(Stages.FADE_ALPHA)) r.hyper(n, fadeAlpha(it));
                        else throw new IllegalStateException("step " + graph + " has an unknown hyperparameter '" + n + "'");
                    }
                }
            }
        }

        /** The lr of a group at an iteration: where the stage says so, linearly to 0 over the second half of the phase. */
        private float lr(String group, long it) {
            float base = cfg.lr(ph.stage(), group);
            if (!ph.stage().decays(group)) return base;
            long n = ph.iterations(), half = n / 2;
            if (it < half) return base;
            return base * (float) (n - it) / (n - half);
        }

        /** ProGAN's fade weight: 0 → 1 over a fade phase, 1 otherwise (used only with fadeBlend). */
        private float fadeAlpha(long it) {
            return ph.kind() == TrainingStage.Kind.FADE ? (float) (it + 1) / ph.iterations() : 1f;
        }

        private void collect(StepRunner r, Map<String, Float> out, long it, long globalStep) {
            for (StepManifest.MetricEntry m : r.manifest().metrics()) {
                float v = r.metric(m.name());
                if (!Float.isFinite(v)) {
                    throw new DivergedException(ph.label() + ", iteration " + (it + 1) + " (step " + (globalStep + 1) + "): "
                            + m.name() + " of " + r.manifest().name() + " is " + v + "; stopped without saving this state. "
                            + (lastCheckpoint == null ? "No checkpoint was written yet." : "The last good checkpoint is " + lastCheckpoint
                            + " (resume with --resume after lowering the learning rates, or from an earlier state)."));
                }
                String key = out.containsKey(m.name()) ? r.manifest().name() + "." + m.name() : m.name();
                out.put(key, v);
            }
        }

        @Override
        public void close() {
            loader.close();
            if (d2Loader != null) d2Loader.close();
        }
    }

    private void log(Schedule.Phase ph, long it, long globalStep, Map<String, Float> m, double ms, double ips, long t0) throws IOException {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("step", globalStep);
        rec.put("stage", ph.stage().id());
        rec.put("phase", ph.id());
        rec.put("level", ph.level());
        rec.put("stage_step", it + 1);
        rec.put("time_s", round(elapsedBefore + (System.nanoTime() - t0) / 1e9));
        rec.put("step_ms", round(ms));
        rec.put("images_per_s", round(ips));
        rec.putAll(m);
        metrics.write(rec);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private void writeSamples(Schedule.Phase ph, long globalStep) throws IOException, OrtException {
        samples.write(String.format(Locale.ROOT, "step-%08d_%s", globalStep, ph.id().replace('/', '-')), ph);
    }

    private void writeSamplesFinal(Schedule schedule, long globalStep) throws IOException, OrtException {
        Schedule.Phase lastPhase = schedule.phases().get(schedule.phases().size() - 1);
        if (lastPhase.def().progressive()) {
            samples.write("final", lastPhase);
        } else {
            // the whole chain, whichever stage ended: layouts, images, pairs
            TrainingStage.Phase e2e = TrainingStage.E2E.phases(preset).get(1);
            samples.write("final", new Schedule.Phase(e2e, 0, 0, 0));
        }
    }

    private void checkpoint(Schedule.Phase ph, long iteration, long globalStep, boolean phaseEnd, boolean stageEnd, long t0)
            throws IOException {
        ObjectNode extra = new ObjectMapper().createObjectNode();
        extra.put("phase_complete", phaseEnd);
        extra.put(Checkpoints.STAGE_END, stageEnd);
        extra.put("stage", ph.stage().id());
        extra.put("elapsed_s", elapsedBefore + (System.nanoTime() - t0) / 1e9);
        extra.put("preset", preset.name());
        extra.put("seed", cfg.seed());
        extra.put("threads", opts.threads());
        extra.put("device", opts.device());
        lastCheckpoint = checkpoints.write(store, new Checkpoints.Position(ph.id(), iteration, globalStep), extra);
    }

    private void curves() {
        try {
            LossCurves.write(run.metrics(), run.plots());
        } catch (IOException | RuntimeException e) {
            listener.message("note: could not draw the loss curves (" + e.getMessage() + ")");
        }
    }

    /** The store, for tests and tools that inspect a trained state. */
    public StateStore store() {
        return store;
    }

    /** Closes everything it opened, each even when an earlier one fails; the first failure is thrown. */
    @Override
    public void close() throws IOException, OrtException {
        Closer c = new Closer();
        for (StepRunner r : runners.values()) c.close(r);
        runners.clear();
        c.close(samples);
        c.close(metrics);
        c.close(store);
        c.close(lock);
        lock = null;
        c.rethrow();
    }

    /** Closes resources in turn and keeps the first failure (the rest are suppressed into it). */
    private static final class Closer {
        private Exception first;

        void close(AutoCloseable r) {
            if (r == null) return;
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }

        void rethrow() throws IOException, OrtException {
            if (first instanceof IOException e) throw e;
            if (first instanceof OrtException e) throw e;
            if (first instanceof RuntimeException e) throw e;
            if (first != null) throw new IOException(first.getMessage(), first);
        }
    }
}
