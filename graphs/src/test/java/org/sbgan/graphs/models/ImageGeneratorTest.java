package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.InferenceParams;
import org.sbgan.graphs.nn.StepParams;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest.StateKind;
import org.sbgan.graphs.testing.Ort;

/** G_img (docs/METHOD.md §2) for the tiny preset: parameters, a training step, and a dynamic-batch inference graph. */
class ImageGeneratorTest {
    static final Preset P = Preset.TINY;
    static final int K = 8, H = 32, W = 64;

    /**
     * TINY: K = 8, ngf = 16 (16ngf = 256, 8ngf = 128, 4ngf = 64, 2ngf = 32), nhidden = 32.
     * conv(o, i, k, bias) = o·i·k² + (bias ? o : 0); SPADE(C) = conv(32, 8, 3) + 2·conv(C, 32, 3) = 2336 + 578·C.
     */
    @Test
    void parameterCountMatchesAHandComputation() {
        long spade256 = 2336 + 578 * 256, spade128 = 2336 + 578 * 128, spade64 = 2336 + 578 * 64;
        long spade32 = 2336 + 578 * 32, spade16 = 2336 + 578 * 16;
        assertEquals(150_304, spade256);
        long fc = 256 * 8 * 9 + 256;                                        // 18 688
        // 256 → 256: conv_0, conv_1 (256·256·9 + 256 each), SPADE_0(256), SPADE_1(256); identity shortcut
        long same = 2 * (256 * 256 * 9 + 256) + 2 * spade256;               // 1 480 768
        // fin → fout, fmid = fout: conv_0 (fout·fin·9 + fout), conv_1 (fout·fout·9 + fout), SPADE_0(fin),
        // SPADE_1(fout), conv_s (fout·fin, no bias), SPADE_s(fin)
        long up0 = (128 * 256 * 9 + 128) + (128 * 128 * 9 + 128) + spade256 + spade128 + 128 * 256 + spade256; // 852 320
        long up1 = (64 * 128 * 9 + 64) + (64 * 64 * 9 + 64) + spade128 + spade64 + 64 * 128 + spade128;       // 310 880
        long up2 = (32 * 64 * 9 + 32) + (32 * 32 * 9 + 32) + spade64 + spade32 + 32 * 64 + spade64;           // 129 248
        long up3 = (16 * 32 * 9 + 16) + (16 * 16 * 9 + 16) + spade32 + spade16 + 16 * 32 + spade32;           // 60 704
        long convImg = 3 * 16 * 9 + 3;                                      // 435
        assertEquals(List.of(18_688L, 1_480_768L, 852_320L, 310_880L, 129_248L, 60_704L), List.of(fc, same, up0, up1, up2, up3));
        long total = fc + 3 * same + up0 + up1 + up2 + up3 + convImg;
        assertEquals(5_814_579L, total);
        assertEquals(total, ImageGenerator.parameterCount(P));

        StepBuilder sb = new StepBuilder("count");
        new ImageGenerator(new StepParams(sb, 1), P);
        assertEquals(total, sb.params().stream().mapToLong(Value::numel).sum(), "declared parameters");
    }

