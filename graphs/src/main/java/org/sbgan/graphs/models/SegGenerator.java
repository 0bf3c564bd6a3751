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
 * value: progressive training carries the trained state over by name. Only the released code's default (no fade
 * blending) is implemented; a preset with {@code fadeBlend} set is refused with an
 * {@link UnsupportedOperationException}.
 */
public final class SegGenerator {
    public static final String NAME = "gseg";
    public static final float LRELU = 0.2f;

    /** What the network needs from a preset: level, z size, K, aspect ratio, channels per level, PixelNorm form. */
    public record Config(int level, int zDim, int numClasses, int aspectRatio, List<Integer> channels, boolean pixelNormSqrt) {
        public Config {
            channels = List.copyOf(channels);
            if (level < 0 || level >= channels.size()) {
                throw new IllegalArgumentException("G_seg level " + level + " outside 0.." + (channels.size() - 1));
            }
        }

        public static Config of(Preset p, int level) {
            if (p.fadeBlend()) {
                throw new UnsupportedOperationException("preset '" + p.name() + "': fadeBlend (textbook ProGAN fade-in "
                        + "blending) is not implemented; G_seg supports only the released code's default (no blending)");
            }
            p.segResolution(level);
            return new Config(level, p.zDim(), p.numClasses(), p.aspectRatio(), p.segChannels(), p.pixelNormSqrt());
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
        }
    }

    public Config config() {
        return cfg;
    }

    /** z [N, zDim] → p [N, K, 4·2^L, 4ar·2^L], a softmax over the K channels. */
    public Value forward(Value z) {
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
        for (int l = 1; l <= cfg.level(); l++) {
            EqualizedConv[] convs = blocks.get(l - 1);
            try (Graph.Scope s = g.scopeAt(blockPaths.get(l))) {
                x = g.upsampleNearest(x, 2, 2);
                x = convs[0].forward(x);
                x = pn.forward(g.leakyRelu(x, LRELU));
                x = convs[1].forward(x);
                x = pn.forward(g.leakyRelu(x, LRELU));
            }
        }
        Value logits = toSeg.forward(x);
        try (Graph.Scope s = g.scopeAt(path + ".toSeg" + cfg.level())) {
            return g.softmax(logits, 1);
        }
    }
}
