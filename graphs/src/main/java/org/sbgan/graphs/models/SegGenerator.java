package org.sbgan.graphs.models;

import java.util.ArrayList;
import java.util.List;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.EqualizedConv;
import org.sbgan.graphs.nn.EqualizedLinear;
import org.sbgan.graphs.nn.Params;
import org.sbgan.graphs.nn.PixelNorm;

/**
 * The progressive segmentation generator G_seg (docs/METHOD.md §1), built for one resolution level L
 * (level 0 = 4×4ar, level L = 4·2^L × 4ar·2^L): z [N, zDim] → probability map p [N, K, H, W].
 *
 * <pre>
 * block0:  PixelNorm(z) → fc: EqualizedLinear(z → C0·4·4ar, gain √2/4) → reshape [N,C0,4,4ar] → LReLU(0.2) → PixelNorm
 *          → conv: EqConv3×3(C0→C0) → LReLU(0.2) → PixelNorm
 * block l: nearest ×2 → conv1: EqConv3×3(C(l−1)→C(l)) → LReLU → PixelNorm → conv2: EqConv3×3(C(l)→C(l)) → LReLU → PixelNorm
 * toSegL:  EqConv1×1(C(L)→K, gain 1) → softmax over channels
 * </pre>
 *
 * Parameter names do not depend on L ("gseg.block0.fc", "gseg.block2.conv1", "gseg.toSeg2"), so the level-L
 * network declares every block parameter of the level-(L−1) one under the same name and with the same initial
 * value: progressive training carries the trained state over by name.
 *
 * <p><b>Fade blending</b> ({@link LayoutRecipe#fadeBlend()}; the released code does not blend). At a level L ≥ 1 the
 * network also declares the previous level's output layer "gseg.toSeg(L−1)" (same name, so it carries over) and
 * {@link #forward(Value, Value)} takes the fade weight α (a scalar graph input):
 * <pre>
 *   p = (1−α)·upsample×2(softmax(toSeg(L−1)(x(L−1)))) + α·softmax(toSegL(xL))
 * </pre>
 * where x(L−1) is block L−1's output (block L's input). ProGAN blends the toRGB outputs; here the blend is on the
 * softmax probabilities (not the logits), so that p is a convex combination of two distributions over the K
 * classes and stays one for every α in [0, 1] (and α = 0 / α = 1 give exactly the level-(L−1) / unblended
 * level-L maps). Level 0 has no blend.
 *
 * <p><b>RGB head</b> ({@link Config.Head#RGB}, {@link Config#rgb(Preset, int)}): the paper's comparison model, a
 * ProGAN trained directly on RGB images with G_seg's architecture and schedule. The blocks are the same; the head
 * is {@code toRGB<L>} = EqConv1×1(C(L)→3, gain 1) → tanh, so the output is an image [N, 3, H, W] in [−1, 1], and the
 * network lives under its own scope ("prgb_g.block0.fc", …, "prgb_g.toRGB2") so its state never collides with
 * G_seg's. Fade blending works the same way and, as for the softmax head, blends <em>after</em> the activation:
 * <pre>
 *   image = (1−α)·upsample×2(tanh(toRGB(L−1)(x(L−1)))) + α·tanh(toRGB_L(xL))
 * </pre>
 * (a convex combination of two images in [−1, 1], so it stays in [−1, 1]).
 */
public final class SegGenerator {
    public static final String NAME = "gseg";
    public static final float LRELU = 0.2f;