    @Test
    void buildsAndRunsInATrainingStep() throws Exception {
        StepBuilder sb = new StepBuilder("gimg_step");
        Value layout = sb.batch("layout", 2, K, H, W);
        Value img = new ImageGenerator(new StepParams(sb, 1), P).forward(layout);
        assertArrayEquals(new long[] {2, 3, H, W}, img.shape());
        Graph g = sb.graph();
        Value loss = g.meanAll(img);
        List<Value> params = sb.params();
        List<Value> grads = Gradients.of(loss, params);
        Value fcGrad = grads.get(params.indexOf(g.value("gimg.fc.weight")));
        sb.metric("image", img);
        sb.metric("fc_grad", fcGrad);
        StepGraph step = sb.build(null);

        for (String n : List.of("gimg.fc.weight", "gimg.fc.bias", "gimg.head_0.conv_0.weight", "gimg.head_0.norm_0.mlp_shared.weight",
                "gimg.G_middle_0.conv_1.bias", "gimg.up_0.conv_s.weight", "gimg.up_3.norm_s.mlp_beta.weight", "gimg.conv_img.weight")) {
            assertEquals(StateKind.PARAM, step.manifest().stateEntry(n).kind(), n);
        }
        for (String n : List.of("gimg.head_0.conv_0.u", "gimg.up_0.conv_s.u", "gimg.head_0.norm_0.param_free_norm.running_mean",
                "gimg.up_3.norm_1.param_free_norm.running_var")) {
            assertEquals(StateKind.BUFFER, step.manifest().stateEntry(n).kind(), n);
            assertTrue(step.manifest().stateEntry(n).written(), n + " is written");
        }
        assertFalse(step.initialState().containsKey("gimg.head_0.conv_s.weight"), "identity shortcut for 16ngf → 16ngf");
        assertFalse(step.initialState().containsKey("gimg.up_0.conv_s.bias"));

        Map<String, Tensor> feed = new LinkedHashMap<>(step.initialState());
        feed.put("layout", oneHot(new Random(1), 2));
        Map<String, Tensor> out;
        try (Ort ort = new Ort(step.model())) {
            out = ort.run(feed);
        }
        assertArrayEquals(new long[] {2, 3, H, W}, out.get("image").shape);
        assertInRange(out.get("image").floats());
        double m = 0;
        for (float v : out.get("fc_grad").floats()) m = Math.max(m, Math.abs(v));
        assertTrue(m > 0, "the loss reaches gimg.fc");
        assertFalse(java.util.Arrays.equals(step.initialState().get("gimg.up_1.norm_0.param_free_norm.running_mean").floats(),
                out.get(StepBuilder.nextName("gimg.up_1.norm_0.param_free_norm.running_mean")).floats()), "running mean moves");
    }

    @Test
    void exportsAnInferenceGraphWithADynamicBatch() throws Exception {
        Graph g = new Graph("gimg");
        InferenceParams ip = new InferenceParams(g, 1);
        Value img = new ImageGenerator(ip, P).forward(g.input("layout", -1, K, H, W));
        assertArrayEquals(new long[] {-1, 3, H, W}, img.shape());
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("image", img), ip.initialValues()))) {
            for (int n : new int[] {1, 3}) {
                Tensor out = ort.run(Map.of("layout", oneHot(new Random(n), n))).get("image");
                assertArrayEquals(new long[] {n, 3, H, W}, out.shape);
                assertInRange(out.floats());
            }
        }
        StepBuilder sb = new StepBuilder("same");
        new ImageGenerator(new StepParams(sb, 1), P);
        sb.metric("dummy", sb.graph().scalar(0f));
        Map<String, Tensor> st = sb.build(null).initialState();
        assertEquals(st.keySet(), ip.initialValues().keySet());
        assertEquals(st.get("gimg.up_2.conv_0.weight"), ip.initialValues().get("gimg.up_2.conv_0.weight"));
    }

    @Test
    void moreUpsamplingAddsAnUpBetweenTheMiddleBlocks() {
        Preset more = new Preset("more", K, 1, List.of(8, 8, 8, 8), 16, LayoutRecipe.RELEASED, 1f,
                new Preset.Spade(2, 4, Preset.Upsampling.MORE), P.patchD(), 2, true, P.optim(), P.batches(), P.epochs());
        assertEquals(new Preset.Size(1, 1), more.spadeStartSize());
        Graph g = new Graph("more");
        Value img = new ImageGenerator(new InferenceParams(g, 1), more).forward(g.input("layout", 1, K, 64, 64));
        assertArrayEquals(new long[] {1, 3, 64, 64}, img.shape());
        assertEquals(6, g.nodes().stream().filter(nd -> nd.op().type().equals("Resize")).count());
    }

    static void assertInRange(float[] d) {
        for (float v : d) assertTrue(v >= -1 && v <= 1 && !Float.isNaN(v), "tanh output " + v);
    }

    static Tensor oneHot(Random r, int n) {
        float[] d = new float[n * K * H * W];
        for (int b = 0; b < n; b++) for (int i = 0; i < H * W; i++) d[(b * K + r.nextInt(K)) * H * W + i] = 1;
        return Tensor.floats(d, n, K, H, W);
    }
}
