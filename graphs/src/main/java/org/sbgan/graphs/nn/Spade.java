package org.sbgan.graphs.nn;

import java.util.List;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;

/**
 * SPADE normalisation (docs/METHOD.md §2): out = BN(x)·(1 + γ) + β with a parameter-free {@link BatchNorm} and
 * γ, β predicted from the layout: segmap = nearest-resize(seg, x's H×W), actv = ReLU(Conv3×3(K→nhidden)),
 * γ = Conv3×3(nhidden→C), β = Conv3×3(nhidden→C), all plain {@link Conv2d} (xavier 0.02, bias 0); γ and β are
 * one conv of 2·C outputs ({@link Conv2d#forwardAll}).
 *
 * <p>State, named as in the reference code: {@code layer.param_free_norm.running_mean/running_var} (buffers),
 * {@code layer.mlp_shared.*}, {@code layer.mlp_gamma.*}, {@code layer.mlp_beta.*} (params).
 *
 * <p>Each SPADE owns its BatchNorm, which a training graph may run only once (its running statistics are
 * written once per step): call {@link #forward} once per training graph. G_img does — one generator pass per
 * step, each block's forward called once. Inference graphs may call it any number of times.
 */
public final class Spade {
    /** C normalised channels, K label channels, nhidden hidden channels of the shared conv. */
    public record Config(int channels, int labelChannels, int nhidden) {
        public Config {
            if (channels < 1 || labelChannels < 1 || nhidden < 1) {
                throw new IllegalArgumentException("SPADE needs positive sizes, got C=" + channels + " K=" + labelChannels + " nhidden=" + nhidden);
            }
        }

        public static Config of(int channels, int labelChannels, int nhidden) {
            return new Config(channels, labelChannels, nhidden);
        }

        /** Trainable values: mlp_shared (nhidden·K·9 + nhidden) + mlp_gamma + mlp_beta (C·nhidden·9 + C each). */
        public long parameterCount() {
            return shared().parameterCount() + 2 * gamma().parameterCount();
        }

        Conv2d.Config shared() {
            return Conv2d.Config.same3x3(labelChannels, nhidden);
        }

        Conv2d.Config gamma() {
            return Conv2d.Config.same3x3(nhidden, channels);
        }
    }

    private final String path;
    private final Config cfg;
    private final BatchNorm norm;
    private final Conv2d shared, gamma, beta;

    public Spade(Params p, String name, Config cfg) {
        this.cfg = cfg;
        try (Graph.Scope s = p.graph().scope(name)) {
            path = p.graph().layer();
            norm = new BatchNorm(p, "param_free_norm", BatchNorm.Config.of(cfg.channels()));
            shared = new Conv2d(p, "mlp_shared", cfg.shared());
            gamma = new Conv2d(p, "mlp_gamma", cfg.gamma());
            beta = new Conv2d(p, "mlp_beta", cfg.gamma());
        }
    }

    /** x [N, C, H, W], seg [N, K, Hs, Ws] with Hs, Ws integer multiples or divisors of H, W → [N, C, H, W]. */
    public Value forward(Value x, Value seg) {
        Graph g = x.graph();
        if (x.rank() != 4 || x.dim(1) != cfg.channels()) {
            throw new IllegalArgumentException("SPADE '" + path + "' expects x [N," + cfg.channels() + ",H,W], got " + Shapes.str(x.shape()));
        }
        if (seg.rank() != 4 || seg.dim(1) != cfg.labelChannels()) {
            throw new IllegalArgumentException("SPADE '" + path + "' expects seg [N," + cfg.labelChannels() + ",H,W], got " + Shapes.str(seg.shape()));
        }
        try (Graph.Scope s = g.scopeAt(path)) {
            Value normalized = norm.forward(x);
            Value segmap = resizeNearest(seg, x.dim(2), x.dim(3));
            Value actv = g.relu(shared.forward(segmap));
            List<Value> gb = Conv2d.forwardAll(actv, gamma, beta);
            return g.add(g.mul(normalized, g.add(gb.get(0), 1f)), gb.get(1));
        }
    }

    /**
     * Nearest-neighbour resize of the last two axes of a 4-D value to h × w, as PyTorch's
     * {@code interpolate(mode='nearest')} for integer factors: src = floor(dst·in/out). Each axis must be an
     * integer multiple or divisor of the target (SPADE's sizes are powers of 2 apart); both axes must go the
     * same way (or stay).
     */
    public static Value resizeNearest(Value seg, long h, long w) {
        Graph g = seg.graph();
        long hs = seg.dim(2), ws = seg.dim(3);
        if (hs == h && ws == w) return seg;
        if (hs >= h && ws >= w && hs % h == 0 && ws % w == 0) return g.downsampleNearest(seg, (int) (hs / h), (int) (ws / w));
        if (hs <= h && ws <= w && h % hs == 0 && w % ws == 0) return g.upsampleNearest(seg, (int) (h / hs), (int) (w / ws));
        throw new IllegalArgumentException("nearest resize from " + hs + "×" + ws + " to " + h + "×" + w
                + " needs integer factors in the same direction on both axes (sizes a power of 2 apart)");
    }

    public Config config() {
        return cfg;
    }

    public BatchNorm batchNorm() {
        return norm;
    }
}