    /**
     * What the network needs from a preset: level, z size, K, aspect ratio, channels per level, the layout recipe
     * (PixelNorm form, fade blending, the critic's minibatch stddev); and which head it has ({@link Head}) with the
     * scope names of the generator and of its critic ({@link SegCritic} built from the same config).
     */
    public record Config(int level, int zDim, int numClasses, int aspectRatio, List<Integer> channels, LayoutRecipe recipe,
            Head head, String generatorScope, String criticScope) {
        /** The output head of the generator (and input head of the critic). */
        public enum Head {
            /** G_seg: {@code toSeg<L>} EqConv1×1(C→K, gain 1) → softmax over channels; D_seg: {@code fromSeg<L>} K→C. */
            SEG,
            /** ProGAN on RGB: {@code toRGB<L>} EqConv1×1(C→3, gain 1) → tanh; critic {@code fromRGB<L>} 3→C. */
            RGB
        }

        /** Scope names of the RGB ProGAN (distinct from "gseg" / "dseg"). */
        public static final String RGB_GENERATOR = "prgb_g", RGB_CRITIC = "prgb_d";

        public Config {
            channels = List.copyOf(channels);
            if (recipe == null) throw new IllegalArgumentException("G_seg config: no layout recipe");
            if (head == null || generatorScope == null || criticScope == null || generatorScope.isEmpty() || criticScope.isEmpty()) {
                throw new IllegalArgumentException("G_seg config: head and scope names are required");
            }
            if (generatorScope.equals(criticScope)) {
                throw new IllegalArgumentException("G_seg config: generator and critic share the scope '" + generatorScope + "'");
            }
            if (level < 0 || level >= channels.size()) {
                throw new IllegalArgumentException("G_seg level " + level + " outside 0.." + (channels.size() - 1));
            }
        }

        /** The segmentation head (G_seg / D_seg, scopes "gseg" / "dseg"). */
        public Config(int level, int zDim, int numClasses, int aspectRatio, List<Integer> channels, LayoutRecipe recipe) {
            this(level, zDim, numClasses, aspectRatio, channels, recipe, Head.SEG, NAME, SegCritic.NAME);
        }

        /** G_seg / D_seg at a level of the preset. */
        public static Config of(Preset p, int level) {
            p.segResolution(level);
            return new Config(level, p.zDim(), p.numClasses(), p.aspectRatio(), p.segChannels(), p.layout());
        }

        /**
         * The RGB ProGAN at a level of the preset: G_seg's blocks, channels, schedule and fade blending, with the
         * {@link Head#RGB} head and scopes {@link #RGB_GENERATOR} / {@link #RGB_CRITIC}.
         */
        public static Config rgb(Preset p, int level) {
            return of(p, level).withHead(Head.RGB, RGB_GENERATOR, RGB_CRITIC);
        }

        /** This config with another head and scope names. */
        public Config withHead(Head h, String genScope, String critScope) {
            return new Config(level, zDim, numClasses, aspectRatio, channels, recipe, h, genScope, critScope);
        }

        /** Channels of the generator's output / the critic's input: K for {@link Head#SEG}, 3 for {@link Head#RGB}. */
        public int outChannels() {
            return head == Head.SEG ? numClasses : 3;
        }

        /** "toSeg" or "toRGB". */
        String toHead() {
            return head == Head.SEG ? "toSeg" : "toRGB";
        }

        /** "fromSeg" or "fromRGB". */
        String fromHead() {
            return head == Head.SEG ? "fromSeg" : "fromRGB";
        }

        /** The generator's name in messages. */
        String generatorLabel() {
            return head == Head.SEG ? "G_seg" : "ProGAN-RGB G";
        }

        /** The critic's name in messages. */
        String criticLabel() {
            return head == Head.SEG ? "D_seg" : "ProGAN-RGB D";
        }

        /**
         * The network after its fade-in phase: no blending. End-to-end steps, D2 pre-training and inference use it;
         * with α = 1 a blending network computes the same values.
         */
        public Config stabilized() {
            return new Config(level, zDim, numClasses, aspectRatio, channels, recipe.withFadeBlend(false), head, generatorScope, criticScope);
        }

        /** Whether networks of this config blend with the previous level (fadeBlend on and level ≥ 1). */
        public boolean blends() {
            return recipe.fadeBlend() && level >= 1;
        }

        /** Checks a fade weight α: a scalar (rank 0 or every dimension 1). */
        static void checkAlpha(String net, Config cfg, Value alpha) {
            if (!cfg.blends()) {
                throw new IllegalStateException(net + " level " + cfg.level() + " does not blend (fadeBlend "
                        + (cfg.recipe().fadeBlend() ? "on, but level 0 has no fade" : "off") + "); use forward without alpha");
            }
            for (long d : alpha.shape()) {
                if (d != 1) throw new IllegalArgumentException(net + ": fade alpha must be a scalar, got " + alpha);
            }
        }

        /** (1−α)·prev + α·cur. */
        static Value blend(Graph g, Value alpha, Value prev, Value cur) {
            return g.add(g.mul(g.sub(1f, alpha), prev), g.mul(alpha, cur));
        }

        public int channels(int l) {
            return channels.get(l);
        }

        public long height() {
            return 4L << level;
        }

        public long width() {
            return (4L * aspectRatio) << level;
        }
    }

    private final Config cfg;
    private final PixelNorm pn;
    private final String path;
    private final EqualizedLinear fc;
    private final EqualizedConv conv0;
    private final List<EqualizedConv[]> blocks = new ArrayList<>();
    private final List<String> blockPaths = new ArrayList<>();
    private final EqualizedConv toSeg;
    private final EqualizedConv toSegPrev; // fade blending only

    public SegGenerator(Params p, Preset preset, int level) {
        this(p, Config.of(preset, level));
    }

