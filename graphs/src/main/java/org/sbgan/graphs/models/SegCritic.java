package org.sbgan.graphs.models;

import java.util.ArrayList;
import java.util.List;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.EqualizedConv;
import org.sbgan.graphs.nn.EqualizedLinear;
import org.sbgan.graphs.nn.MinibatchStddev;
import org.sbgan.graphs.nn.Params;

/**
 * The segmentation critic D_seg (docs/METHOD.md §1), the mirror of {@link SegGenerator} at level L: a one-hot (or
 * probability) map x [N, K, 4·2^L, 4ar·2^L] → WGAN scores [N, 1], no sigmoid.
 *
 * <pre>
 * fromSegL: EqConv1×1(K→C(L), gain 1) → LReLU(0.2)
 * block l (l = L..1): conv1 EqConv3×3(C(l)→C(l)) → LReLU → conv2 EqConv3×3(C(l)→C(l−1)) → LReLU → AvgPool 2×2
 * final (4×4ar): [minibatch stddev: +1 channel] → conv1 EqConv3×3(C0(+1)→C0, stride (1, ar), pad 1) → [N,C0,4,4] → LReLU
 *               → conv2 EqConv4×4(C0→C0, no pad) → [N,C0,1,1] → LReLU → flatten → fc EqualizedLinear(C0→1)
 * </pre>
 *
 * Channels mirror G_seg's per level (a block's input has its level's channels, its output the level below's).
 * Names do not depend on L ("dseg.fromSeg3", "dseg.block3.conv1", "dseg.final.conv1", "dseg.final.fc"), so a
 * level-L critic shares every block of the level-(L−1) one. All weights use the default gain √2 except fromSeg
 * (gain 1); the spec does not give the final fc's gain, √2 (the equalized default) is used.
 *
 * <p><b>Fade blending</b> (the mirror of {@link SegGenerator}'s, fadeBlend at level L ≥ 1): the critic also
 * declares "dseg.fromSeg(L−1)" and {@link #forward(Value, Value)} feeds block L−1 with
 * <pre>
 *   h = (1−α)·fromSeg(L−1)(avgpool2(x)) + α·blockL(fromSegL(x))
 * </pre>
 * (each fromSeg including its LReLU), so α = 0 is the level-(L−1) critic on avgpool2(x) and α = 1 the unblended one.
 *
 * <p><b>Minibatch stddev</b> ({@link LayoutRecipe#minibatchStddev()}, ProGAN; off in the released code): the final
 * block's input gets one more channel, {@link MinibatchStddev}, so the critic sees how much the samples of a batch
 * differ; final.conv1 then has C0+1 input channels.
 *
 * <p><b>RGB head</b> (config {@link SegGenerator.Config#rgb(Preset, int)}): the critic of the RGB ProGAN, an image
 * [N, 3, H, W] → scores [N, 1]. The input head is {@code fromRGB<L>} = EqConv1×1(3→C(L), gain 1) → LReLU(0.2), the
 * blocks and final layers are the same, and everything lives under the config's critic scope "prgb_d"
 * ("prgb_d.fromRGB2", "prgb_d.block2.conv1", "prgb_d.final.fc"); fade blending is the same with fromRGB(L−1).
 */
public final class SegCritic {
    public static final String NAME = "dseg";
    public static final float LRELU = 0.2f;

    private final SegGenerator.Config cfg;
    private final EqualizedConv fromSeg;
    private final String fromSegPath;
    private final EqualizedConv fromSegPrev; // fade blending only
    private final String fromSegPrevPath, fadePath;
    private final List<EqualizedConv[]> blocks = new ArrayList<>(); // index l−1 for block l
    private final List<String> blockPaths = new ArrayList<>();
    private final EqualizedConv final1, final2;
    private final EqualizedLinear fc;
    private final String finalPath;

    public SegCritic(Params p, Preset preset, int level) {
        this(p, SegGenerator.Config.of(preset, level));
    }

