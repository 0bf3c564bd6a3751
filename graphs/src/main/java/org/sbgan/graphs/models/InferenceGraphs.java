package org.sbgan.graphs.models;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.InferenceParams;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.ops.ConvGradients;

/**
 * Inference graphs of the SB-GAN networks with a dynamic batch dimension (−1), parameters and buffers declared
 * as graph inputs through {@link InferenceParams} (BatchNorm and spectral norm use their stored buffers) and baked
 * in as initializers by {@link Built#export(Map)}.
 *
 * <ul>
 *   <li>{@link #segGenerator}: G_seg at its top level, "z" [N, zDim] → "probs" [N, K, H, W] and "labels" [N, H, W]
 *       int64 = argmax over K (docs/METHOD.md §1 inference: no Gumbel noise).</li>
 *   <li>{@link #imageGenerator}: G_img, "layout" [N, K, Hi, Wi] (one-hot, image size) → "image" [N, 3, Hi, Wi].</li>
 *   <li>{@link #segCritic}: D_seg at the top level, "x" [N, K, H, W] → "scores" [N, 1].</li>
 *   <li>{@link #d1} (K+3 channels: concat(layout, image)) and {@link #d2} (3 channels: image), "x" → the last map
 *       of every scale, "scale0", "scale1", ….</li>
 *   <li>{@link #sbgan}: the fused sampler "z" → "labels" [N, Hi, Wi] int64 and "image" [N, 3, Hi, Wi]:
 *       one_hot(argmax(G_seg(z))) → nearest ×layoutScaling (§3) → G_img.</li>
 *   <li>{@link #proganGenerator}: the RGB ProGAN comparison model's generator, "z" [N, zDim] → "image" [N, 3, H, W]
 *       in [−1, 1] at G_seg's resolution (weights "prgb_g.…").</li>
 * </ul>
 *
 * Weight names are the training names ("gseg.…", "gimg.…", "dseg.…", "d1.…", "d2.…"), so a trainer's state map
 * can be passed to {@link Built#export(Map)} as it is; keys that the graph does not declare (optimizer moments,
 * other networks) are ignored.
 */
public final class InferenceGraphs {
    /** Scope names of the two PatchGAN discriminators (as in training). */
    public static final String D1 = "d1", D2 = "d2";

    private InferenceGraphs() {}

    /**
     * An inference graph, its named outputs, and the initial value of every parameter and buffer it declares.
     *
     * @param graph         the graph; its non-weight inputs are the model's runtime inputs
     * @param outputs       output name → value, in export order
     * @param initialValues initial value of each weight (parameter or buffer) by qualified name
     */
    public record Built(Graph graph, Map<String, Value> outputs, Map<String, Tensor> initialValues) {
        public Built {
            outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
            initialValues = Collections.unmodifiableMap(new LinkedHashMap<>(initialValues));
        }

        public String name() {
            return graph.name();
        }

        /** Names of the weights that {@link #export(Map)} needs, in declaration order. */
        public List<String> weightNames() {
            return List.copyOf(initialValues.keySet());
        }

        /** Names of the runtime inputs (the graph inputs that are not weights). */
        public List<String> inputNames() {
            List<String> r = new ArrayList<>();
            for (Value v : graph.inputs()) if (!initialValues.containsKey(v.name())) r.add(v.name());
            return r;
        }

        /** The model with the initial (untrained) weights baked in. */
        public OnnxMl.ModelProto export() {
            return export(initialValues);
        }

        /**
         * The model with the given weights baked in as initializers. Every name of {@link #weightNames()} must be
         * present (a missing one is an {@link IllegalArgumentException} naming it); extra entries are ignored.
         * A wrong dtype or shape is refused by {@link OnnxExport} with the weight's name.
         */
        public OnnxMl.ModelProto export(Map<String, Tensor> weights) {
            Map<String, Tensor> frozen = new LinkedHashMap<>();
            for (String n : initialValues.keySet()) {
                Tensor t = weights.get(n);
                if (t == null) {
                    throw new IllegalArgumentException("inference graph '" + name() + "': missing weight '" + n + "'");
                }
                frozen.put(n, t);
            }
            return OnnxExport.model(graph, outputs, frozen);
        }
    }

    /** G_seg at the preset's top level: "z" → "probs", "labels". */
    public static Built segGenerator(Preset p, long seed) {
        return segGenerator(p, p.levels() - 1, seed);
    }

    /**
     * G_seg at a level, stabilized (the level's own head, no fade blending): "z" → "probs", "labels". Lower levels
     * draw the progressive stage's samples while it trains.
     */
    public static Built segGenerator(Preset p, int level, long seed) {
        Graph g = new Graph("gseg_infer").convGradients(ConvGradients.INFERENCE);
        InferenceParams ip = new InferenceParams(g, seed);
        SegGenerator gen = new SegGenerator(ip, SegGenerator.Config.of(p, level).stabilized());
        Value probs = gen.forward(g.input("z", DType.FLOAT, -1, p.zDim()));
        Value labels;
        try (Graph.Scope s = g.scope("sample")) {
            labels = g.argMax(probs, 1, false);
        }
        Map<String, Value> out = new LinkedHashMap<>();
        out.put("probs", probs);
        out.put("labels", labels);
        return new Built(g, out, ip.initialValues());
    }

    /** The RGB ProGAN generator at the preset's top level (stabilized): "z" → "image" [N, 3, H, W] in [−1, 1]. */
    public static Built proganGenerator(Preset p, long seed) {
        return proganGenerator(p, p.levels() - 1, seed);
    }

