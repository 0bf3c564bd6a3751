package org.sbgan.graphs.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** Minibatch standard deviation: forward against a Java reference, gradients against finite differences. */
class MinibatchStddevTest {

    @Test
    void groupSizeIsFourOrTheBatchOrADivisor() {
        assertEquals(4, MinibatchStddev.groupSize(16));
        assertEquals(4, MinibatchStddev.groupSize(8));
        assertEquals(3, MinibatchStddev.groupSize(3));
        assertEquals(3, MinibatchStddev.groupSize(6));
        assertEquals(1, MinibatchStddev.groupSize(1));
        assertEquals(1, MinibatchStddev.groupSize(7));
    }

    @Test
    void forwardMatchesReference() throws Exception {
        for (int n : new int[] {8, 6, 2, 1}) {
            int c = 3, h = 2, w = 5;
            Tensor x = GradCheck.randn(new Random(n), n, c, h, w);
            Graph g = new Graph("mbstd");
            Value out = MinibatchStddev.forward(g.input("x", n, c, h, w));
            assertArrayEquals(new long[] {n, c + 1, h, w}, out.shape());
            float[] got;
            try (Ort ort = new Ort(OnnxExport.model(g, Map.of("y", out)))) {
                got = ort.run(Map.of("x", x)).get("y").floats();
            }
            assertArrayEquals(reference(x.floats(), n, c, h, w), got, 1e-5f, "batch " + n);
        }
    }

    /** ProGAN's definition written out: groups {m, m+M, m+2M, ...}, biased variance, mean over (c, h, w). */
    private static float[] reference(float[] x, int n, int c, int h, int w) {
        int gs = MinibatchStddev.groupSize(n), m = n / gs, per = c * h * w;
        double[] stat = new double[m];
        for (int grp = 0; grp < m; grp++) {
            double sum = 0;
            for (int k = 0; k < per; k++) {
                double mean = 0;
                for (int j = 0; j < gs; j++) mean += x[(j * m + grp) * per + k];
                mean /= gs;
                double var = 0;
                for (int j = 0; j < gs; j++) {
                    double d = x[(j * m + grp) * per + k] - mean;
                    var += d * d;
                }
                sum += Math.sqrt(var / gs + MinibatchStddev.EPS);
            }
            stat[grp] = sum / per;
        }
        float[] out = new float[n * (c + 1) * h * w];
        for (int s = 0; s < n; s++) {
            System.arraycopy(x, s * per, out, s * (per + h * w), per);
            for (int p = 0; p < h * w; p++) out[s * (per + h * w) + per + p] = (float) stat[s % m];
        }
        return out;
    }

    @Test
    void symbolicBatchUsesGroupsOfFour() throws Exception {
        int n = 8, c = 2, h = 3, w = 2;
        Tensor x = GradCheck.randn(new Random(9), n, c, h, w);
        Graph g = new Graph("mbstd_dynamic");
        Value out = MinibatchStddev.forward(g.input("x", -1, c, h, w));
        float[] got;
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("y", out)))) {
            got = ort.run(Map.of("x", x)).get("y").floats();
        }
        assertArrayEquals(reference(x.floats(), n, c, h, w), got, 1e-5f);
    }

    @Test
    void identicalSamplesGiveAZeroSpreadMap() throws Exception {
        int n = 4, c = 2, h = 2, w = 2;
        float[] one = GradCheck.randn(new Random(3), 1, c, h, w).floats();
        float[] x = new float[n * one.length];
        for (int i = 0; i < n; i++) System.arraycopy(one, 0, x, i * one.length, one.length);
        Graph g = new Graph("same");
        Value out = MinibatchStddev.forward(g.input("x", n, c, h, w));
        float[] y;
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("y", out)))) {
            y = ort.run(Map.of("x", Tensor.floats(x, n, c, h, w))).get("y").floats();
        }
        int per = (c + 1) * h * w;
        for (int s = 0; s < n; s++) {
            for (int p = 0; p < h * w; p++) assertEquals(Math.sqrt(MinibatchStddev.EPS), y[s * per + c * h * w + p], 1e-7);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        GradCheck.of("mbstd_grad").input("x", 8, 3, 2, 3).probes(80).check((g, in) -> MinibatchStddev.forward(in.get(0)));
        GradCheck.of("mbstd_grad_g3").input("x", 6, 2, 2, 2).probes(48).check((g, in) -> MinibatchStddev.forward(in.get(0)));
    }
}
