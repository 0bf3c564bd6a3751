package org.sbgan.graphs.models;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.List;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.loss.Losses;
import org.sbgan.graphs.loss.VggLoss;
import org.sbgan.graphs.nn.Init;
import org.sbgan.graphs.nn.Params;
import org.sbgan.graphs.nn.StepParams;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.optim.Ema;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;

/**
 * The training-step graphs of every SB-GAN stage (docs/METHOD.md §1–§3), one static builder per step. Each returns
 * a {@link StepGraph} (forward, backward and Adam) for a {@link Preset}, a parameter seed and a batch size N.
 *
 * <p><b>Shared parameters.</b> All steps use {@link StepParams} with the given seed, and initial values are a
 * function of (seed, qualified name), so a tensor such as {@code gseg.block0.fc.weight} starts with the same value
 * in every step that declares it; the trainer carries state between steps by name.
 *
 * <p><b>Who writes what.</b> A step writes only the networks it updates: their parameters, their buffers and
 * their optimizer state ({@code opt.<group>.step}, {@code <param>.adam_v}). Networks a step only reads (the
 * critic in a G step, the generators in a D step) are built with frozen parameters: they are read as state,
 * run in training mode (batch statistics, the current spectral-norm vector u) but their buffers (BatchNorm
 * running statistics, SN u) are <em>not</em> written — that is left to the step that trains the network.
 *
 * <p><b>Fused batches.</b> BatchNorm (in G_img) and the SN power iteration allow one forward per network per
 * training graph. Where the spec passes two batches through one network, they are concatenated along N, run
 * once, and split: real and fake through D1/D2 ("fake and real pass through D in one batch", §2), and in
 * end-to-end fine-tuning G_img on [sampled layouts; real layouts] (a 2N batch, so G_img's batch statistics are
 * those of the 2N fused batch, not of each half separately). D_seg has no batch statistics and is called per
 * input (real, fake, x̂).
 *
 * <p><b>Inputs.</b> Noise: {@code z} [N, zDim] ~ N(0, I); {@code gumbel} [N, K, h, w] = −log(E + 1e-10), E ~
 * Exp(1) at G_seg's resolution; {@code alpha} [N,1,1,1] ~ U(0,1). Batches: {@code real_layout} one-hot
 * [N, K, h, w] (at the level's size in the layout-GAN steps, at the image size in the SPADE and end-to-end steps)
 * and {@code real_image} [N, 3, H, W] in [−1, 1]. Learning rates: {@code lr.<group>} per Adam group. In the
 * end-to-end D step the real layout at G_seg's resolution is the image-size one nearest-downsampled by
 * {@link Preset#layoutScaling()} (identical to resizing the label map with nearest, §1).
 */
public final class Stages {
    /** Adam groups (the lr input is {@code lr.<group>}, the step counter {@code opt.<group>.step}). */
    public static final String GSEG = "gseg", DSEG = "dseg", GIMG = "gimg", D1 = "d1", D2 = "d2";
    /**
     * Adam groups (and state scopes) of the comparison model, a ProGAN trained directly on RGB images with G_seg's
     * and D_seg's architecture and schedule ({@link #proganG}, {@link #proganD}).
     */
    public static final String PRGB_G = SegGenerator.Config.RGB_GENERATOR, PRGB_D = SegGenerator.Config.RGB_CRITIC;
    /** Input names. */
    public static final String Z = "z", GUMBEL = "gumbel", ALPHA = "alpha", REAL_LAYOUT = "real_layout", REAL_IMAGE = "real_image";
    /**
     * The real side of D2 in the end-to-end D step: the batch's own images, or images without label maps (the
     * paper's partially-labelled setting, §3) — a separate input because D2 is unconditional.
     */
    public static final String D2_REAL_IMAGE = "d2_real_image";
    /**
     * The fade weight α of the layout-GAN steps at a level ≥ 1 when the preset has fadeBlend (§1): a scalar HYPER
     * input, ramped 0→1 by the trainer over the fade phase and 1 in the stabilize phase.
     */
    public static final String FADE_ALPHA = "fade_alpha";
    /** End-to-end weights of the D_seg and D2 terms (§3). */
    public static final float E2E_SEG_WEIGHT = 10f, E2E_D2_WEIGHT = 0.1f;

