package org.sbgan.graphs.models;

import java.util.List;
import java.util.Map;

/**
 * A complete, immutable SB-GAN configuration: network sizes, flags, optimizers, batch sizes and schedule
 * (docs/METHOD.md §4, with the values of §1–§3). Four are defined: {@link #TINY}, {@link #SMALL},
 * {@link #CITYSCAPES}, {@link #ADE_INDOOR}; {@link #byName(String)} looks them up.
 *
 * @param name              preset name as given on the command line
 * @param numClasses        K, semantic classes
 * @param aspectRatio       ar = W/H (2 Cityscapes-like, 1 ADE-like)
 * @param segChannels       G_seg channels per level, level 0 = 4×(4·ar); one entry per resolution (§1)
 * @param zDim              latent dimension
 * @param layout            how the layout GAN is built: the released code's recipe or ProGAN's stabilizers
 * @param gumbelTemperature straight-through Gumbel-softmax T (1, never annealed, §1)
 * @param spade             G_img sizes (§2)
 * @param patchD            D1/D2 multi-scale PatchGAN sizes (§2, §3)
 * @param layoutScaling     nearest ×1 or ×2 from G_seg's top resolution to SPADE's input (§1)
 * @param detachSegInBlocks stop_gradient(seg) into every SPADE ResBlk (default true = released code, §2)
 * @param optim             Adam settings per stage (§1–§3)
 * @param batches           batch size per stage
 * @param epochs            epochs per phase / stage
 */
