package org.sbgan.graphs.models;

import java.util.ArrayList;
import java.util.List;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.Init;
import org.sbgan.graphs.nn.InstanceNorm;
import org.sbgan.graphs.nn.Params;
import org.sbgan.graphs.nn.SNConv;

/**
 * The multi-scale PatchGAN of pix2pixHD/SPADE (docs/METHOD.md §2, §3): D1 (conditional, K+3 input channels) and D2
 * (unconditional, 3 channels). numD scales with their own parameters; scale 0 sees the input, each next scale
 * sees AvgPool(3×3, stride 2, pad 1, padding not counted) of the previous scale's input.
 *
 * <p>Each scale, kernel 4 and pad 2 everywhere ({@code nf} doubling from ndf, capped at 512):
 * <pre>
 * layer0:          Conv(in→ndf, stride 2, bias) → LReLU(0.2)
 * layer n (1..nL−1): SNConv(nf/2→nf, no bias) → InstanceNorm → LReLU(0.2); stride 2, except the last (n = nL−1): stride 1
 * layer nL:        Conv(nf→1, stride 1, bias)
 * </pre>
 * The spec's "all strided convs stride 2" is read as in the released pix2pixHD/SPADE code that it describes,
 * where the last intermediate conv has stride 1 ({@code stride = 1 if n == n_layers_D − 1 else 2});
 * {@link Config#lastIntermediateStride} makes it 2 for the all-strided variant. The plain convs (layer0 and the
 * output conv) use SPADE's init: xavier-normal gain 0.02, bias 0.
 *
 * <p>Names: "{name}.scale{s}.layer{n}.weight" (and ".bias", and ".u" for spectral norm).
 * {@link #forward} returns, per scale, the intermediate features (layers 0..nL−1) then the score map,
 * as {@code Losses.hingeD}/{@code featureMatching} expect.
 */
public final class PatchDiscriminator {
    public static final float LRELU = 0.2f;
    public static final int KERNEL = 4, PAD = 2;

    /** Input channels, base width, scales, strided layers per scale and the stride of the last intermediate conv. */
    public record Config(int in, int ndf, int numD, int nLayersD, int lastIntermediateStride) {
        public Config {
            if (in < 1 || ndf < 1 || numD < 1 || nLayersD < 1) {
                throw new IllegalArgumentException("PatchGAN needs positive sizes, got " + in + ", " + ndf + ", " + numD + ", " + nLayersD);
            }
            if (lastIntermediateStride != 1 && lastIntermediateStride != 2) {
                throw new IllegalArgumentException("last intermediate stride must be 1 or 2, got " + lastIntermediateStride);
            }
        }

        /** The released code's layout (last intermediate conv stride 1). */
        public static Config of(Preset.PatchD d, int in) {
            return new Config(in, d.ndf(), d.numD(), d.nLayersD(), 1);
        }

        /** D1: one-hot layout and image, K+3 channels. */
        public static Config d1(Preset p) {
            return of(p.patchD(), p.numClasses() + 3);
        }

        /** D2: image only, 3 channels. */
        public static Config d2(Preset p) {
            return of(p.patchD(), 3);
        }

        public Config withLastIntermediateStride(int s) {
            return new Config(in, ndf, numD, nLayersD, s);
        }
    }

    /** A plain conv with SPADE's init (xavier-normal 0.02, bias 0); nn/Conv2d is kept out of this class's dependencies. */
    private record PlainConv(String path, Value weight, Value bias, int stride) {
        static PlainConv create(Params p, String name, int in, int out, int stride) {
            Graph g = p.graph();
            try (Graph.Scope s = g.scope(name)) {
                return new PlainConv(g.layer(), p.param("weight", Init.xavierNormal(SNConv.Config.INIT_GAIN), out, in, KERNEL, KERNEL),
                        p.param("bias", Init.zeros(), out), stride);
            }
        }

        Value forward(Value x) {
            Graph g = x.graph();
            try (Graph.Scope s = g.scopeAt(path)) {
                return g.conv(x, weight, bias, ConvSpec.of(stride, PAD));
            }
        }
    }

    private final Config cfg;
    private final String path;
    private final List<PlainConv> first = new ArrayList<>(), last = new ArrayList<>();
    private final List<List<SNConv>> middle = new ArrayList<>();
    private final List<List<String>> middlePaths = new ArrayList<>();
    private final InstanceNorm norm = new InstanceNorm();

    public PatchDiscriminator(Params p, String name, Config cfg) {
        this.cfg = cfg;
        Graph g = p.graph();
        try (Graph.Scope s = g.scope(name)) {
            path = g.layer();
            for (int d = 0; d < cfg.numD(); d++) {
                try (Graph.Scope sc = g.scope("scale" + d)) {
                    int nf = cfg.ndf();
                    first.add(PlainConv.create(p, "layer0", cfg.in(), nf, 2));
                    List<SNConv> mids = new ArrayList<>();
                    List<String> paths = new ArrayList<>();
                    for (int n = 1; n < cfg.nLayersD(); n++) {
                        int prev = nf;
                        nf = Math.min(nf * 2, 512);
                        int stride = n == cfg.nLayersD() - 1 ? cfg.lastIntermediateStride() : 2;
                        mids.add(new SNConv(p, "layer" + n, new SNConv.Config(prev, nf, KERNEL, stride, PAD, false)));
                        paths.add(g.qualify("layer" + n));
                    }
                    middle.add(mids);
                    middlePaths.add(paths);
                    last.add(PlainConv.create(p, "layer" + cfg.nLayersD(), nf, 1, 1));
                }
            }
        }
    }

    public Config config() {
        return cfg;
    }

    /**
     * x [N, in, H, W] → per scale: nLayersD intermediate features, then the score map [N, 1, h, w].
     */
    public List<List<Value>> forward(Value x) {
        Graph g = x.graph();
        if (x.rank() != 4 || x.dim(1) != cfg.in()) {
            throw new IllegalArgumentException("PatchGAN '" + path + "' expects [N, " + cfg.in() + ", H, W], got " + x);
        }
        List<List<Value>> out = new ArrayList<>();
        Value in = x;
        for (int d = 0; d < cfg.numD(); d++) {
            if (d > 0) {
                try (Graph.Scope s = g.scopeAt(path + ".scale" + d)) {
                    in = g.avgPool(in, PoolSpec.of(3, 2, 1, false));
                }
            }
            List<Value> feats = new ArrayList<>();
            Value h = first.get(d).forward(in);
            try (Graph.Scope s = g.scopeAt(first.get(d).path())) {
                h = g.leakyRelu(h, LRELU);
            }
            feats.add(h);
            for (int n = 0; n < middle.get(d).size(); n++) {
                h = middle.get(d).get(n).forward(h);
                try (Graph.Scope s = g.scopeAt(middlePaths.get(d).get(n))) {
                    h = g.leakyRelu(norm.forward(h), LRELU);
                }
                feats.add(h);
            }
            feats.add(last.get(d).forward(h));
            out.add(List.copyOf(feats));
        }
        return List.copyOf(out);
    }
}