    private Stages() {}

    /**
     * The optional VGG19 perceptual loss of the SPADE G losses (§2): an imported VGG19 ONNX model (weights become
     * constants named {@code vgg.<initializer>}), the name of its source in errors, and the taps/weights/λ.
     */
    public record Vgg(OnnxMl.ModelProto model, String source, VggLoss.Config config) {
        /** The state/constant prefix of the VGG weights. */
        public static final String PREFIX = "vgg.";

        public Vgg {
            if (model == null || source == null || config == null) throw new IllegalArgumentException("Vgg: null model, source or config");
        }

        /** Taps by Relu order ({@link VggLoss.Config#vgg19ByReluOrder}), spec weights, λ = 10. */
        public static Vgg of(OnnxMl.ModelProto model, String source) {
            return new Vgg(model, source, VggLoss.Config.vgg19ByReluOrder(model));
        }

        /** The weighted loss of fake against real images ([N,3,H,W] in [−1, 1]). */
        Value loss(Graph g, Value fake, Value real) {
            return VggLoss.loss(g, model, source, PREFIX, config, fake, real);
        }

        /**
         * Checks that the model imports as an image network for {@code p}'s image size by building the loss once in
         * a scratch graph; throws IllegalArgumentException with a one-line message naming the source otherwise.
         */
        public Vgg check(Preset p) {
            Preset.Size s = p.imageSize();
            try {
                Graph g = new Graph("vgg_check");
                Value a = g.input("fake", 1, 3, s.height(), s.width()), b = g.input("real", 1, 3, s.height(), s.width());
                loss(g, a, b);
            } catch (RuntimeException e) {
                String m = String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", " ");
                throw new IllegalArgumentException(m.contains(source) ? m : source + ": " + m, e);
            }
            return this;
        }
    }

    /**
     * The optional G_img losses beside the spec's hinge + feature matching, added to the SPADE G step and to the
     * real-layout half of the end-to-end G step: the VGG19 perceptual loss ({@link Vgg}) and the frozen segmenter's
     * cross-entropy ({@link SegmenterLoss}); either may be null (off).
     */
    public record ImageLosses(Vgg vgg, SegmenterLoss segmenter) {
        public static final ImageLosses NONE = new ImageLosses(null, null);

        /**
         * loss + the terms that are on, each also a metric ("vgg", "segmenter"), for fake images of real layouts. The
         * segmenter's weights are state the step reads and never writes ({@code segnet.*}, frozen, inference mode).
         */
        Value addTo(StepBuilder sb, StepParams sp, Value loss, Value fake, Value layout, Value real) {
            Graph g = sb.graph();
            if (vgg != null) {
                Value v = vgg.loss(g, fake, real);
                sb.metric("vgg", v);
                loss = g.add(loss, v);
            }
            if (segmenter != null) {
                Value v = segmenter.loss(new Frozen(sp, false), fake, layout);
                sb.metric("segmenter", v);
                loss = g.add(loss, v);
            }
            return loss;
        }

        /** " + VGG19 perceptual ×10 of FILE + segmenter CE ×1 of SEG", or "" when none is on. */
        String describe() {
            return (vgg == null ? "" : " + VGG19 perceptual ×10 of " + vgg.source()) + (segmenter == null ? "" : " + " + segmenter.describe());
        }
    }

    /**
     * Parameters that are read but whose buffers are never written (networks a step does not train). They run in
     * training mode (batch statistics), except a network frozen for inference (the segmenter of the segmenter loss),
     * which reads its running statistics.
     */
    private static final class Frozen implements Params {
        private final Params inner;
        private final boolean training;

        Frozen(Params inner) {
            this(inner, true);
        }

        Frozen(Params inner, boolean training) {
            this.inner = inner;
            this.training = training;
        }

        @Override
        public Graph graph() {
            return inner.graph();
        }

