package org.sbgan.cli;

import ai.onnxruntime.OrtSession;
import io.micronaut.context.annotation.Prototype;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbgan.graphs.models.TrainingStage;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.graphs.GraphSet;
import org.sbgan.trainer.graphs.SegmenterBundle;
import org.sbgan.trainer.segmenter.SegmenterTraining;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.trainer.train.RunFolder;
import org.sbgan.trainer.train.Schedule;
import org.sbgan.trainer.train.TrainConfig;
import org.sbgan.trainer.train.Trainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sbgan-cli train}: the SB-GAN stages on a dataset, into a run folder. */
@Prototype
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train SB-GAN (docs/METHOD.md §1–§3) on a segmentation dataset, into a run folder: config.json, graphs/ "
                + "(the ONNX step graphs that are run), checkpoints/, samples/, metrics.jsonl, plots/ and, at the end, the "
                + "model bundle model/ that `generate` and the runtime load.",
                "Stages: seg = the progressive layout GAN (stabilize at the first level, then fade + stabilize per level, "
                + "WGAN-GP); spade = G_img with D1 (hinge + feature matching, TTUR, linear lr decay over the second half); "
                + "e2e = one epoch of D2 pre-training, then end-to-end fine-tuning with D_seg, D1 and D2; all = the three in order.",
                "With no options it trains the tiny preset on testdata/ into runs/tiny."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--stage", defaultValue = "all",
            description = "seg, spade, e2e, all, or progan-rgb (the paper's baseline: a ProGAN on RGB images with G_seg's and "
                    + "D_seg's architecture and schedule, in a run of its own) (default: ${DEFAULT-VALUE}).")
    String stage;

    @Mixin
    SharedOptions.PresetName preset;

    @Option(names = "--run", paramLabel = "DIR", description = "Run folder (default: runs/<preset>).")
    Path run;

    @Option(names = "--resume", description = "Continue the run folder from its latest checkpoint, with its saved config; "
            + "also how a run goes on to a later stage (e.g. --stage spade after --stage seg).")
    boolean resume;

    @Mixin
    SharedOptions.Seed seed;

    @Mixin
    SharedOptions.OnDevice device;

    @Mixin
    SharedOptions.Threads threads;

    @Mixin
    SharedOptions.Dataset dataset;

    @Mixin
    ConfigOptions config;

    @Mixin
    LayoutRecipeOptions layoutRecipe = new LayoutRecipeOptions();

    @Mixin
    ImageLossOptions imageLosses = new ImageLossOptions();

    @ArgGroup(exclusive = false, heading = "%nOverrides (default: the preset's values)%n")
    Overrides overrides = new Overrides();

    @Mixin
    SharedOptions.Progress progress;

    @Spec
    CommandSpec spec;

    /** The options of what the run computes that are not the preset's, the seed's, the recipe's or an override (config.json). */
    static final class ConfigOptions {
        @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
                description = "Cap every phase (each level's fade/stabilize, SPADE, D2 pre-training, e2e) at N iterations, for smoke runs; 0 = no cap.")
        long maxSteps;

        @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "500", description = "Iterations between checkpoints; every phase's end is one too (default: ${DEFAULT-VALUE}).")
        int checkpointEvery;

        @Option(names = "--sample-every", paramLabel = "N", defaultValue = "200", description = "Iterations between sample grids; every phase's end gets one too (default: ${DEFAULT-VALUE}).")
        int sampleEvery;

        @Option(names = "--unlabeled-images", paramLabel = "DIR", description = "Images without label maps, added to D2's real side (the paper's partially-labelled setting).")
        Path unlabeledImages;
    }

    /** Batch sizes, epochs and learning rates. */
    static final class Overrides {
        @Option(names = "--batch-seg", paramLabel = "N", description = "Layout-GAN batch at every level.")
        int batchSeg;
        @Option(names = "--batch-spade", paramLabel = "N", description = "SPADE and D2 pre-training batch.")
        int batchSpade;
        @Option(names = "--batch-e2e", paramLabel = "N", description = "End-to-end batch.")
        int batchE2e;
        @Option(names = "--seg-phase-epochs", paramLabel = "E", description = "Epochs of every fade and stabilize phase.")
        double segPhaseEpochs;
        @Option(names = "--spade-epochs", paramLabel = "E", description = "SPADE epochs.")
        double spadeEpochs;
        @Option(names = "--d2-epochs", paramLabel = "E", description = "D2 pre-training epochs.")
        double d2Epochs;
        @Option(names = "--e2e-epochs", paramLabel = "E", description = "End-to-end epochs.")
        double e2eEpochs;
        @Option(names = "--lr-seg-g", paramLabel = "LR", description = "G_seg lr, layout GAN.")
        float lrSegG;
        @Option(names = "--lr-seg-d", paramLabel = "LR", description = "D_seg lr, layout GAN.")
        float lrSegD;
        @Option(names = "--lr-spade-g", paramLabel = "LR", description = "G_img lr.")
        float lrSpadeG;
        @Option(names = "--lr-spade-d", paramLabel = "LR", description = "D1 lr.")
        float lrSpadeD;
        @Option(names = "--lr-pgan", paramLabel = "LR", description = "G_seg and D_seg lr in end-to-end fine-tuning.")
        float lrPgan;
        @Option(names = "--lr-d2", paramLabel = "LR", description = "D2 lr.")
        float lrD2;
    }

    /** The mixins and groups whose options make up config.json: with --resume they come from there, so they are refused. */
    private static final List<String> CONFIG_MIXINS = List.of("preset", "seed", "dataset", "config", "layoutRecipe", "imageLosses");

    /** The command-line names of every option that is part of the saved config, read off the command's own spec. */
    static List<String> configOptions(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        for (String m : CONFIG_MIXINS) spec.mixins().get(m).options().forEach(o -> names.add(o.longestName()));
        for (ArgGroupSpec g : spec.argGroups()) g.allOptionsNested().forEach(o -> names.add(o.longestName()));
        return names;
    }

    @Override
    public Integer call() throws Exception {
        List<TrainingStage> stages;
        try {
            stages = Schedule.stages(stage);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path runDir = run != null ? run : Path.of("runs", preset.id());
        RunFolder folder = new RunFolder(runDir);
        TrainConfig cfg;
        if (resume && folder.hasConfig()) {
            for (String o : configOptions(spec)) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw new ParameterException(spec.commandLine(), "--resume continues with the run's saved config (" + folder.config()
                            + "); drop " + o);
                }
            }
            cfg = folder.readConfig();
        } else {
            Overrides o = overrides;
            if (dataset.dataFormat == null) dataset.dataFormat = dataset.detectLabelled(spec, "training", "; images without labels can join D2's real side with --unlabeled-images");
            try {
                ConfigOptions c = config;
                SharedOptions.Dataset d = dataset;
                cfg = TrainConfig.builder(preset.id(), d.data.toAbsolutePath().normalize().toString()).dataFormat(d.dataFormat).labels(d.labels)
                        .seed(seed.value).segBatch(o.batchSeg).spadeBatch(o.batchSpade).e2eBatch(o.batchE2e)
                        .segPhaseEpochs(o.segPhaseEpochs).spadeEpochs(o.spadeEpochs).d2Epochs(o.d2Epochs).e2eEpochs(o.e2eEpochs)
                        .lrSegG(o.lrSegG).lrSegD(o.lrSegD).lrSpadeG(o.lrSpadeG).lrSpadeD(o.lrSpadeD).lrPgan(o.lrPgan).lrD2(o.lrD2)
                        .maxSteps(c.maxSteps).checkpointEvery(c.checkpointEvery).sampleEvery(c.sampleEvery)
                        .unlabeledImages(c.unlabeledImages == null ? null : c.unlabeledImages.toAbsolutePath().normalize().toString())
                        .onBadSample(d.onBadSample).cacheMb(d.cacheMb).vgg(imageLosses.vgg == null ? null : imageLosses.vgg.toAbsolutePath().normalize().toString())
                        .segmenterLoss(imageLosses.segmenterLoss(preset.resolve()))
                        .layout(layoutRecipe.resolve(preset.resolve())).build();
                if (cfg.segmenterLoss() != null && !cfg.segmenterLoss().own()) {
                    // read the segmenter now, so a bad folder is one line before the run folder is touched
                    GraphSet.readSegmenterLoss(Path.of(cfg.segmenterLoss().segmenter()), cfg.presetRecord(), cfg.segmenterLoss().weight(), null);
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        int t = threads.orCores();
        PrintStream err = System.err;
        try (OrtSession.SessionOptions so = Sessions.create(device.value, t)) {
            Progress listener = new Progress(new ProgressOutput(err, progress.bar(), "train", null, true), System.nanoTime());
            Trainer.Result r;
            try (Trainer trainer = new Trainer(folder, cfg, new Trainer.Options(t, so, device.id(), ownSegmenter(t)), listener)) {
                r = trainer.train(stages, resume);
            } finally {
                listener.close();
            }
            PrintStream out = System.out;
            out.printf(Locale.ROOT, "trained %s (%s) on %s: %d iterations in %s, %d steps in the run%n", cfg.preset(),
                    stage.toLowerCase(Locale.ROOT), cfg.data(), r.iterations(), duration(r.seconds()), r.globalStep());
            if (!r.lastMetrics().isEmpty()) out.println("last losses: " + losses(r.lastMetrics(), 8));
            out.println("run folder:  " + runDir);
            if (r.modelDir() != null) {
                out.println("model:       " + r.modelDir() + (stages.contains(TrainingStage.PROGAN_RGB)
                        ? "  (the RGB ProGAN baseline: sbgan-cli eval --model " + r.modelDir() + ")"
                        : "  (sbgan-cli generate --model " + r.modelDir() + ")"));
            }
            out.println("metrics:     " + folder.metrics() + ", curves in " + folder.plots() + ", samples in " + folder.samples());
        }
        return 0;
    }

    static String duration(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", t / 3600, t / 60 % 60, t % 60)
                : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : String.format(Locale.ROOT, "%.1fs", s);
    }

    static String losses(Map<String, Float> m, int max) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (Map.Entry<String, Float> e : m.entrySet()) {
            if (e.getKey().startsWith("lr.") || e.getKey().equals("fade_alpha")) continue;
            if (n++ == max) break;
            if (sb.length() > 0) sb.append(' ');
            sb.append(e.getKey()).append('=').append(String.format(Locale.ROOT, "%.3g", e.getValue()));
        }
        return sb.toString();
    }

    /**
     * The run's own segmenter for {@code --segmenter-loss auto}: {@code segmenter train}'s defaults at the size the trainer
     * asks for, on the run's training pairs, into RUN/segmenter; finished where an interrupted one stopped, kept once done.
     */
    static Trainer.OwnSegmenter ownSegmenter(int threads) {
        return (data, space, shape, seed, maxIterations, dir, log) -> {
            if (Files.isRegularFile(dir.resolve(SegmenterBundle.MODEL_DIR).resolve(SegmenterBundle.META))) return dir;
            boolean resume = Files.isRegularFile(dir.resolve(SegmenterTraining.RUN_FILE));
            SegmenterTraining.Options o = SegmenterTraining.Options.of(shape.height(), shape.width(), seed);
            if (maxIterations > 0 && maxIterations < o.iterations()) o = o.withIterations((int) maxIterations);
            log.message((resume ? "finishing" : "training") + " the run's own segmenter for the segmenter loss: " + o.iterations() + " iterations of "
                    + o.batch() + " at " + o.height() + "×" + o.width() + " on " + data.describe() + ", into " + dir);
            SegmenterTraining.Result r = SegmenterTraining.train(data, space, o, dir, resume, null, threads, new SegmenterTraining.Listener() {
                @Override
                public void message(String line) {
                    log.message(line);
                }
            });
            log.message(String.format(java.util.Locale.ROOT, "trained the run's own segmenter in %s (last batch pixel accuracy %.3f)",
                    duration(r.seconds()), r.pixelAccuracy()));
            return dir;
        };
    }

    /** A progress bar on a terminal (stage, level, step, main losses, images/s, ETA), else a line every 10 s. */
    static final class Progress implements Trainer.Listener, AutoCloseable {
        private final ProgressOutput shown;
        private final long t0;
        private long firstDone = -1;

        Progress(ProgressOutput shown, long t0) {
            this.shown = shown;
            this.t0 = t0;
        }

        @Override
        public void phaseStarted(Schedule.Phase phase, long fromIteration) {
            if (!shown.drawing()) {
                message("phase " + phase.label() + ": " + phase.iterations() + " iterations, batch " + phase.batch()
                        + (fromIteration > 0 ? ", from iteration " + fromIteration : ""));
            }
        }

        @Override
        public void stepped(Trainer.Progress p) {
            boolean first = firstDone < 0;
            if (first) firstDone = p.done() - 1;
            String extra = String.format(Locale.ROOT, "%s %s %.1f img/s", p.phase().label(), losses(p.metrics(), 3), p.imagesPerSecond());
            // a line at this process's first step, so a slow start shows at once, and at every phase's end
            shown.step(p.done(), p.total(), extra, first || p.iteration() == p.phase().iterations(), () -> {
                double s = (System.nanoTime() - t0) / 1e9;
                long doneHere = p.done() - firstDone;
                double eta = doneHere > 0 ? s / doneHere * (p.total() - p.done()) : 0;
                return String.format(Locale.ROOT, "[%5.1f%%] step %d, %s iteration %d/%d | %s | ETA %s", 100.0 * p.done() / p.total(), p.globalStep(),
                        p.phase().label(), p.iteration(), p.phase().iterations(), extra, duration(eta));
            });
        }

        @Override
        public void message(String line) {
            shown.message(line);
        }

        @Override
        public void close() {
            shown.close();
        }
    }
}