public record Preset(String name, int numClasses, int aspectRatio, List<Integer> segChannels, int zDim,
        LayoutRecipe layout, float gumbelTemperature, Spade spade, PatchD patchD,
        int layoutScaling, boolean detachSegInBlocks, Optim optim, Batches batches, Epochs epochs) {

    /** SPADE upsampling: n_up = 5 ("normal") or 6 ("more", an extra up between G_middle_0 and G_middle_1). */
    public enum Upsampling {
        NORMAL(5), MORE(6);

        public final int numUp;

        Upsampling(int numUp) {
            this.numUp = numUp;
        }
    }

    /** G_img: base width ngf, SPADE hidden width nhidden, upsampling mode (§2). */
    public record Spade(int ngf, int nhidden, Upsampling upsampling) {}

    /** D1/D2: base width ndf, num_D scales, n_layers_D strided layers per scale (§2). */
    public record PatchD(int ndf, int numD, int nLayersD) {}

    /** Adam hyperparameters. */
    public record AdamSpec(float lr, float beta1, float beta2, float eps) {
        public static AdamSpec of(float lr, float beta1, float beta2) {
            return new AdamSpec(lr, beta1, beta2, 1e-8f);
        }
    }

    /**
     * Adam per stage. seg*: segmentation GAN stage (§1). spade*: SPADE stage TTUR, also kept in end-to-end
     * fine-tuning (§2, §3). e2eSeg: G_seg and D_seg in end-to-end fine-tuning (lr_pgan, fresh state, §3).
     * d2: D2 pre-training and fine-tuning (§3).
     */
    public record Optim(AdamSpec segG, AdamSpec segD, AdamSpec spadeG, AdamSpec spadeD, AdamSpec e2eSeg, AdamSpec d2) {
        /** §1–§3 with the given lr_pgan (1e-5 Cityscapes, 1e-4 ADE). */
        public static Optim paper(float lrPgan) {
            AdamSpec seg = AdamSpec.of(1e-3f, 0f, 0.99f);
            return new Optim(seg, seg, AdamSpec.of(1e-4f, 0f, 0.9f), AdamSpec.of(4e-4f, 0f, 0.9f),
                    AdamSpec.of(lrPgan, 0f, 0.99f), AdamSpec.of(2e-4f, 0f, 0.99f));
        }
    }

    /**
     * Batch sizes. seg: segmentation GAN stage at resolutions up to {@code segLargeAboveHeight}; above that
     * (by height H) it is divided by {@code segLargeDivisor} (§1: "above 128 px the batch is divided by 4").
     */
    public record Batches(int seg, int segLargeAboveHeight, int segLargeDivisor, int spade, int e2e) {}

    /**
     * Epochs. segPhase: length of each fade or stabilize phase of G_seg (§1: E). spade: SPADE stage, the lr
     * decaying linearly to 0 over the second half (§2). d2Pretrain: D2 alone (§3: one epoch). e2e: fine-tuning.
     */
    public record Epochs(int segPhase, int spade, int d2Pretrain, int e2e) {}

    /** A height × width. */
    public record Size(int height, int width) {
        @Override
        public String toString() {
            return height + "×" + width;
        }
    }

    /** G_seg channels of the paper configs by resolution 4..128 (§1). */
    private static final List<Integer> PAPER_SEG_CHANNELS = List.of(512, 512, 512, 512, 256, 128);

    /**
     * The layout recipe of the CPU presets, measured best at their budgets (docs/QUALITY.md): minibatch stddev and a
     * moving average of G_seg's weights. √PixelNorm and fade blending, ProGAN's other stabilizers, lower the class
     * frequencies' distance too but make G_seg drop the thin classes (humans, poles and signs), so they stay off.
     */
    public static final LayoutRecipe CPU_LAYOUT_RECIPE = LayoutRecipe.RELEASED.withMinibatchStddev(true).withEmaBeta(0.999f);

    /** Tests and the default demo on testdata/, minutes on 2 CPU cores (§6). */
    public static final Preset TINY = new Preset("tiny", 8, 2, List.of(64, 64, 32, 16), 128, CPU_LAYOUT_RECIPE, 1f,
            new Spade(16, 32, Upsampling.NORMAL), new PatchD(16, 2, 3), 1, true, Optim.paper(1e-4f),
            // Chosen for 2 CPU cores (§6 leaves it to the preset): batch 16 for the (cheap, ≤32×64) layout GAN,
            // 8 for SPADE and end-to-end. Layout phases of 16 epochs (1680 layout iterations): shorter ones leave the
            // layouts collapsed whatever the recipe (docs/QUALITY.md). SPADE 40 epochs (1200 iterations): 20 leaves G_img
            // drawing vehicles and poles as faint blurs (layout→image mIoU 0.53 against 0.56, docs/QUALITY.md); `--spade-epochs 20`
            // is the earlier schedule. `train --stage all` on testdata/ stays under 15 minutes.
            new Batches(16, 128, 4, 8, 8), new Epochs(16, 40, 1, 4));

    /** CPU runs of an hour or two (§6); K = 8 Cityscapes categories (use {@link #withNumClasses} for 20). */
    public static final Preset SMALL = new Preset("small", 8, 2, List.of(128, 128, 128, 64, 32), 256, CPU_LAYOUT_RECIPE, 1f,
            new Spade(32, 64, Upsampling.NORMAL), new PatchD(32, 2, 3), 1, true, Optim.paper(1e-4f),
            // Chosen for 2 CPU cores: batch 16 for the layout GAN, 8 for SPADE and end-to-end (up to 64×128).
            new Batches(16, 128, 4, 8, 8), new Epochs(10, 20, 1, 2));

    /**
     * Cityscapes paper config (§1–§3, §6): G_seg to 128×256, layout ×2 to SPADE 256×512, "more" upsampling,
     * lr_pgan 1e-5, batches 16 / 24 / 8. SPADE and end-to-end epoch counts are not fixed by the spec: 200
     * SPADE epochs (100 + 100 linear decay, SPADE's paper schedule) and 20 end-to-end epochs are assumptions.
     */
    public static final Preset CITYSCAPES = new Preset("cityscapes", 35, 2, PAPER_SEG_CHANNELS, 512, LayoutRecipe.RELEASED, 1f,
            new Spade(64, 128, Upsampling.MORE), new PatchD(64, 2, 3), 2, true, Optim.paper(1e-5f),
            new Batches(16, 128, 4, 24, 8), new Epochs(150, 200, 1, 20));

    /** ADE-Indoor paper config: G_seg to 128×128, ×2 to SPADE 256×256, lr_pgan 1e-4, batches 36 / 48 / 16. */
    public static final Preset ADE_INDOOR = new Preset("ade-indoor", 95, 1, PAPER_SEG_CHANNELS, 512, LayoutRecipe.RELEASED, 1f,
            new Spade(64, 128, Upsampling.NORMAL), new PatchD(64, 2, 3), 2, true, Optim.paper(1e-4f),
            new Batches(36, 128, 4, 48, 16), new Epochs(100, 200, 1, 20));

    private static final Map<String, Preset> BY_NAME = Map.of(TINY.name, TINY, SMALL.name, SMALL,
            CITYSCAPES.name, CITYSCAPES, ADE_INDOOR.name, ADE_INDOOR);

    /** Names in table order. */
    public static final List<String> NAMES = List.of(TINY.name, SMALL.name, CITYSCAPES.name, ADE_INDOOR.name);

    public Preset {
        segChannels = List.copyOf(segChannels);
        if (layout == null) throw new IllegalArgumentException("preset '" + name + "': no layout recipe");
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("preset needs a name");
        if (numClasses < 2) throw new IllegalArgumentException("preset '" + name + "': K must be >= 2, got " + numClasses);
        if (aspectRatio < 1) throw new IllegalArgumentException("preset '" + name + "': aspect ratio must be >= 1, got " + aspectRatio);
        if (segChannels.isEmpty()) throw new IllegalArgumentException("preset '" + name + "': no G_seg resolutions");
        if (layoutScaling != 1 && layoutScaling != 2) {
            throw new IllegalArgumentException("preset '" + name + "': layoutScaling must be 1 or 2, got " + layoutScaling);
        }
        int topH = 4 << (segChannels.size() - 1);
        startSize(name, topH * layoutScaling, topH * aspectRatio * layoutScaling, aspectRatio, spade.upsampling());
    }

    /** The preset of that name; the error lists the valid names. */
    public static Preset byName(String name) {
        Preset p = BY_NAME.get(name);
        if (p == null) throw new IllegalArgumentException("unknown preset '" + name + "'; valid: " + String.join(", ", NAMES));
        return p;
    }

    /** The same preset with another K (e.g. small with the 20 Cityscapes train ids). */
    public Preset withNumClasses(int k) {
        return new Preset(name, k, aspectRatio, segChannels, zDim, layout, gumbelTemperature, spade,
                patchD, layoutScaling, detachSegInBlocks, optim, batches, epochs);
    }

    /** The same preset with another layout recipe. */
    public Preset withLayout(LayoutRecipe r) {
        return new Preset(name, numClasses, aspectRatio, segChannels, zDim, r, gumbelTemperature, spade,
                patchD, layoutScaling, detachSegInBlocks, optim, batches, epochs);
    }

    /** Textbook PixelNorm with √ ({@link LayoutRecipe#pixelNormSqrt()}). */
    public boolean pixelNormSqrt() {
        return layout.pixelNormSqrt();
    }

    /** ProGAN fade-in blending ({@link LayoutRecipe#fadeBlend()}). */
    public boolean fadeBlend() {
        return layout.fadeBlend();
    }

    /** Number of G_seg resolutions (levels 0 .. levels−1). */
    public int levels() {
        return segChannels.size();
    }

    /** G_seg output size at a level: 4·2^level × 4·ar·2^level. */
    public Size segResolution(int level) {
        if (level < 0 || level >= levels()) {
            throw new IllegalArgumentException("preset '" + name + "' has G_seg levels 0.." + (levels() - 1) + ", not " + level);
        }
        return new Size(4 << level, (4 * aspectRatio) << level);
    }

    /** G_seg channels at a level. */
    public int segChannels(int level) {
        segResolution(level);
        return segChannels.get(level);
    }

    /** G_seg's top resolution (the last level). */
    public Size segTop() {
        return segResolution(levels() - 1);
    }

    /** SPADE's image size: G_seg's top × layoutScaling. */
    public Size imageSize() {
        Size t = segTop();
        return new Size(t.height() * layoutScaling, t.width() * layoutScaling);
    }

    /** SPADE's start size (§2): sw = W / 2^n_up, sh = sw / ar. */
    public Size spadeStartSize() {
        Size s = imageSize();
        return startSize(name, s.height(), s.width(), aspectRatio, spade.upsampling());
    }

    /** Layout-GAN batch at a level: divided by the divisor above {@code segLargeAboveHeight} (§1). */
    public int segBatch(int level) {
        Size s = segResolution(level);
        return s.height() > batches.segLargeAboveHeight() ? Math.max(1, batches.seg() / batches.segLargeDivisor()) : batches.seg();
    }

    /** First SPADE epoch (0-based) of the linear lr decay to 0: the second half of the epochs (§2). */
    public int spadeDecayStartEpoch() {
        return epochs.spade() / 2;
    }

    private static Size startSize(String name, int h, int w, int ar, Upsampling up) {
        int f = 1 << up.numUp;
        if (w % f != 0) {
            throw new IllegalArgumentException("preset '" + name + "': SPADE width " + w + " is not divisible by 2^" + up.numUp
                    + " (" + up.name().toLowerCase() + " upsampling)");
        }
        int sw = w / f;
        if (sw % ar != 0) {
            throw new IllegalArgumentException("preset '" + name + "': SPADE start width " + sw + " is not divisible by ar " + ar);
        }
        int sh = sw / ar;
        if (sh << up.numUp != h) {
            throw new IllegalArgumentException("preset '" + name + "': SPADE start " + sh + "×" + sw + " does not upsample to "
                    + h + "×" + w);
        }
        return new Size(sh, sw);
    }
}