        @Override
        public Value param(String local, Init init, long... shape) {
            return inner.param(local, init, shape);
        }

        @Override
        public Value buffer(String local, Init init, long... shape) {
            return inner.buffer(local, init, shape);
        }

        @Override
        public void update(Value buffer, Value next) {
            // not trained in this step: buffers stay as they are
        }

        @Override
        public boolean training() {
            return training;
        }
    }

    private static Adam.Config cfg(Preset.AdamSpec s) {
        return new Adam.Config(s.beta1(), s.beta2(), s.eps(), 0f);
    }

    private static List<Value> paramsOf(StepBuilder sb, String prefix) {
        return sb.params().stream().filter(v -> v.name().startsWith(prefix + ".")).toList();
    }

    /** Adam on the named groups from one backward pass of {@code loss}, each with its optimiser in {@code stage}. */
    private static void update(StepBuilder sb, Value loss, Preset p, TrainingStage stage, String... groupNames) {
        List<String> groups = List.of(groupNames);
        List<Preset.AdamSpec> specs = groups.stream().map(gr -> stage.adam(p, gr)).toList();
        List<Value> all = new ArrayList<>();
        List<List<Value>> per = new ArrayList<>();
        for (String gr : groups) {
            List<Value> ps = paramsOf(sb, gr);
            if (ps.isEmpty()) throw new IllegalStateException("no parameters in group '" + gr + "'");
            per.add(ps);
            all.addAll(ps);
        }
        List<Value> grads = Gradients.of(loss, all);
        int at = 0;
        for (int i = 0; i < groups.size(); i++) {
            int n = per.get(i).size();
            Adam.update(sb, groups.get(i), cfg(specs.get(i)), per.get(i), grads.subList(at, at + n));
            at += n;
        }
    }

    /** Splits every output of a multi-scale D run on [first; second] (along N) into the two halves. */
    private static List<List<List<Value>>> splitOutputs(Graph g, List<List<Value>> outs, long n) {
        List<List<Value>> a = new ArrayList<>(), b = new ArrayList<>();
        for (List<Value> scale : outs) {
            List<Value> sa = new ArrayList<>(), sbv = new ArrayList<>();
            for (Value v : scale) {
                List<Value> parts = g.split(v, 0, n, n);
                sa.add(parts.get(0));
                sbv.add(parts.get(1));
            }
            a.add(sa);
            b.add(sbv);
        }
        return List.of(a, b);
    }

    private static Value upsampleLayout(Graph g, Preset p, Value layout) {
        int s = p.layoutScaling();
        return s == 1 ? layout : g.upsampleNearest(layout, s, s);
    }

    private static Value segNoise(StepBuilder sb, Preset p, int level, int batch) {
        Preset.Size s = p.segResolution(level);
        return sb.noise(GUMBEL, batch, p.numClasses(), s.height(), s.width());
    }

    private static Value realLayout(StepBuilder sb, Preset p, Preset.Size s, int batch) {
        return sb.batch(REAL_LAYOUT, batch, p.numClasses(), s.height(), s.width());
    }

    private static Value realImage(StepBuilder sb, Preset p, int batch) {
        Preset.Size s = p.imageSize();
        return sb.batch(REAL_IMAGE, batch, 3, s.height(), s.width());
    }

    /** The fade weight α (HYPER input {@link #FADE_ALPHA}) when the level blends (fadeBlend, level ≥ 1), else null. */
    private static Value fadeAlpha(StepBuilder sb, SegGenerator.Config c) {
        return c.blends() ? sb.hyper(FADE_ALPHA) : null;
    }

    private static void checkBatch(int batch, int min) {
        if (batch < min) throw new IllegalArgumentException("batch must be >= " + min + ", got " + batch);
    }

