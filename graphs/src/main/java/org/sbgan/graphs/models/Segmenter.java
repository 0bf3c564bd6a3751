package org.sbgan.graphs.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.loss.Losses;
import org.sbgan.graphs.nn.BatchNorm;
import org.sbgan.graphs.nn.InferenceParams;
import org.sbgan.graphs.nn.Init;
import org.sbgan.graphs.nn.Params;
import org.sbgan.graphs.nn.StepParams;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;

/**
 * A compact U-Net for semantic segmentation, the network behind {@code segmenter train} and the evaluations built on
 * it (layout→image mIoU, train-on-synthetic, segmenter features for FID). Each level is two 3×3 conv → BatchNorm
 * (with scale and shift) → ReLU blocks; the encoder halves the resolution by 2×2 max pooling between levels, the
 * decoder doubles it by nearest upsampling, concatenates the encoder's features of that level and applies two
 * blocks; a 1×1 conv gives K class scores per pixel. Channels are {@code base·2^level}.
 *
 * <p>Input: images [N, 3, H, W] in [−1, 1]. Training: per-pixel softmax cross-entropy against one-hot label maps
 * ({@link Losses#pixelCrossEntropy}), optional class weights, Adam (group {@link #GROUP}). The {@link #FEATURES}
 * output of the inference graph, the global means of the deepest encoder level and of the last decoder block (the
 * penultimate layer), is what {@code --features segmenter:SEG} computes FID/KID on.
 */
public final class Segmenter {
    /** State scope and Adam group of the network's parameters. */
    public static final String GROUP = "segnet";
    /** Step inputs: images in [−1, 1] and one-hot label maps, as the GAN steps name them. */
    public static final String IMAGE = Stages.REAL_IMAGE, LAYOUT = Stages.REAL_LAYOUT;
    /** Inference graph input and outputs. */
    public static final String INPUT = "image", LOGITS = "logits", LABELS = "labels", FEATURES = "features";

    /**
     * The network's shape.
     *
     * @param numClasses K
     * @param height     input height; divisible by 2^(depth − 1)
     * @param width      input width; divisible by 2^(depth − 1)
     * @param base       channels of the first level
     * @param depth      levels (resolutions), at least 1
     */
    public record Config(int numClasses, int height, int width, int base, int depth) {
        public static final int BASE = 16, DEPTH = 3;

        public Config {
            if (numClasses < 2) throw new IllegalArgumentException("a segmenter needs at least 2 classes, not " + numClasses);
            if (base < 1 || depth < 1 || depth > 6) throw new IllegalArgumentException("segmenter base must be ≥ 1 and depth 1..6, not " + base + " and " + depth);
            int f = 1 << (depth - 1);
            if (height < f || width < f || height % f != 0 || width % f != 0) {
                throw new IllegalArgumentException("segmenter input " + height + "×" + width + " must be divisible by " + f + " (depth " + depth + ")");
            }
        }

        public static Config of(int numClasses, int height, int width) {
            return new Config(numClasses, height, width, BASE, DEPTH);
        }

        public int channels(int level) {
            return base << level;
        }

        /** Length of the {@link #FEATURES} vector: the deepest level's channels plus the last block's. */
        public int featureDim() {
            return channels(depth - 1) + base;
        }
    }

    /** The network's outputs for a batch: class scores [N, K, H, W] and pooled features [N, featureDim]. */
    public record Out(Value logits, Value features) {}

    /** 3×3 conv (no bias) → BatchNorm → per-channel scale and shift → ReLU. */
    private static final class Block {
        private final String path;
        private final Value weight, gamma, beta;
        private final BatchNorm bn;

        Block(Params p, String name, int in, int out) {
            try (Graph.Scope s = p.graph().scope(name)) {
                path = p.graph().layer();
                weight = p.param("conv.weight", Init.kaimingNormal(), out, in, 3, 3);
                gamma = p.param("bn.weight", Init.constant(1f), out);
                beta = p.param("bn.bias", Init.zeros(), out);
                bn = new BatchNorm(p, "bn", BatchNorm.Config.of(out));
            }
        }

        Value forward(Value x) {
            Graph g = x.graph();
            try (Graph.Scope s = g.scopeAt(path)) {
                long c = weight.dim(0);
                Value y = bn.forward(g.conv(x, weight, null, ConvSpec.of(1, 1)));
                return g.relu(g.add(g.mul(y, g.reshape(gamma, 1, c, 1, 1)), g.reshape(beta, 1, c, 1, 1)));
            }
        }
    }

    private final Config cfg;
    private final List<Block[]> down = new ArrayList<>(), up = new ArrayList<>();
    private final String headPath;
    private final Value headWeight, headBias;

