package org.sbgan.trainer.train;

import org.sbgan.graphs.models.LayoutRecipe;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.models.SegmenterLoss;
import org.sbgan.graphs.models.Stages;
import org.sbgan.graphs.models.TrainingStage;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.ClassWeights;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.graphs.GraphSet;

/**
 * Everything that decides what a run computes, saved as {@code RUN/config.json} and read back on resume (so a resumed
 * run cannot silently change its schedule). How it runs (threads, device) is not part of it. Zero means "the
 * preset's value" for batches, epochs and learning rates.
 *
 * @param preset          preset name (docs/METHOD.md §4)
 * @param data            dataset folder
 * @param dataFormat      the dataset's layout (one with label maps)
 * @param labels          label space name ({@code LabelSpaces.byName}), or null for the preset's K default
 * @param seed            parameter initialisation, noise, data order and augmentation
 * @param segBatch        layout-GAN batch (all levels), 0 = preset
 * @param spadeBatch      SPADE and D2 pre-training batch, 0 = preset
 * @param e2eBatch        end-to-end batch, 0 = preset
 * @param segPhaseEpochs  length of every fade / stabilize phase, in passes over the data
 * @param spadeEpochs     SPADE stage length; the lr decays linearly to 0 over its second half
 * @param d2Epochs        D2 pre-training length
 * @param e2eEpochs       end-to-end length; the SPADE lrs decay linearly over its second half
 * @param lrSegG          G_seg lr in the layout-GAN stage
 * @param lrSegD          D_seg lr in the layout-GAN stage
 * @param lrSpadeG        G_img lr (SPADE and end-to-end)
 * @param lrSpadeD        D1 lr (SPADE and end-to-end)
 * @param lrPgan          G_seg and D_seg lr in end-to-end fine-tuning
 * @param lrD2            D2 lr
 * @param maxSteps        caps every phase of the layout GAN and every other phase at this many iterations, 0 = none
 * @param checkpointEvery iterations between checkpoints (each phase's end is always checkpointed)
 * @param sampleEvery     iterations between sample grids (each phase's end always gets one)
 * @param unlabeledImages folder of images without label maps for D2's real side, or null
 * @param onBadSample     FAIL or SKIP
 * @param cacheMb         decoded samples kept in memory
 * @param vgg             VGG19 ONNX file for the perceptual loss, or null (off)
 * @param segmenterLoss   the frozen segmenter's cross-entropy on G_img's images ({@link SegmenterLossOption}), or null (off)
 * @param layout          how the layout GAN is built ({@link LayoutRecipe}); null = the preset's, and the resolved recipe
 *                        is what config.json records
 */