    /**
     * Layout-GAN G step at a level (§1, "Loss and optimizer"): loss_g = −mean D_seg(ST-Gumbel(G_seg(z))); Adam
     * (preset optim segG) on G_seg only, group "gseg". Metric: loss_g. With the layout recipe's entropy weight w,
     * loss_g += w · mean pixel entropy of G_seg's probabilities (metric "entropy"); with its EMA decay, the step also
     * writes the moving average of G_seg's weights ({@link Ema}).
     */
    public static StepGraph segG(Preset p, int level, int batch, long seed) {
        checkBatch(batch, 1);
        StepBuilder sb = new StepBuilder("seg_g_" + level);
        StepParams sp = new StepParams(sb, seed);
        Graph g = sb.graph();
        Value z = sb.noise(Z, batch, p.zDim()), gn = segNoise(sb, p, level, batch);
        SegGenerator gen = new SegGenerator(sp, p, level);
        SegCritic crit = new SegCritic(new Frozen(sp), p, level);
        Value fa = fadeAlpha(sb, gen.config());
        Value probs = fa == null ? gen.forward(z) : gen.forward(z, fa);
        Value fake = g.gumbelSoftmaxST(probs, gn, p.gumbelTemperature());
        Value loss = Losses.wganG(fa == null ? crit.forward(fake) : crit.forward(fake, fa));
        float ew = p.layout().entropyWeight();
        Value entropy = ew > 0 ? Losses.pixelEntropy(g, probs) : null;
        if (entropy != null) loss = g.add(loss, g.mul(entropy, ew));
        update(sb, loss, p, TrainingStage.SEG, GSEG);
        if (p.layout().emaBeta() > 0) Ema.update(sb, paramsOf(sb, GSEG), p.layout().emaBeta(), g.value(Adam.stepState(GSEG)));
        sb.metric("loss_g", loss);
        if (entropy != null) sb.metric("entropy", entropy);
        return sb.build("docs/METHOD.md §1 layout-GAN G step, level " + level + ": −mean D_seg(ST-Gumbel(G_seg(z))); updates gseg");
    }

    /**
     * Layout-GAN D step at a level (§1): WGAN-GP (λ 10) with real one-hot layouts and fake = ST-Gumbel(G_seg(z))
     * as constants; Adam (preset optim segD) on D_seg only, group "dseg". Metrics: loss_d, wasserstein, gp.
     */
    public static StepGraph segD(Preset p, int level, int batch, long seed) {
        checkBatch(batch, 1);
        StepBuilder sb = new StepBuilder("seg_d_" + level);
        StepParams sp = new StepParams(sb, seed);
        Graph g = sb.graph();
        Value real = realLayout(sb, p, p.segResolution(level), batch);
        Value z = sb.noise(Z, batch, p.zDim()), gn = segNoise(sb, p, level, batch), alpha = sb.noise(ALPHA, batch, 1, 1, 1);
        SegGenerator gen = new SegGenerator(new Frozen(sp), p, level);
        SegCritic crit = new SegCritic(sp, p, level);
        Value fa = fadeAlpha(sb, gen.config());
        Value fake = g.stopGradient(g.gumbelSoftmaxST(fa == null ? gen.forward(z) : gen.forward(z, fa), gn, p.gumbelTemperature()));
        Losses.WganGp l = Losses.wganGpD(g, fa == null ? crit::forward : x -> crit.forward(x, fa), real, fake, alpha);
        update(sb, l.total(), p, TrainingStage.SEG, DSEG);
        sb.metric("loss_d", l.total());
        sb.metric("wasserstein", l.wasserstein());
        sb.metric("gp", l.penalty());
        return sb.build("docs/METHOD.md §1 layout-GAN D step, level " + level + ": WGAN-GP (λ 10) of D_seg; updates dseg");
    }

