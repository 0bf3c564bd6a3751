package org.sbgan.graphs.loss;

import ai.onnx.proto.OnnxMl;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxImport;

/**
 * VGG19 perceptual loss (docs/METHOD.md §2): λ · Σ_i w_i · L1(feat_i(fake), stopGradient(feat_i(real))), with
 * feat_i = relu1_1, relu2_1, relu3_1, relu4_1, relu5_1, w = 1/32, 1/16, 1/8, 1/4, 1 and λ = 10; L1 is the mean
 * absolute difference (SPADE's {@code nn.L1Loss()}). Images in [−1, 1] are mapped to ImageNet-normalised
 * input ((x + 1)/2 − mean)/std inside.
 *
 * <p>Off unless the user supplies a VGG19 ONNX file (pretrained weights cannot be downloaded here): export
 * torchvision's {@code vgg19(weights=VGG19_Weights.IMAGENET1K_V1).features.eval()} with
 * {@code torch.onnx.export(..., opset_version<=21)}. The tap names are the ONNX value names of the ReLU outputs;
 * open the file in Netron to read them, or use {@link Config#vgg19ByReluOrder}, which takes the 1st, 3rd, 5th,
 * 9th and 13th Relu outputs in node order (exactly relu1_1 … relu5_1 of VGG19, whatever the exporter names).
 * The VGG weights are imported as constants, so they never get gradients.
 */
public final class VggLoss {
    public static final float LAMBDA = 10f;
    public static final List<Float> WEIGHTS = List.of(1f / 32, 1f / 16, 1f / 8, 1f / 4, 1f);
    /** Zero-based positions of relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 among VGG19's 16 ReLUs. */
    static final int[] VGG19_RELU_POSITIONS = {0, 2, 4, 8, 12};
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private VggLoss() {}

    /** Tap value names in the ONNX model, their weights, and λ. */
    public record Config(List<String> taps, List<Float> weights, float lambda) {
        public Config {
            taps = List.copyOf(taps);
            weights = List.copyOf(weights);
            if (taps.isEmpty() || taps.size() != weights.size()) {
                throw new IllegalArgumentException("VggLoss.Config: need as many weights as taps, got " + taps.size()
                        + " taps and " + weights.size() + " weights");
            }
        }

        /** The five taps relu1_1 … relu5_1 with the spec's weights and λ = 10. */
        public static Config of(List<String> taps) {
            return new Config(taps, WEIGHTS, LAMBDA);
        }

        /**
         * The taps of a VGG19 by position: the 1st, 3rd, 5th, 9th and 13th Relu outputs in node order
         * (relu1_1, relu2_1, relu3_1, relu4_1, relu5_1), spec weights, λ = 10. Fails unless the model has at
         * least 13 Relu nodes.
         */
        public static Config vgg19ByReluOrder(OnnxMl.ModelProto model) {
            List<String> relus = OnnxImport.outputsOfOpType(model, "Relu");
            if (relus.size() < 13) {
                throw new IllegalArgumentException("VggLoss: a VGG19 has 16 Relu nodes, this model has " + relus.size()
                        + "; name the taps explicitly with Config.of");
            }
            String[] t = new String[VGG19_RELU_POSITIONS.length];
            for (int i = 0; i < t.length; i++) t[i] = relus.get(VGG19_RELU_POSITIONS[i]);
            return of(List.of(t));
        }
    }

    /** ((x + 1)/2 − mean)/std per RGB channel of an NCHW image in [−1, 1]. */
    public static Value imagenetNormalize(Graph g, Value img) {
        if (img.rank() != 4 || img.dim(1) != 3) throw new IllegalArgumentException("VggLoss: need an [N,3,H,W] image, got " + img);
        float[] scale = new float[3], shift = new float[3];
        for (int c = 0; c < 3; c++) {
            // ((x+1)/2 − m)/s = x · (0.5/s) + (0.5 − m)/s
            scale[c] = 0.5f / STD[c];
            shift[c] = (0.5f - MEAN[c]) / STD[c];
        }
        return g.add(g.mul(img, g.constant(Tensor.floats(scale, 1, 3, 1, 1))), g.constant(Tensor.floats(shift, 1, 3, 1, 1)));
    }

    /**
     * The loss; the VGG is inlined twice (fake and real) sharing one set of constant weights named
     * {@code prefix + initializer}.
     *
     * @param source names the model in error messages
     * @param fake generated images in [−1, 1], [N,3,H,W]; gets gradients
     * @param real real images in [−1, 1]; gets no gradient
     */
    public static Value loss(Graph g, OnnxMl.ModelProto vgg, String source, String prefix, Config cfg, Value fake, Value real) {
        Map<String, Value> ff = OnnxImport.apply(g, vgg, source, imagenetNormalize(g, fake), prefix);
        Map<String, Value> rf = OnnxImport.apply(g, vgg, source, imagenetNormalize(g, real), prefix);
        return loss(g, ff, rf, cfg, source);
    }

    /** The loss from already-imported feature maps (ONNX name → value) of fake and real images. */
    public static Value loss(Graph g, Map<String, Value> fakeFeats, Map<String, Value> realFeats, Config cfg, String source) {
        Value sum = null;
        for (int i = 0; i < cfg.taps().size(); i++) {
            String tap = cfg.taps().get(i);
            Value f = fakeFeats.get(tap), r = realFeats.get(tap);
            if (f == null || r == null) {
                throw new IllegalArgumentException("VggLoss: tap '" + tap + "' is not a value of " + source
                        + " (open the model in Netron to find the ReLU output names)");
            }
            Value l1 = g.mul(g.meanAll(g.abs(g.sub(f, g.stopGradient(r)))), cfg.weights().get(i));
            sum = sum == null ? l1 : g.add(sum, l1);
        }
        return g.mul(sum, cfg.lambda());
    }
}