    public Segmenter(Params p, Config cfg) {
        this.cfg = cfg;
        Graph g = p.graph();
        try (Graph.Scope s = g.scope(GROUP)) {
            int in = 3;
            for (int l = 0; l < cfg.depth(); l++) {
                int c = cfg.channels(l);
                down.add(new Block[] {new Block(p, "down" + l + ".a", in, c), new Block(p, "down" + l + ".b", c, c)});
                in = c;
            }
            for (int l = cfg.depth() - 2; l >= 0; l--) {
                int c = cfg.channels(l);
                up.add(new Block[] {new Block(p, "up" + l + ".a", in + c, c), new Block(p, "up" + l + ".b", c, c)});
                in = c;
            }
            try (Graph.Scope h = g.scope("head")) {
                headPath = g.layer();
                headWeight = p.param("weight", Init.kaimingNormal(), cfg.numClasses(), in, 1, 1);
                headBias = p.param("bias", Init.zeros(), cfg.numClasses());
            }
        }
    }

    public Config config() {
        return cfg;
    }

    /** images [N, 3, H, W] → class scores and pooled features. */
    public Out forward(Value x) {
        Graph g = x.graph();
        if (x.rank() != 4 || x.dim(1) != 3 || x.dim(2) != cfg.height() || x.dim(3) != cfg.width()) {
            throw new IllegalArgumentException("segmenter input must be [N, 3, " + cfg.height() + ", " + cfg.width() + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        List<Value> skips = new ArrayList<>();
        Value h = x;
        for (int l = 0; l < cfg.depth(); l++) {
            if (l > 0) h = g.maxPool(h, PoolSpec.of(2, 2, 0, true));
            for (Block b : down.get(l)) h = b.forward(h);
            skips.add(h);
        }
        Value deepest = h;
        for (int i = 0; i < up.size(); i++) {
            int l = cfg.depth() - 2 - i;
            h = g.concat(1, g.upsampleNearest(h, 2, 2), skips.get(l));
            for (Block b : up.get(i)) h = b.forward(h);
        }
        Value features = g.concat(1, g.reduceMean(deepest, false, 2, 3), g.reduceMean(h, false, 2, 3));
        try (Graph.Scope s = g.scopeAt(headPath)) {
            return new Out(g.conv(h, headWeight, headBias, ConvSpec.of(1, 0)), features);
        }
    }

    /**
     * One training step on a batch: forward in training mode (batch statistics, running statistics written), weighted
     * per-pixel cross-entropy, Adam on every parameter. Inputs {@link #IMAGE} [N, 3, H, W], {@link #LAYOUT} one-hot
     * [N, K, H, W] (an all-zero row marks an unlabelled pixel, left out of loss and accuracy), lr {@code lr.segnet}. Metrics:
     * {@code loss}, {@code pixel_accuracy} (of this batch's labelled pixels, before the update).
     *
     * @param classWeights per-class loss weights (length K), or null for equal weights
     */
    public static StepGraph trainStep(Config cfg, int batch, long seed, float[] classWeights, Adam.Config adam) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        StepBuilder sb = new StepBuilder("segmenter_train");
        Graph g = sb.graph();
        Value image = sb.batch(IMAGE, batch, 3, cfg.height(), cfg.width());
        Value layout = sb.batch(LAYOUT, batch, cfg.numClasses(), cfg.height(), cfg.width());
        Segmenter net = new Segmenter(new StepParams(sb, seed), cfg);
        Out out = net.forward(image);
        Value loss = Losses.pixelCrossEntropy(g, out.logits(), layout, classWeights);
        List<Value> params = sb.params().stream().filter(v -> v.name().startsWith(GROUP + ".")).toList();
        Adam.update(sb, GROUP, adam, params, Gradients.of(loss, params));
        Value hit = g.cast(g.equal(g.argMax(out.logits(), 1, false), g.argMax(layout, 1, false)), DType.FLOAT);
        Value labelled = g.reduceSum(layout, false, 1); // 0 where the one-hot row is empty (an unlabelled pixel)
        sb.metric("loss", loss);
        sb.metric("pixel_accuracy", g.div(g.sumAll(g.mul(hit, labelled)), g.max(g.sumAll(labelled), g.scalar(1f))));
        return sb.build("segmenter training step: weighted per-pixel softmax cross-entropy of a U-Net (base " + cfg.base() + ", depth "
                + cfg.depth() + "), Adam on " + GROUP);
    }

    /**
     * The inference graph: {@link #INPUT} [N, 3, H, W] (dynamic N) → {@link #LOGITS} [N, K, H, W], {@link #LABELS} [N, H, W]
     * int64 (argmax) and {@link #FEATURES} [N, featureDim]; BatchNorm uses its running statistics.
     */
    public static InferenceGraphs.Built inference(Config cfg, long seed) {
        Graph g = new Graph("segmenter");
        InferenceParams ip = new InferenceParams(g, seed);
        Segmenter net = new Segmenter(ip, cfg);
        Out out = net.forward(g.input(INPUT, DType.FLOAT, -1, 3, cfg.height(), cfg.width()));
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put(LOGITS, out.logits());
        outs.put(LABELS, g.argMax(out.logits(), 1, false));
        outs.put(FEATURES, out.features());
        return new InferenceGraphs.Built(g, outs, ip.initialValues());
    }
}
