package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;

/** Uses a stand-in "Inception" (global mean, then a 1×1 conv to 2048 channels) with the real model's interface. */
class OnnxInceptionFeaturesTest {
    @TempDir
    Path dir;

    private static final float[] WEIGHTS = new float[2048 * 3];

    static {
        Random rng = new Random(3);
        for (int i = 0; i < WEIGHTS.length; i++) WEIGHTS[i] = (float) rng.nextGaussian();
    }

    /** Input [batch, 3, 24, 24] (batch −1 = dynamic); output "pool3" [batch, 2048, 1, 1] (or 2-D when flat). */
    private Path model(String name, long batch, int features, boolean rank4Input) throws IOException {
        Graph g = new Graph("fake_inception");
        Value x = rank4Input ? g.input("x", batch, 3, 24, 24) : g.input("x", batch, 3 * 24 * 24);
        Value out;
        if (rank4Input) {
            Value m = g.reduceMean(x, true, 2, 3);
            float[] w = java.util.Arrays.copyOf(WEIGHTS, features * 3);
            out = g.conv(m, g.constant("w", Tensor.floats(w, features, 3, 1, 1)), null, ConvSpec.of(1, 0));
        } else {
            out = g.identity(x);
        }
        Path file = dir.resolve(name);
        OnnxExport.write(OnnxExport.model(g, Map.of("pool3", out), Map.of()), file);
        return file;
    }

    @Test
    void readsTheInputShapeResizesMapsTheRangeAndFlattensPool3() throws IOException {
        Path file = model("fid_inception.onnx", -1, 2048, true);
        int n = 5, h = 12, w = 12; // resized to the model's 24×24
        float[] x = new float[n * 3 * h * w];
        for (int i = 0; i < n; i++) for (int c = 0; c < 3; c++) for (int p = 0; p < h * w; p++) x[(i * 3 + c) * h * w + p] = 0.1f * (i - 2) + 0.2f * c;
        float[][] plain, zeroOne;
        try (OnnxInceptionFeatures f = new OnnxInceptionFeatures(file, OnnxInceptionFeatures.Input.MINUS_ONE_ONE, 2)) {
            assertEquals("inception-onnx:fid_inception.onnx", f.name());
            assertEquals(2048, f.dim());
            assertEquals(24, f.inputSize()[0]);
            plain = f.features(x, n, h, w);
        }
        try (OnnxInceptionFeatures f = new OnnxInceptionFeatures(file, OnnxInceptionFeatures.Input.ZERO_ONE, 32)) {
            zeroOne = f.features(x, n, h, w);
        }
        assertEquals(n, plain.length);
        for (int i = 0; i < n; i++) {
            assertEquals(2048, plain[i].length);
            for (int k : new int[] {0, 1000, 2047}) {
                double expected = 0, expected01 = 0;
                for (int c = 0; c < 3; c++) {
                    float v = 0.1f * (i - 2) + 0.2f * c;
                    expected += WEIGHTS[k * 3 + c] * v;
                    expected01 += WEIGHTS[k * 3 + c] * (v + 1) / 2;
                }
                assertEquals(expected, plain[i][k], 1e-4);
                assertEquals(expected01, zeroOne[i][k], 1e-4);
            }
        }
    }

    @Test
    void padsTheLastBatchOfAFixedBatchModel() throws IOException {
        Path file = model("fixed.onnx", 4, 2048, true);
        float[] x = SwdTest.structured(5, 24, 24);
        try (OnnxInceptionFeatures f = new OnnxInceptionFeatures(file)) {
            float[][] r = f.features(x, 5, 24, 24);
            assertEquals(5, r.length);
            assertTrue(r[4][0] != 0 || r[4][1] != 0);
        }
    }

    @Test
    void failsInOneLineNamingTheFile() throws IOException {
        Path missing = dir.resolve("missing.onnx");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new OnnxInceptionFeatures(missing)), "missing.onnx", "not found");

        Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "this is not a model");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new OnnxInceptionFeatures(garbage)), "garbage.onnx", "not a loadable ONNX model");

        Path flat = model("flat.onnx", -1, 2048, false);
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new OnnxInceptionFeatures(flat)), "flat.onnx", "expected 4-D");

        Path small = model("small.onnx", -1, 1000, true);
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new OnnxInceptionFeatures(small)), "small.onnx", "no output with 2048");
    }

    private static void assertOneLine(Exception e, String... parts) {
        String m = e.getMessage();
        assertTrue(!m.contains("\n"), m);
        for (String p : parts) assertTrue(m.contains(p), m);
    }
}
