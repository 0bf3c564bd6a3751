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
 * The progressive segmentation generator G_seg (SBGAN-SPEC §1), built for one resolution level L
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
 * <p><b>Fade blending</b> ({@link Preset#fadeBlend()}, off by default = released code). At a level L ≥ 1 the
 * network also declares the previous level's output layer "gseg.toSeg(L−1)" (same name, so it carries over) and
 * {@link #forward(Value, Value)} takes the fade weight α (a scalar graph input):
 * <pre>
 *   p = (1−α)·upsample×2(softmax(toSeg(L−1)(x(L−1)))) + α·softmax(toSegL(xL))
 * </pre>
 * where x(L−1) is block L−1's output (block L's input). ProGAN blends the toRGB outputs; here the blend is on the
 * softmax probabilities (not the logits), so that p is a convex combination of two distributions over the K
 * classes and stays one for every α in [0, 1] (and α = 0 / α = 1 give exactly the level-(L−1) / unblended
 * level-L maps). Level 0 has no blend.
 */
public final class SegGenerator {
    public static final String NAME = "gseg";
    public static final float LRELU = 0.2f;

    /** What the network needs from a preset: level, z size, K, aspect ratio, channels per level, PixelNorm form. */
    public record Config(int level, int zDim, int numClasses, int aspectRatio, List<Integer> channels, boolean pixelNormSqrt,
            boolean fadeBlend) {
        public Config {
            channels = List.copyOf(channels);
            if (level < 0 || level >= channels.size()) {
                throw new IllegalArgumentException("G_seg level " + level + " outside 0.." + (channels.size() - 1));
            }
        }

        public static Config of(Preset p, int level) {
            p.segResolution(level);
            return new Config(level, p.zDim(), p.numClasses(), p.aspectRatio(), p.segChannels(), p.pixelNormSqrt(), p.fadeBlend());
        }

        /**
         * The network after its fade-in phase: no blending. End-to-end steps, D2 pre-training and inference use it;
         * with α = 1 a blending network computes the same values.
         */
        public Config stabilized() {
            return new Config(level, zDim, numClasses, aspectRatio, channels, pixelNormSqrt, false);
        }

        /** Whether networks of this config blend with the previous level (fadeBlend on and level ≥ 1). */
        public boolean blends() {
            return fadeBlend && level >= 1;
        }

        /** Checks a fade weight α: a scalar (rank 0 or every dimension 1). */
        static void checkAlpha(String net, Config cfg, Value alpha) {
            if (!cfg.blends()) {
                throw new IllegalStateException(net + " level " + cfg.level() + " does not blend (fadeBlend "
                        + (cfg.fadeBlend() ? "on, but level 0 has no fade" : "off") + "); use forward without alpha");
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
        this.pn = new PixelNorm(cfg.pixelNormSqrt());
        Graph g = p.graph();
        try (Graph.Scope s = g.scope(NAME)) {
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
            toSeg = new EqualizedConv(p, "toSeg" + cfg.level(),
                    EqualizedConv.Config.of(cfg.channels(cfg.level()), cfg.numClasses(), 1, 0).withGain(1f));
            toSegPrev = cfg.blends() ? new EqualizedConv(p, "toSeg" + (cfg.level() - 1),
                    EqualizedConv.Config.of(cfg.channels(cfg.level() - 1), cfg.numClasses(), 1, 0).withGain(1f)) : null;
        }
    }

    public Config config() {
        return cfg;
    }

    /**
     * z [N, zDim] → p [N, K, 4·2^L, 4ar·2^L], a softmax over the K channels. Refused (IllegalStateException) when
     * the network blends (fadeBlend at level ≥ 1): use {@link #forward(Value, Value)}.
     */
    public Value forward(Value z) {
        if (cfg.blends()) {
            throw new IllegalStateException("G_seg level " + cfg.level() + " has fadeBlend on: forward needs the fade alpha, "
                    + "use forward(z, alpha)");
        }
        return run(z, null);
    }

    /** Fade-blended output (fadeBlend on, level ≥ 1): (1−α)·upsample×2(p(L−1)) + α·pL, α a scalar. */
    public Value forward(Value z, Value alpha) {
        Config.checkAlpha("G_seg", cfg, alpha);
        return run(z, alpha);
    }

    private Value run(Value z, Value alpha) {
        Graph g = z.graph();
        if (z.rank() != 2 || z.dim(1) != cfg.zDim()) {
            throw new IllegalArgumentException("G_seg expects z [N, " + cfg.zDim() + "], got " + z);
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
        try (Graph.Scope s = g.scopeAt(path + ".toSeg" + cfg.level())) {
            out = g.softmax(logits, 1);
        }
        if (alpha == null) return out;
        Value prevLogits = toSegPrev.forward(prev);
        try (Graph.Scope s = g.scopeAt(path + ".fade")) {
            Value prevOut = g.upsampleNearest(g.softmax(prevLogits, 1), 2, 2);
            return Config.blend(g, alpha, prevOut, out);
        }
    }
}
