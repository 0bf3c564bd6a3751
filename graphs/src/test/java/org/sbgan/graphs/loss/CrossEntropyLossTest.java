package org.sbgan.graphs.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.GraphBuildException;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * Per-pixel softmax cross-entropy: value against a Java reference (weighted and not, with and without unlabelled pixels),
 * gradients against finite differences with unlabelled pixels among the targets.
 */
class CrossEntropyLossTest {
    private static final int N = 2, K = 4, H = 3, W = 2, HW = H * W;

    /** One-hot targets [N, K, H, W] of random classes; about {@code unlabelled} of the pixels get an all-zero row (class −1). */
    static Tensor oneHot(Random r, int[] classes, double unlabelled) {
        float[] d = new float[N * K * HW];
        for (int b = 0; b < N; b++) {
            for (int q = 0; q < HW; q++) {
                int c = r.nextDouble() < unlabelled ? -1 : r.nextInt(K);
                classes[b * HW + q] = c;
                if (c >= 0) d[(b * K + c) * HW + q] = 1f;
            }
        }
        return Tensor.floats(d, N, K, H, W);
    }

    @Test
    void valueIsTheWeightedMeanNegativeLogLikelihood() throws Exception {
        Random r = new Random(3);
        Tensor logits = GradCheck.randn(r, N, K, H, W);
        float[] weights = {0.5f, 2f, 1f, 3f};
        for (double unlabelled : new double[] {0, 0.4})
        for (float[] w : new float[][] {null, weights}) {
            int[] cls = new int[N * HW];
            Tensor y = oneHot(r, cls, unlabelled);
            Graph g = new Graph("ce");
            Value ce = Losses.pixelCrossEntropy(g, g.input("logits", N, K, H, W), g.input("y", N, K, H, W), w);
            float got;
            try (Ort ort = new Ort(OnnxExport.model(g, Map.of("ce", ce)))) {
                got = ort.run(Map.of("logits", logits, "y", y)).get("ce").floats()[0];
            }
            float[] x = logits.floats();
            double num = 0, den = 0;
            for (int b = 0; b < N; b++) {
                for (int q = 0; q < HW; q++) {
                    double z = 0;
                    for (int c = 0; c < K; c++) z += Math.exp(x[(b * K + c) * HW + q]);
                    int c = cls[b * HW + q];
                    if (c < 0) continue; // unlabelled: in neither sum
                    double wc = w == null ? 1 : w[c];
                    num += wc * -(x[(b * K + c) * HW + q] - Math.log(z));
                    den += wc;
                }
            }
            assertEquals(num / den, got, 1e-5, (w == null ? "unweighted" : "weighted") + ", unlabelled share " + unlabelled);
        }
    }

    @Test
    void aBatchWithoutLabelledPixelsHasLossZeroAndNoGradient() throws Exception {
        Tensor logits = GradCheck.randn(new Random(5), N, K, H, W);
        Graph g = new Graph("ce");
        Value x = g.input("logits", N, K, H, W);
        Value ce = Losses.pixelCrossEntropy(g, x, g.input("y", N, K, H, W), null);
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("ce", ce, "grad", Gradients.of(ce, x))))) {
            Map<String, Tensor> out = ort.run(Map.of("logits", logits, "y", Tensor.floats(new float[N * K * HW], N, K, H, W)));
            assertEquals(0f, out.get("ce").floats()[0], 0f);
            for (float v : out.get("grad").floats()) assertEquals(0f, v, 0f);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Random r = new Random(7);
        Tensor y = oneHot(r, new int[N * HW], 0.3);
        GradCheck.of("pixel_ce").scalarLoss().input("logits", N, K, H, W)
                .check((g, in) -> Losses.pixelCrossEntropy(g, in.get(0), g.constant("y", y), null));
        GradCheck.of("pixel_ce_weighted").scalarLoss().input("logits", N, K, H, W)
                .check((g, in) -> Losses.pixelCrossEntropy(g, in.get(0), g.constant("y", y), new float[] {0.5f, 2f, 1f, 3f}));
    }

    @Test
    void secondOrderGradientMatchesFiniteDifferences() {
        Random r = new Random(11);
        Tensor y = oneHot(r, new int[N * HW], 0.3);
        // ‖∂CE/∂logits‖², differentiated again: the double backward pass through LogSoftmax's rule
        GradCheck.of("pixel_ce_2nd").scalarLoss().eps(3e-3).input("logits", N, K, H, W).check((g, in) -> {
            Value ce = Losses.pixelCrossEntropy(g, in.get(0), g.constant("y", y), new float[] {0.5f, 2f, 1f, 3f});
            Value grad = Gradients.of(ce, in.get(0));
            return g.mul(g.sumAll(g.mul(grad, grad)), 100f);
        });
    }

    @Test
    void mismatchedShapesAndWeightsAreBuildErrors() {
        Graph g = new Graph("ce");
        Value logits = g.input("logits", N, K, H, W);
        assertThrows(GraphBuildException.class, () -> Losses.pixelCrossEntropy(g, logits, g.input("y", N, K + 1, H, W), null));
        assertThrows(GraphBuildException.class, () -> Losses.pixelCrossEntropy(g, logits, g.input("y2", N, K, H, W), new float[] {1f, 2f}));
    }
}