public record TrainConfig(String preset, String data, DataFormat dataFormat, String labels, long seed,
        int segBatch, int spadeBatch, int e2eBatch,
        double segPhaseEpochs, double spadeEpochs, double d2Epochs, double e2eEpochs,
        float lrSegG, float lrSegD, float lrSpadeG, float lrSpadeD, float lrPgan, float lrD2,
        long maxSteps, int checkpointEvery, int sampleEvery, String unlabeledImages, BadSamplePolicy onBadSample,
        long cacheMb, String vgg, SegmenterLossOption segmenterLoss, LayoutRecipe layout) {

    /**
     * The segmenter loss of G_img (SegmenterLoss in graphs): which segmenter, its weight λ and how it weights classes.
     *
     * @param segmenter a trained segmenter's run or model folder, or {@link #OWN} for one the run trains on its own
     *                  training pairs (into RUN/segmenter, when the first step that needs it starts)
     * @param weight    λ (0 = the default, 1)
     * @param classes   none, balanced (median-frequency weights of the training pixels), or weights given per class
     */
    public record SegmenterLossOption(String segmenter, float weight, ClassWeights classes) {
        public SegmenterLossOption {
            if (segmenter == null) throw new IllegalArgumentException("segmenter loss: no segmenter folder");
            if (weight == 0) weight = SegmenterLoss.LAMBDA;
            if (!(weight > 0) || !Float.isFinite(weight)) throw new IllegalArgumentException("--segmenter-loss-weight must be > 0, not " + weight);
            if (classes == null) classes = ClassWeights.NONE;
        }

        /** The value of {@code segmenter} that asks for the run's own segmenter. */
        public static final String OWN = "auto";

        /** A segmenter loss with the run's own segmenter, λ 1, equal class weights. */
        public static SegmenterLossOption auto() {
            return new SegmenterLossOption(OWN, SegmenterLoss.LAMBDA, ClassWeights.NONE);
        }

        /**
         * Whether preset {@code name} trains with the segmenter loss by default: the CPU presets (tiny, small), where it
         * is what makes G_img draw small objects (docs/QUALITY.md); the paper presets keep the released code's losses.
         */
        public static boolean presetDefault(String name) {
            return name.equals(Preset.TINY.name()) || name.equals(Preset.SMALL.name());
        }

        /** Whether the run trains its own segmenter. */
        public boolean own() {
            return OWN.equals(segmenter);
        }
    }

    public TrainConfig {
        Preset.byName(preset);
        if (data == null) throw new IllegalArgumentException("no dataset folder");
        if (dataFormat == null) dataFormat = DataFormat.CITYSCAPES;
        if (!dataFormat.hasLabels()) {
            throw new IllegalArgumentException("data format " + dataFormat.id() + " has no label maps; training needs cityscapes, ade20k or pairs "
                    + "(images without labels can join D2's real side with --unlabeled-images)");
        }
        if (segBatch < 0 || spadeBatch < 0 || e2eBatch < 0) throw new IllegalArgumentException("batch sizes must be >= 1");
        if (segPhaseEpochs < 0 || spadeEpochs < 0 || d2Epochs < 0 || e2eEpochs < 0) throw new IllegalArgumentException("epochs must be > 0");
        if (lrSegG < 0 || lrSegD < 0 || lrSpadeG < 0 || lrSpadeD < 0 || lrPgan < 0 || lrD2 < 0) {
            throw new IllegalArgumentException("learning rates must be > 0");
        }
        if (maxSteps < 0) throw new IllegalArgumentException("--max-steps must be >= 1");
        if (checkpointEvery < 1) throw new IllegalArgumentException("--checkpoint-every must be >= 1, not " + checkpointEvery);
        if (sampleEvery < 1) throw new IllegalArgumentException("--sample-every must be >= 1, not " + sampleEvery);
        if (onBadSample == null) onBadSample = BadSamplePolicy.FAIL;
        if (cacheMb < 0) throw new IllegalArgumentException("--cache-mb must be >= 0");
        if (layout == null) layout = Preset.byName(preset).layout();
    }

    /** The preset's defaults everywhere, on a dataset. */
    public static TrainConfig defaults(String preset, String data) {
        return builder(preset, data).build();
    }

    /** This config with another layout recipe. */
    public TrainConfig withLayout(LayoutRecipe r) {
        return toBuilder().layout(r).build();
    }

    /** A config built by name: the preset's defaults for everything not set (0 = the preset's value), seed 1. */
    public static Builder builder(String preset, String data) {
        return new Builder(preset, data);
    }

    /** A builder that starts from this config. */
    public Builder toBuilder() {
        Builder b = new Builder(preset, data);
        b.dataFormat = dataFormat;
        b.labels = labels;
        b.seed = seed;
        b.segBatch = segBatch;
        b.spadeBatch = spadeBatch;
        b.e2eBatch = e2eBatch;
        b.segPhaseEpochs = segPhaseEpochs;
        b.spadeEpochs = spadeEpochs;
        b.d2Epochs = d2Epochs;
        b.e2eEpochs = e2eEpochs;
        b.lrSegG = lrSegG;
        b.lrSegD = lrSegD;
        b.lrSpadeG = lrSpadeG;
        b.lrSpadeD = lrSpadeD;
        b.lrPgan = lrPgan;
        b.lrD2 = lrD2;
        b.maxSteps = maxSteps;
        b.checkpointEvery = checkpointEvery;
        b.sampleEvery = sampleEvery;
        b.unlabeledImages = unlabeledImages;
        b.onBadSample = onBadSample;
        b.cacheMb = cacheMb;
        b.vgg = vgg;
        b.segmenterLoss = segmenterLoss;
        b.layout = layout;
        return b;
    }

    /** Named setters for {@link TrainConfig}; {@link #build()} checks the values. */
    public static final class Builder {
        private final String preset, data;
        private DataFormat dataFormat = DataFormat.CITYSCAPES;
        private String labels, unlabeledImages, vgg;
        private long seed = 1, maxSteps, cacheMb = 1024;
        private int segBatch, spadeBatch, e2eBatch, checkpointEvery = 500, sampleEvery = 200;
        private double segPhaseEpochs, spadeEpochs, d2Epochs, e2eEpochs;
        private float lrSegG, lrSegD, lrSpadeG, lrSpadeD, lrPgan, lrD2;
        private BadSamplePolicy onBadSample = BadSamplePolicy.FAIL;
        private LayoutRecipe layout;
        private SegmenterLossOption segmenterLoss;

        private Builder(String preset, String data) {
            this.preset = preset;
            this.data = data;
        }

        public Builder dataFormat(DataFormat v) { dataFormat = v; return this; }
        public Builder labels(String v) { labels = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder segBatch(int v) { segBatch = v; return this; }
        public Builder spadeBatch(int v) { spadeBatch = v; return this; }
        public Builder e2eBatch(int v) { e2eBatch = v; return this; }
        public Builder segPhaseEpochs(double v) { segPhaseEpochs = v; return this; }
        public Builder spadeEpochs(double v) { spadeEpochs = v; return this; }
        public Builder d2Epochs(double v) { d2Epochs = v; return this; }
        public Builder e2eEpochs(double v) { e2eEpochs = v; return this; }
        public Builder lrSegG(float v) { lrSegG = v; return this; }
        public Builder lrSegD(float v) { lrSegD = v; return this; }
        public Builder lrSpadeG(float v) { lrSpadeG = v; return this; }
        public Builder lrSpadeD(float v) { lrSpadeD = v; return this; }
        public Builder lrPgan(float v) { lrPgan = v; return this; }
        public Builder lrD2(float v) { lrD2 = v; return this; }
        public Builder maxSteps(long v) { maxSteps = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder sampleEvery(int v) { sampleEvery = v; return this; }
        public Builder unlabeledImages(String v) { unlabeledImages = v; return this; }
        public Builder onBadSample(BadSamplePolicy v) { onBadSample = v; return this; }
        public Builder cacheMb(long v) { cacheMb = v; return this; }
        public Builder vgg(String v) { vgg = v; return this; }
        public Builder segmenterLoss(SegmenterLossOption v) { segmenterLoss = v; return this; }
        public Builder layout(LayoutRecipe v) { layout = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(preset, data, dataFormat, labels, seed, segBatch, spadeBatch, e2eBatch, segPhaseEpochs, spadeEpochs,
                    d2Epochs, e2eEpochs, lrSegG, lrSegD, lrSpadeG, lrSpadeD, lrPgan, lrD2, maxSteps, checkpointEvery, sampleEvery,
                    unlabeledImages, onBadSample, cacheMb, vgg, segmenterLoss, layout);
        }
    }

    /** The preset with this run's layout recipe. */
    public Preset presetRecord() {
        return Preset.byName(preset).withLayout(layout);
    }

    /** The batch overrides as the graph set takes them (0 = the preset's); it resolves them, here and in build-graphs. */
    public GraphSet.Batches batchOverrides() {
        return new GraphSet.Batches(segBatch, spadeBatch, e2eBatch);
    }

    public int segBatch(int level) {
        return batch(TrainingStage.BatchOf.SEG, level);
    }

    public int spadeBatch() {
        return batch(TrainingStage.BatchOf.SPADE, 0);
    }

    public int e2eBatch() {
        return batch(TrainingStage.BatchOf.E2E, 0);
    }

    public double segPhaseEpochsOrPreset() {
        return segPhaseEpochs > 0 ? segPhaseEpochs : presetRecord().epochs().segPhase();
    }

    public double spadeEpochsOrPreset() {
        return spadeEpochs > 0 ? spadeEpochs : presetRecord().epochs().spade();
    }

    public double d2EpochsOrPreset() {
        return d2Epochs > 0 ? d2Epochs : presetRecord().epochs().d2Pretrain();
    }

    public double e2eEpochsOrPreset() {
        return e2eEpochs > 0 ? e2eEpochs : presetRecord().epochs().e2e();
    }

    /** The learning rate of an Adam group in a stage (docs/METHOD.md §1–§3), before any decay: an override, or the stage's preset optimiser. */
    public float lr(TrainingStage stage, String group) {
        float override = switch (group) {
            case Stages.PRGB_G -> lrSegG;
            case Stages.PRGB_D -> lrSegD;
            case Stages.GSEG -> stage == TrainingStage.SEG ? lrSegG : lrPgan;
            case Stages.DSEG -> stage == TrainingStage.SEG ? lrSegD : lrPgan;
            case Stages.GIMG -> lrSpadeG;
            case Stages.D1 -> lrSpadeD;
            case Stages.D2 -> lrD2;
            default -> throw new IllegalArgumentException("no learning rate for group '" + group + "'");
        };
        return or(override, stage.adam(presetRecord(), group).lr());
    }

    /** A phase's batch size: the override or the preset's. */
    public int batch(TrainingStage.BatchOf of, int level) {
        return batchOverrides().of(of, presetRecord(), level);
    }

    /** A phase's length in epochs: the override or the preset's. */
    public double epochs(TrainingStage.EpochsOf of) {
        return switch (of) {
            case SEG_PHASE -> segPhaseEpochsOrPreset();
            case SPADE -> spadeEpochsOrPreset();
            case D2_PRETRAIN -> d2EpochsOrPreset();
            case E2E -> e2eEpochsOrPreset();
        };
    }

    private static float or(float v, float preset) {
        return v > 0 ? v : preset;
    }
}