    /**
     * The RGB ProGAN generator at a level, stabilized (the level's own toRGB head, no fade blending): "z" [N, zDim]
     * → "image" [N, 3, 4·2^L, 4ar·2^L] in [−1, 1]. Weights are the training names "prgb_g.…".
     */
    public static Built proganGenerator(Preset p, int level, long seed) {
        Graph g = new Graph("prgb_g_infer").convGradients(ConvGradients.INFERENCE);
        InferenceParams ip = new InferenceParams(g, seed);
        SegGenerator gen = new SegGenerator(ip, SegGenerator.Config.rgb(p, level).stabilized());
        Value image = gen.forward(g.input("z", DType.FLOAT, -1, p.zDim()));
        return new Built(g, Map.of("image", image), ip.initialValues());
    }

    /** G_img: "layout" [N, K, Hi, Wi] → "image" [N, 3, Hi, Wi]. */
    public static Built imageGenerator(Preset p, long seed) {
        Graph g = new Graph("gimg_infer").convGradients(ConvGradients.INFERENCE);
        InferenceParams ip = new InferenceParams(g, seed);
        Preset.Size s = p.imageSize();
        Value layout = g.input("layout", DType.FLOAT, -1, p.numClasses(), s.height(), s.width());
        Value image = new ImageGenerator(ip, p).forward(layout);
        return new Built(g, Map.of("image", image), ip.initialValues());
    }

    /** D_seg at the top level: "x" [N, K, H, W] → "scores" [N, 1]. */
    public static Built segCritic(Preset p, long seed) {
        Graph g = new Graph("dseg_infer").convGradients(ConvGradients.INFERENCE);
        InferenceParams ip = new InferenceParams(g, seed);
        Preset.Size s = p.segTop();
        Value x = g.input("x", DType.FLOAT, -1, p.numClasses(), s.height(), s.width());
        Value scores = new SegCritic(ip, SegGenerator.Config.of(p, p.levels() - 1).stabilized()).forward(x);
        return new Built(g, Map.of("scores", scores), ip.initialValues());
    }

    /** D1 (conditional): "x" = concat(one-hot layout, image) [N, K+3, Hi, Wi] → "scale0", "scale1", …. */
    public static Built d1(Preset p, long seed) {
        return patch(p, D1, PatchDiscriminator.Config.d1(p), seed);
    }

    /** D2 (unconditional): "x" = image [N, 3, Hi, Wi] → "scale0", "scale1", …. */
    public static Built d2(Preset p, long seed) {
        return patch(p, D2, PatchDiscriminator.Config.d2(p), seed);
    }

    /** A PatchGAN under scope {@code name}: "x" [N, cfg.in, Hi, Wi] → the last map of each scale. */
    public static Built patch(Preset p, String name, PatchDiscriminator.Config cfg, long seed) {
        Graph g = new Graph(name + "_infer").convGradients(ConvGradients.INFERENCE);
        InferenceParams ip = new InferenceParams(g, seed);
        Preset.Size s = p.imageSize();
        Value x = g.input("x", DType.FLOAT, -1, cfg.in(), s.height(), s.width());
        List<List<Value>> scales = new PatchDiscriminator(ip, name, cfg).forward(x);
        Map<String, Value> out = new LinkedHashMap<>();
        for (int d = 0; d < scales.size(); d++) {
            List<Value> feats = scales.get(d);
            out.put("scale" + d, feats.get(feats.size() - 1));
        }
        return new Built(g, out, ip.initialValues());
    }

    /**
     * The fused sampler: "z" → "labels" [N, Hi, Wi] int64 (argmax of G_seg, nearest ×layoutScaling) and "image"
     * = G_img(upsampled one_hot(argmax)). Weights "gseg.…" and "gimg.…"; G_seg's initial values are drawn with
     * {@code segSeed} and G_img's with {@code imgSeed}, so they equal those of {@link #segGenerator} and
     * {@link #imageGenerator} built with the same seeds.
     */
    public static Built sbgan(Preset p, long segSeed, long imgSeed) {
        Graph g = new Graph("sbgan_infer").convGradients(ConvGradients.INFERENCE);
        InferenceParams segParams = new InferenceParams(g, segSeed);
        SegGenerator gen = new SegGenerator(segParams, SegGenerator.Config.of(p, p.levels() - 1).stabilized());
        InferenceParams imgParams = new InferenceParams(g, imgSeed);
        ImageGenerator img = new ImageGenerator(imgParams, p);
        Value probs = gen.forward(g.input("z", DType.FLOAT, -1, p.zDim()));
        int f = p.layoutScaling();
        Value labels, layout;
        try (Graph.Scope s = g.scope("sample")) {
            Value seg = g.argMax(probs, 1, false);                          // [N, H, W] int64
            layout = g.oneHot(seg, p.numClasses(), 1);                     // [N, K, H, W] float
            if (f != 1) layout = g.upsampleNearest(layout, f, f);
            // Labels at image size: nearest upsampling of the index map (through float; indices < K are exact).
            labels = f == 1 ? seg : g.cast(g.upsampleNearest(g.cast(seg, DType.FLOAT), f, f), DType.INT64);
        }
        Value image = img.forward(layout);
        Map<String, Value> out = new LinkedHashMap<>();
        out.put("labels", labels);
        out.put("image", image);
        Map<String, Tensor> init = new LinkedHashMap<>(segParams.initialValues());
        for (Map.Entry<String, Tensor> e : imgParams.initialValues().entrySet()) {
            if (init.put(e.getKey(), e.getValue()) != null) throw new IllegalStateException("weight '" + e.getKey() + "' declared twice");
        }
        return new Built(g, out, init);
    }
}