    /**
     * RGB ProGAN G step at a level (the paper's comparison model: G_seg's architecture with a 3-channel tanh head,
     * same schedule): loss_g = −mean D(G(z)), the generated image going straight into the critic (no Gumbel).
     * Adam (preset optim segG) on the generator only, group {@link #PRGB_G}. With fadeBlend at a level ≥ 1 both
     * networks take the scalar HYPER input {@link #FADE_ALPHA}, as in {@link #segG}. Metric: loss_g.
     */
    public static StepGraph proganG(Preset p, int level, int batch, long seed) {
        checkBatch(batch, 1);
        StepBuilder sb = new StepBuilder("progan_g_" + level);
        StepParams sp = new StepParams(sb, seed);
        SegGenerator.Config c = SegGenerator.Config.rgb(p, level);
        Value z = sb.noise(Z, batch, p.zDim());
        SegGenerator gen = new SegGenerator(sp, c);
        SegCritic crit = new SegCritic(new Frozen(sp), c);
        Value fa = fadeAlpha(sb, c);
        Value fake = fa == null ? gen.forward(z) : gen.forward(z, fa);
        Value loss = Losses.wganG(fa == null ? crit.forward(fake) : crit.forward(fake, fa));
        update(sb, loss, p, TrainingStage.PROGAN_RGB, PRGB_G);
        if (p.layout().emaBeta() > 0) Ema.update(sb, paramsOf(sb, PRGB_G), p.layout().emaBeta(), sb.graph().value(Adam.stepState(PRGB_G)));
        sb.metric("loss_g", loss);
        return sb.build("RGB ProGAN G step, level " + level + ": −mean D(G(z)) with G_seg/D_seg architectures and an RGB head; updates "
                + PRGB_G);
    }

    /**
     * RGB ProGAN D step at a level: WGAN-GP (λ 10) with real images {@code real_image} [N, 3, h, w] in [−1, 1] at
     * the level's resolution (the trainer resizes them) and fake = G(z) as a constant. Adam (preset optim segD) on
     * the critic only, group {@link #PRGB_D}. Fade handling as in {@link #segD}. Metrics: loss_d, wasserstein, gp.
     */
    public static StepGraph proganD(Preset p, int level, int batch, long seed) {
        checkBatch(batch, 1);
        StepBuilder sb = new StepBuilder("progan_d_" + level);
        StepParams sp = new StepParams(sb, seed);
        Graph g = sb.graph();
        SegGenerator.Config c = SegGenerator.Config.rgb(p, level);
        Preset.Size s = p.segResolution(level);
        Value real = sb.batch(REAL_IMAGE, batch, 3, s.height(), s.width());
        Value z = sb.noise(Z, batch, p.zDim()), alpha = sb.noise(ALPHA, batch, 1, 1, 1);
        SegGenerator gen = new SegGenerator(new Frozen(sp), c);
        SegCritic crit = new SegCritic(sp, c);
        Value fa = fadeAlpha(sb, c);
        Value fake = g.stopGradient(fa == null ? gen.forward(z) : gen.forward(z, fa));
        Losses.WganGp l = Losses.wganGpD(g, fa == null ? crit::forward : x -> crit.forward(x, fa), real, fake, alpha);
        update(sb, l.total(), p, TrainingStage.PROGAN_RGB, PRGB_D);
        sb.metric("loss_d", l.total());
        sb.metric("wasserstein", l.wasserstein());
        sb.metric("gp", l.penalty());
        return sb.build("RGB ProGAN D step, level " + level + ": WGAN-GP (λ 10) of the RGB critic on real images vs G(z); updates "
                + PRGB_D);
    }

    /** SPADE G losses against D1 (frozen) for fakes from real layouts: [hinge, fm]. D1 runs once on [fake; real]. */
    private static Value[] spadeGLosses(Graph g, PatchDiscriminator d1, Value layout, Value fakeImage, Value realImage, long n) {
        Value fakePair = g.concat(1, layout, fakeImage), realPair = g.concat(1, layout, realImage);
        List<List<List<Value>>> fr = splitOutputs(g, d1.forward(g.concat(0, fakePair, realPair)), n);
        Value hinge = Losses.hingeG(Losses.lastOfEachScale(fr.get(0)));
        Value fm = Losses.featureMatching(Losses.intermediatesOfEachScale(fr.get(0)), Losses.intermediatesOfEachScale(fr.get(1)));
        return new Value[] {hinge, fm};
    }

    /** Multi-scale hinge D loss of a D run once on [fake; real] (fake already constant). */
    private static Value hingeDFused(Graph g, PatchDiscriminator d, Value fake, Value real, long n) {
        List<List<List<Value>>> fr = splitOutputs(g, d.forward(g.concat(0, fake, real)), n);
        return Losses.hingeD(Losses.lastOfEachScale(fr.get(1)), Losses.lastOfEachScale(fr.get(0)));
    }