    public SegGenerator(Params p, Config cfg) {
        this.cfg = cfg;
        this.pn = new PixelNorm(cfg.recipe().pixelNormSqrt());
        Graph g = p.graph();
        try (Graph.Scope s = g.scope(cfg.generatorScope())) {
            path = g.layer();
            int c0 = cfg.channels(0);
            try (Graph.Scope b = g.scope("block0")) {
                blockPaths.add(g.layer());
                fc = new EqualizedLinear(p, "fc",
                        EqualizedLinear.Config.of(cfg.zDim(), c0 * 4 * 4 * cfg.aspectRatio()).withGain((float) (Math.sqrt(2) / 4)));
                conv0 = new EqualizedConv(p, "conv", EqualizedConv.Config.of(c0, c0, 3, 1));
            }
            for (int l = 1; l <= cfg.level(); l++) {
                try (Graph.Scope b = g.scope("block" + l)) {
                    blockPaths.add(g.layer());
                    int cin = cfg.channels(l - 1), cout = cfg.channels(l);
                    blocks.add(new EqualizedConv[] {
                        new EqualizedConv(p, "conv1", EqualizedConv.Config.of(cin, cout, 3, 1)),
                        new EqualizedConv(p, "conv2", EqualizedConv.Config.of(cout, cout, 3, 1))});
                }
            }
            toSeg = new EqualizedConv(p, cfg.toHead() + cfg.level(),
                    EqualizedConv.Config.of(cfg.channels(cfg.level()), cfg.outChannels(), 1, 0).withGain(1f));
            toSegPrev = cfg.blends() ? new EqualizedConv(p, cfg.toHead() + (cfg.level() - 1),
                    EqualizedConv.Config.of(cfg.channels(cfg.level() - 1), cfg.outChannels(), 1, 0).withGain(1f)) : null;
        }
    }

    public Config config() {
        return cfg;
    }

    /**
     * z [N, zDim] → p [N, K, 4·2^L, 4ar·2^L], a softmax over the K channels (RGB head: an image [N, 3, …] in
     * [−1, 1], tanh). Refused (IllegalStateException) when the network blends (fadeBlend at level ≥ 1): use
     * {@link #forward(Value, Value)}.
     */
    public Value forward(Value z) {
        if (cfg.blends()) {
            throw new IllegalStateException(cfg.generatorLabel() + " level " + cfg.level() + " has fadeBlend on: forward needs the fade alpha, "
                    + "use forward(z, alpha)");
        }
        return run(z, null);
    }

    /** Fade-blended output (fadeBlend on, level ≥ 1): (1−α)·upsample×2(p(L−1)) + α·pL, α a scalar. */
    public Value forward(Value z, Value alpha) {
        Config.checkAlpha(cfg.generatorLabel(), cfg, alpha);
        return run(z, alpha);
    }

    private Value run(Value z, Value alpha) {
        Graph g = z.graph();
        if (z.rank() != 2 || z.dim(1) != cfg.zDim()) {
            throw new IllegalArgumentException(cfg.generatorLabel() + " expects z [N, " + cfg.zDim() + "], got " + z);
        }
        Value x;
        try (Graph.Scope s = g.scopeAt(blockPaths.get(0))) {
            x = fc.forward(pn.forward(z));
            x = g.reshape(x, -1, cfg.channels(0), 4, 4L * cfg.aspectRatio());
            x = pn.forward(g.leakyRelu(x, LRELU));
            x = conv0.forward(x);
            x = pn.forward(g.leakyRelu(x, LRELU));
        }
        Value prev = null;
        for (int l = 1; l <= cfg.level(); l++) {
            EqualizedConv[] convs = blocks.get(l - 1);
            if (l == cfg.level()) prev = x;
            try (Graph.Scope s = g.scopeAt(blockPaths.get(l))) {
                x = g.upsampleNearest(x, 2, 2);
                x = convs[0].forward(x);
                x = pn.forward(g.leakyRelu(x, LRELU));
                x = convs[1].forward(x);
                x = pn.forward(g.leakyRelu(x, LRELU));
            }
        }
        Value logits = toSeg.forward(x);
        Value out;
        try (Graph.Scope s = g.scopeAt(path + "." + cfg.toHead() + cfg.level())) {
            out = activate(g, logits);
        }
        if (alpha == null) return out;
        Value prevLogits = toSegPrev.forward(prev);
        try (Graph.Scope s = g.scopeAt(path + ".fade")) {
            Value prevOut = g.upsampleNearest(activate(g, prevLogits), 2, 2);
            return Config.blend(g, alpha, prevOut, out);
        }
    }

    /** The head's activation: softmax over the channels (SEG) or tanh (RGB). */
    private Value activate(Graph g, Value logits) {
        return cfg.head() == Config.Head.SEG ? g.softmax(logits, 1) : g.tanh(logits);
    }
}