    /** The critic for the same level, classes and channels as the generator config. */
    public SegCritic(Params p, SegGenerator.Config cfg) {
        this.cfg = cfg;
        Graph g = p.graph();
        int level = cfg.level();
        String from = cfg.fromHead();
        try (Graph.Scope s = g.scope(cfg.criticScope())) {
            fromSeg = new EqualizedConv(p, from + level,
                    EqualizedConv.Config.of(cfg.outChannels(), cfg.channels(level), 1, 0).withGain(1f));
            fromSegPath = g.qualify(from + level);
            fromSegPrev = cfg.blends() ? new EqualizedConv(p, from + (level - 1),
                    EqualizedConv.Config.of(cfg.outChannels(), cfg.channels(level - 1), 1, 0).withGain(1f)) : null;
            fromSegPrevPath = g.qualify(from + (level - 1));
            fadePath = g.qualify("fade");
            for (int l = 1; l <= level; l++) {
                try (Graph.Scope b = g.scope("block" + l)) {
                    blockPaths.add(g.layer());
                    int cin = cfg.channels(l), cout = cfg.channels(l - 1);
                    blocks.add(new EqualizedConv[] {
                        new EqualizedConv(p, "conv1", EqualizedConv.Config.of(cin, cin, 3, 1)),
                        new EqualizedConv(p, "conv2", EqualizedConv.Config.of(cin, cout, 3, 1))});
                }
            }
            int c0 = cfg.channels(0);
            try (Graph.Scope f = g.scope("final")) {
                finalPath = g.layer();
                int in = cfg.recipe().minibatchStddev() ? c0 + 1 : c0;
                final1 = new EqualizedConv(p, "conv1", EqualizedConv.Config.of(in, c0, 3, 1).withStride(1, cfg.aspectRatio()));
                final2 = new EqualizedConv(p, "conv2", EqualizedConv.Config.of(c0, c0, 4, 0));
                fc = new EqualizedLinear(p, "fc", EqualizedLinear.Config.of(c0, 1));
            }
        }
    }

    public SegGenerator.Config config() {
        return cfg;
    }

    /**
     * x [N, K, 4·2^L, 4ar·2^L] (RGB head: [N, 3, …]) → scores [N, 1]. Refused (IllegalStateException) when the
     * critic blends (fadeBlend at level ≥ 1): use {@link #forward(Value, Value)}.
     */
    public Value forward(Value x) {
        if (cfg.blends()) {
            throw new IllegalStateException(cfg.criticLabel() + " level " + cfg.level()
                    + " has fadeBlend on: forward needs the fade alpha, use forward(x, alpha)");
        }
        return run(x, null);
    }

    /** Fade-blended scores (fadeBlend on, level ≥ 1), α a scalar: see the class comment. */
    public Value forward(Value x, Value alpha) {
        SegGenerator.Config.checkAlpha(cfg.criticLabel(), cfg, alpha);
        return run(x, alpha);
    }

    private Value run(Value x, Value alpha) {
        Graph g = x.graph();
        if (x.rank() != 4 || x.dim(1) != cfg.outChannels() || x.dim(2) != cfg.height() || x.dim(3) != cfg.width()) {
            throw new IllegalArgumentException(cfg.criticLabel() + " level " + cfg.level() + " expects [N, " + cfg.outChannels()
                    + ", " + cfg.height() + ", " + cfg.width() + "], got " + x);
        }
        Value h = fromSeg.forward(x);
        try (Graph.Scope s = g.scopeAt(fromSegPath)) {
            h = g.leakyRelu(h, LRELU);
        }
        for (int l = cfg.level(); l >= 1; l--) {
            EqualizedConv[] convs = blocks.get(l - 1);
            try (Graph.Scope s = g.scopeAt(blockPaths.get(l - 1))) {
                h = g.leakyRelu(convs[0].forward(h), LRELU);
                h = g.leakyRelu(convs[1].forward(h), LRELU);
                h = g.avgPool(h, PoolSpec.of(2, 2, 0, false));
            }
            if (alpha != null && l == cfg.level()) {
                Value down;
                try (Graph.Scope s = g.scopeAt(fadePath)) {
                    down = g.avgPool(x, PoolSpec.of(2, 2, 0, false));
                }
                Value prev = fromSegPrev.forward(down);
                try (Graph.Scope s = g.scopeAt(fromSegPrevPath)) {
                    prev = g.leakyRelu(prev, LRELU);
                }
                try (Graph.Scope s = g.scopeAt(fadePath)) {
                    h = SegGenerator.Config.blend(g, alpha, prev, h);
                }
            }
        }
        try (Graph.Scope s = g.scopeAt(finalPath)) {
            if (cfg.recipe().minibatchStddev()) h = MinibatchStddev.forward(h);
            h = g.leakyRelu(final1.forward(h), LRELU);
            h = g.leakyRelu(final2.forward(h), LRELU);
            return fc.forward(g.flatten(h, 1));
        }
    }
}