    /**
     * SPADE G step (§2): fake = G_img(real layout); loss_g = hingeG over D1(concat(layout, fake)) scales + feature
     * matching (×10 / num_D) against D1's features of the real pair (fake and real through D1 in one batch); VGG
     * off. Adam (preset optim spadeG, TTUR) on G_img only, group "gimg". Metrics: loss_g, hinge, fm.
     */
    public static StepGraph spadeG(Preset p, int batch, long seed) {
        return spadeG(p, batch, seed, ImageLosses.NONE);
    }

    /**
     * {@link #spadeG(Preset, int, long)} with the optional image losses that are on in {@code extra} added to loss_g
     * (metrics "vgg", "segmenter").
     */
    public static StepGraph spadeG(Preset p, int batch, long seed, ImageLosses extra) {
        checkBatch(batch, 1);
        StepBuilder sb = new StepBuilder("spade_g");
        StepParams sp = new StepParams(sb, seed);
        Graph g = sb.graph();
        Value layout = realLayout(sb, p, p.imageSize(), batch), image = realImage(sb, p, batch);
        ImageGenerator gen = new ImageGenerator(sp, p);
        PatchDiscriminator d1 = new PatchDiscriminator(new Frozen(sp), D1, PatchDiscriminator.Config.d1(p));
        Value fake = gen.forward(layout);
        Value[] l = spadeGLosses(g, d1, layout, fake, image, batch);
        Value loss = extra.addTo(sb, sp, g.add(l[0], l[1]), fake, layout, image);
        update(sb, loss, p, TrainingStage.SPADE, GIMG);
        sb.metric("loss_g", loss);
        sb.metric("hinge", l[0]);
        sb.metric("fm", l[1]);
        String more = extra.describe();
        return sb.build("docs/METHOD.md §2 SPADE G step: hinge G over D1 scales + feature matching" + (more.isEmpty() ? " (VGG off)" : more)
                + "; updates gimg");
    }

    /**
     * SPADE D step (§2): hinge D loss of D1 on (layout, real image) vs (layout, G_img(layout)) — the fake constant,
     * fake and real through D1 in one batch. Adam (preset optim spadeD, TTUR) on D1 only, group "d1". Metric: loss_d.
     */
    public static StepGraph spadeD(Preset p, int batch, long seed) {
        checkBatch(batch, 1);
        StepBuilder sb = new StepBuilder("spade_d");
        StepParams sp = new StepParams(sb, seed);
        Graph g = sb.graph();
        Value layout = realLayout(sb, p, p.imageSize(), batch), image = realImage(sb, p, batch);
        ImageGenerator gen = new ImageGenerator(new Frozen(sp), p);
        PatchDiscriminator d1 = new PatchDiscriminator(sp, D1, PatchDiscriminator.Config.d1(p));
        Value fake = g.stopGradient(gen.forward(layout));
        Value loss = hingeDFused(g, d1, g.concat(1, layout, fake), g.concat(1, layout, image), batch);
        update(sb, loss, p, TrainingStage.SPADE, D1);
        sb.metric("loss_d", loss);
        return sb.build("docs/METHOD.md §2 SPADE D step: multi-scale hinge of D1, real and fake pairs in one batch; updates d1");
    }

