package org.sbgan.graphs.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/** The per-pixel entropy of class probabilities: value against a Java reference, gradient against finite differences. */
class EntropyLossTest {
    @Test
    void valueIsTheMeanPixelEntropy() throws Exception {
        int n = 2, k = 4, h = 3, w = 2, hw = h * w;
        Tensor logits = GradCheck.randn(new Random(5), n, k, h, w);
        Graph g = new Graph("entropy");
        Value e = Losses.pixelEntropy(g, g.softmax(g.input("logits", n, k, h, w), 1));
        float got;
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("e", e)))) {
            got = ort.run(Map.of("logits", logits)).get("e").floats()[0];
        }
        float[] x = logits.floats();
        double sum = 0;
        for (int b = 0; b < n; b++) {
            for (int q = 0; q < hw; q++) {
                double z = 0;
                for (int c = 0; c < k; c++) z += Math.exp(x[(b * k + c) * hw + q]);
                for (int c = 0; c < k; c++) {
                    double p = Math.exp(x[(b * k + c) * hw + q]) / z;
                    sum -= p * Math.log(p + Losses.ENTROPY_EPS);
                }
            }
        }
        assertEquals(sum / (n * hw), got, 1e-5);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        GradCheck.of("pixel_entropy").scalarLoss().input("logits", 2, 5, 2, 3)
                .check((g, in) -> Losses.pixelEntropy(g, g.softmax(in.get(0), 1)));
    }
}
