package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;

/**
 * SPADE residual block (docs/METHOD.md §2), fmid = min(fin, fout):
 * dx = conv_0(lrelu(norm_0(x, seg))); dx = conv_1(lrelu(norm_1(dx, seg)));
 * shortcut = conv_s(norm_s(x, seg)) if fin ≠ fout (learned, 1×1, no bias) else x; out = shortcut + dx.
 * conv_0, conv_1 (3×3, pad 1, bias) and conv_s are spectrally normalised ({@link SNConv}); the norms are
 * {@link Spade}s with plain convs. LeakyReLU slope 0.2. With {@code detachSeg} the block reads
 * stopGradient(seg), so no gradient reaches the layout through it (the released SB-GAN code).
 *
 * <p>State under the block's scope: {@code conv_0.*}, {@code conv_1.*}, {@code norm_0.*}, {@code norm_1.*},
 * and, only when the shortcut is learned, {@code conv_s.weight}, {@code conv_s.u}, {@code norm_s.*}.
 * Its SPADEs' batch norms allow one {@link #forward} per training graph.
 */
public final class SpadeResBlock {
    public static final float LRELU_SLOPE = 0.2f;

    /** Input and output channels, K label channels, SPADE hidden width, whether seg is detached. */
    public record Config(int fin, int fout, int labelChannels, int nhidden, boolean detachSeg) {
        public Config {
            if (fin < 1 || fout < 1) throw new IllegalArgumentException("ResBlk needs positive channels, got " + fin + "→" + fout);
        }

        public static Config of(int fin, int fout, int labelChannels, int nhidden, boolean detachSeg) {
            return new Config(fin, fout, labelChannels, nhidden, detachSeg);
        }

        public int fmid() {
            return Math.min(fin, fout);
        }

        public boolean learnedShortcut() {
            return fin != fout;
        }

        SNConv.Config conv0() {
            return SNConv.Config.of(fin, fmid(), 3, 1);
        }

        SNConv.Config conv1() {
            return SNConv.Config.of(fmid(), fout, 3, 1);
        }

        SNConv.Config convS() {
            return SNConv.Config.of(fin, fout, 1, 0).withoutBias();
        }

        /** Trainable values (spectral-norm u and running statistics are buffers, not counted). */
        public long parameterCount() {
            long n = conv(conv0()) + conv(conv1()) + Spade.Config.of(fin, labelChannels, nhidden).parameterCount()
                    + Spade.Config.of(fmid(), labelChannels, nhidden).parameterCount();
            if (learnedShortcut()) n += conv(convS()) + Spade.Config.of(fin, labelChannels, nhidden).parameterCount();
            return n;
        }

        private static long conv(SNConv.Config c) {
            return (long) c.out() * c.in() * c.kernel() * c.kernel() + (c.bias() ? c.out() : 0);
        }
    }

    private final String path;
    private final Config cfg;
    private final SNConv conv0, conv1, convS;
    private final Spade norm0, norm1, normS;

    public SpadeResBlock(Params p, String name, Config cfg) {
        this.cfg = cfg;
        try (Graph.Scope s = p.graph().scope(name)) {
            path = p.graph().layer();
            conv0 = new SNConv(p, "conv_0", cfg.conv0());
            conv1 = new SNConv(p, "conv_1", cfg.conv1());
            convS = cfg.learnedShortcut() ? new SNConv(p, "conv_s", cfg.convS()) : null;
            norm0 = new Spade(p, "norm_0", Spade.Config.of(cfg.fin(), cfg.labelChannels(), cfg.nhidden()));
            norm1 = new Spade(p, "norm_1", Spade.Config.of(cfg.fmid(), cfg.labelChannels(), cfg.nhidden()));
            normS = cfg.learnedShortcut() ? new Spade(p, "norm_s", Spade.Config.of(cfg.fin(), cfg.labelChannels(), cfg.nhidden())) : null;
        }
    }

    /** x [N, fin, H, W], seg [N, K, Hs, Ws] → [N, fout, H, W]. Once per training graph (batch norms). */
    public Value forward(Value x, Value seg) {
        Graph g = x.graph();
        if (x.rank() != 4 || x.dim(1) != cfg.fin()) {
            throw new IllegalArgumentException("SPADE ResBlk '" + path + "' expects x [N," + cfg.fin() + ",H,W], got " + Shapes.str(x.shape()));
        }
        try (Graph.Scope s = g.scopeAt(path)) {
            Value sg = cfg.detachSeg() ? g.stopGradient(seg) : seg;
            Value shortcut = convS != null ? convS.forward(normS.forward(x, sg)) : x;
            Value dx = conv0.forward(g.leakyRelu(norm0.forward(x, sg), LRELU_SLOPE));
            dx = conv1.forward(g.leakyRelu(norm1.forward(dx, sg), LRELU_SLOPE));
            return g.add(shortcut, dx);
        }
    }

    public Config config() {
        return cfg;
    }
}