    /**
     * D2 pre-training step (§3): fake = G_img(upsample(one_hot(argmax(G_seg(z))))) at G_seg's top level, no noise,
     * constant (generators frozen, G_img with batch statistics); hinge D loss of D2 on [fake; real images] in one
     * batch. Adam (preset optim d2) on D2 only, group "d2". Metric: loss_d.
     */
    public static StepGraph d2Pretrain(Preset p, int batch, long seed) {
        checkBatch(batch, 1);
        StepBuilder sb = new StepBuilder("d2_pretrain");
        StepParams sp = new StepParams(sb, seed);
        Graph g = sb.graph();
        Value image = realImage(sb, p, batch);
        Value z = sb.noise(Z, batch, p.zDim());
        Frozen fz = new Frozen(sp);
        SegGenerator seg = new SegGenerator(fz, SegGenerator.Config.of(p, p.levels() - 1).stabilized());
        ImageGenerator gen = new ImageGenerator(fz, p);
        PatchDiscriminator d2 = new PatchDiscriminator(sp, D2, PatchDiscriminator.Config.d2(p));
        Value layout = g.oneHot(g.argMax(seg.forward(z), 1, false), p.numClasses(), 1);
        Value fake = g.stopGradient(gen.forward(upsampleLayout(g, p, layout)));
        Value loss = hingeDFused(g, d2, fake, image, batch);
        update(sb, loss, p, TrainingStage.E2E, D2);
        sb.metric("loss_d", loss);
        return sb.build("docs/METHOD.md §3 D2 pre-training step: hinge of D2 on G_img(upsample(one_hot(argmax(G_seg(z))))) vs real images; updates d2");
    }

    /**
     * End-to-end G step (§3): with y = ST-Gumbel(G_seg(z)) at G_seg's top level,
     * loss_g = 10·(−mean D_seg(y)) + 0.1·hingeG(D2(G_img(upsample(y)))) + hingeG(D1 on real layouts) + fm (VGG off).
     * G_img runs once on [upsample(y); real layouts] (2N fused batch) and is split. Adam on G_seg (group "gseg",
     * preset optim e2eSeg; a fresh optimizer state is the trainer's concern) and G_img (group "gimg", spadeG).
     * Metrics: loss_g, seg_g (−mean D_seg), d2_g, hinge (D1), fm.
     */
    public static StepGraph e2eG(Preset p, int batch, long seed) {
        return e2eG(p, batch, seed, ImageLosses.NONE);
    }

    /**
     * {@link #e2eG(Preset, int, long)} with the optional image losses that are on in {@code extra}, on the real-layout
     * half: loss_g += terms of (G_img(real layout), real layout, real image), metrics "vgg", "segmenter".
     */
    public static StepGraph e2eG(Preset p, int batch, long seed, ImageLosses extra) {
        checkBatch(batch, 1);
        int top = p.levels() - 1;
        StepBuilder sb = new StepBuilder("e2e_g");
        StepParams sp = new StepParams(sb, seed);
        Frozen fz = new Frozen(sp);
        Graph g = sb.graph();
        Value layout = realLayout(sb, p, p.imageSize(), batch), image = realImage(sb, p, batch);
        Value z = sb.noise(Z, batch, p.zDim()), gn = segNoise(sb, p, top, batch);
        SegGenerator seg = new SegGenerator(sp, SegGenerator.Config.of(p, top).stabilized());
        SegCritic dseg = new SegCritic(fz, SegGenerator.Config.of(p, top).stabilized());
        ImageGenerator gen = new ImageGenerator(sp, p);
        PatchDiscriminator d1 = new PatchDiscriminator(fz, D1, PatchDiscriminator.Config.d1(p));
        PatchDiscriminator d2 = new PatchDiscriminator(fz, D2, PatchDiscriminator.Config.d2(p));

        Value y = g.gumbelSoftmaxST(seg.forward(z), gn, p.gumbelTemperature());
        Value segLoss = Losses.wganG(dseg.forward(y));
        List<Value> imgs = g.split(gen.forward(g.concat(0, upsampleLayout(g, p, y), layout)), 0, batch, batch);
        Value d2Loss = Losses.hingeG(Losses.lastOfEachScale(d2.forward(imgs.get(0))));
        Value[] l = spadeGLosses(g, d1, layout, imgs.get(1), image, batch);
        Value loss = g.add(g.add(g.mul(segLoss, E2E_SEG_WEIGHT), g.mul(d2Loss, E2E_D2_WEIGHT)), g.add(l[0], l[1]));
        loss = extra.addTo(sb, sp, loss, imgs.get(1), layout, image);
        update(sb, loss, p, TrainingStage.E2E, GSEG, GIMG);
        sb.metric("loss_g", loss);
        sb.metric("seg_g", segLoss);
        sb.metric("d2_g", d2Loss);
        sb.metric("hinge", l[0]);
        sb.metric("fm", l[1]);
        return sb.build("docs/METHOD.md §3 end-to-end G step: 10·WGAN G of D_seg + 0.1·hinge G of D2 on the same sample + SPADE G"
                + " losses with D1 on real layouts" + extra.describe() + "; G_img fused over [sampled; real] layouts; updates gseg, gimg");
    }

    /**
     * End-to-end D step (§3): loss_d = 10·WGAN-GP(D_seg; real layouts at G_seg's resolution, fresh sample y,
     * constants) + hingeD(D1; real pairs vs G_img(real layout)) + 0.1·hingeD(D2; G_img(upsample(y)) vs the real
     * images of {@link #D2_REAL_IMAGE}). G_img (frozen, constant) runs once on [upsample(y); real layouts]; D1 and D2 each run once on
     * [fake; real]. Adam on D_seg (group "dseg", e2eSeg), D1 ("d1", spadeD), D2 ("d2", d2).
     * Metrics: loss_d, wasserstein, gp, d1_hinge, d2_hinge.
     */
    public static StepGraph e2eD(Preset p, int batch, long seed) {
        checkBatch(batch, 1);
        int top = p.levels() - 1;
        StepBuilder sb = new StepBuilder("e2e_d");
        StepParams sp = new StepParams(sb, seed);
        Frozen fz = new Frozen(sp);
        Graph g = sb.graph();
        Value layout = realLayout(sb, p, p.imageSize(), batch), image = realImage(sb, p, batch);
        Preset.Size is = p.imageSize();
        Value d2Real = sb.batch(D2_REAL_IMAGE, batch, 3, is.height(), is.width());
        Value z = sb.noise(Z, batch, p.zDim()), gn = segNoise(sb, p, top, batch), alpha = sb.noise(ALPHA, batch, 1, 1, 1);
        SegGenerator seg = new SegGenerator(fz, SegGenerator.Config.of(p, top).stabilized());
        SegCritic dseg = new SegCritic(sp, SegGenerator.Config.of(p, top).stabilized());
        ImageGenerator gen = new ImageGenerator(fz, p);
        PatchDiscriminator d1 = new PatchDiscriminator(sp, D1, PatchDiscriminator.Config.d1(p));
        PatchDiscriminator d2 = new PatchDiscriminator(sp, D2, PatchDiscriminator.Config.d2(p));

        Value y = g.stopGradient(g.gumbelSoftmaxST(seg.forward(z), gn, p.gumbelTemperature()));
        int s = p.layoutScaling();
        Value realSeg = s == 1 ? layout : g.downsampleNearest(layout, s, s);
        Losses.WganGp w = Losses.wganGpD(g, dseg::forward, realSeg, y, alpha);
        List<Value> imgs = g.split(g.stopGradient(gen.forward(g.concat(0, upsampleLayout(g, p, y), layout))), 0, batch, batch);
        Value d1Loss = hingeDFused(g, d1, g.concat(1, layout, imgs.get(1)), g.concat(1, layout, image), batch);
        Value d2Loss = hingeDFused(g, d2, imgs.get(0), d2Real, batch);
        Value loss = g.add(g.add(g.mul(w.total(), E2E_SEG_WEIGHT), d1Loss), g.mul(d2Loss, E2E_D2_WEIGHT));
        update(sb, loss, p, TrainingStage.E2E, DSEG, D1, D2);
        sb.metric("loss_d", loss);
        sb.metric("wasserstein", w.wasserstein());
        sb.metric("gp", w.penalty());
        sb.metric("d1_hinge", d1Loss);
        sb.metric("d2_hinge", d2Loss);
        return sb.build("docs/METHOD.md §3 end-to-end D step: 10·WGAN-GP of D_seg + hinge of D1 on real pairs vs G_img(real layout)"
                + " + 0.1·hinge of D2 on G_img(sampled layout) vs real images; updates dseg, d1, d2");
    }
}
