package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.InferenceParams;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/** Textbook ProGAN fade-in blending of G_seg and D_seg (docs/METHOD.md §1, flag fadeBlend) on the tiny preset. */
class FadeBlendTest {
    private static final Preset T = Preset.TINY.withLayout(LayoutRecipe.RELEASED);
    private static final Preset FADE = new Preset("tiny-fade", T.numClasses(), T.aspectRatio(), T.segChannels(), T.zDim(),
            LayoutRecipe.RELEASED.withFadeBlend(true), T.gumbelTemperature(), T.spade(), T.patchD(), T.layoutScaling(),
            T.detachSegInBlocks(), T.optim(), T.batches(), T.epochs());
    private static final int LEVEL = 2, N = 2, K = 8;
    private static final long SEED = 7;

    private static Map<String, Tensor> run(Graph g, InferenceParams ip, Value out, Map<String, Tensor> inputs) throws Exception {
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("out", out), ip.initialValues()))) {
            return ort.run(inputs);
        }
    }

    private static float[] blendedG(Tensor z, float alpha) throws Exception {
        Graph g = new Graph("gb");
        InferenceParams ip = new InferenceParams(g, SEED);
        Value out = new SegGenerator(ip, FADE, LEVEL).forward(g.input("z", N, T.zDim()), g.input("a"));
        return run(g, ip, out, Map.of("z", z, "a", Tensor.scalar(alpha))).get("out").floats();
    }

    /** Unblended (TINY) G_seg at a level, its output upsampled ×2 `up` times. */
    private static float[] plainG(Tensor z, int level, boolean up) throws Exception {
        Graph g = new Graph("gp");
        InferenceParams ip = new InferenceParams(g, SEED);
        Value out = new SegGenerator(ip, T, level).forward(g.input("z", N, T.zDim()));
        if (up) out = g.upsampleNearest(out, 2, 2);
        return run(g, ip, out, Map.of("z", z)).get("out").floats();
    }

    private static float[] blendedD(Tensor x, float alpha) throws Exception {
        Graph g = new Graph("db");
        InferenceParams ip = new InferenceParams(g, SEED);
        Value out = new SegCritic(ip, FADE, LEVEL).forward(g.input("x", x.shape), g.input("a"));
        return run(g, ip, out, Map.of("x", x, "a", Tensor.scalar(alpha))).get("out").floats();
    }

    private static float[] plainD(Tensor x, int level, boolean pool) throws Exception {
        Graph g = new Graph("dp");
        InferenceParams ip = new InferenceParams(g, SEED);
        Value in = g.input("x", x.shape);
        Value out = new SegCritic(ip, T, level).forward(pool ? g.avgPool(in, PoolSpec.of(2, 2, 0, false)) : in);
        return run(g, ip, out, Map.of("x", x)).get("out").floats();
    }

    private static void close(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), what + " [" + i + "]");
    }

    @Test
    void generatorBlendsTheTwoLevelsAndStaysADistribution() throws Exception {
        Tensor z = GradCheck.randn(new Random(1), N, T.zDim());
        float[] at1 = blendedG(z, 1f), at0 = blendedG(z, 0f), mid = blendedG(z, 0.3f);
        close(plainG(z, LEVEL, false), at1, "α=1 is the unblended level-L output");
        close(plainG(z, LEVEL - 1, true), at0, "α=0 is upsample(level L−1 output)");
        int hw = (int) ((4L << LEVEL) * (8L << LEVEL));
        assertEquals(N * K * hw, mid.length);
        double diff = 0;
        for (int b = 0; b < N; b++) {
            for (int i = 0; i < hw; i++) {
                double s = 0;
                for (int c = 0; c < K; c++) {
                    int at = (b * K + c) * hw + i;
                    assertTrue(mid[at] >= 0 && mid[at] <= 1);
                    assertEquals(0.7 * at0[at] + 0.3 * at1[at], mid[at], 1e-5);
                    diff += Math.abs(at1[at] - at0[at]);
                    s += mid[at];
                }
                assertEquals(1.0, s, 1e-5);
            }
        }
        assertTrue(diff > 1e-3, "the two levels differ");
    }

    @Test
    void criticBlendMirrorsTheGenerator() throws Exception {
        Tensor x = GradCheck.randn(new Random(2), N, K, 4L << LEVEL, 8L << LEVEL);
        float[] at1 = blendedD(x, 1f), at0 = blendedD(x, 0f);
        close(plainD(x, LEVEL, false), at1, "α=1 is the unblended level-L critic");
        close(plainD(x, LEVEL - 1, true), at0, "α=0 is the level-(L−1) critic on avgpool2(x)");
        assertArrayEquals(new long[] {N}, new long[] {at1.length});
    }

    @Test
    void levelZeroAndThePlainPresetHaveNoFadeInput() {
        StepGraph g0 = Stages.segG(FADE, 0, N, 3);
        assertTrue(g0.manifest().inputs().stream().noneMatch(in -> in.name().equals(Stages.FADE_ALPHA)));
        StepGraph plain = Stages.segD(T, 1, N, 3);
        assertTrue(plain.manifest().inputs().stream().noneMatch(in -> in.name().equals(Stages.FADE_ALPHA)));
    }

    @Test
    void layoutGanStepsTakeFadeAlphaAndRunInOrt() throws Exception {
        int level = 1;
        for (StepGraph step : new StepGraph[] {Stages.segG(FADE, level, N, 3), Stages.segD(FADE, level, N, 3)}) {
            StepManifest.InputEntry fa = step.manifest().inputs().stream().filter(in -> in.name().equals(Stages.FADE_ALPHA))
                    .findFirst().orElseThrow(() -> new AssertionError(step.manifest().name() + " has no fade_alpha"));
            assertEquals(StepManifest.InputRole.HYPER, fa.role());
            assertEquals(0, fa.shape().length);
            assertTrue(step.initialState().containsKey("gseg.toSeg0.weight"), "gseg.toSeg0 is declared");
            assertTrue(step.initialState().containsKey("dseg.fromSeg0.weight"), "dseg.fromSeg0 is declared");
            Random r = new Random(5);
            Map<String, Tensor> feed = new HashMap<>();
            for (StepManifest.StateEntry s : step.manifest().state()) if (s.read()) feed.put(s.name(), step.initialState().get(s.name()));
            for (StepManifest.InputEntry in : step.manifest().inputs()) {
                Tensor t;
                if (in.name().equals(Stages.FADE_ALPHA)) t = Tensor.scalar(0.4f);
                else if (in.name().startsWith("lr.")) t = Tensor.scalar(1e-3f);
                else if (in.name().equals(Stages.ALPHA)) t = Tensor.floats(new float[] {0.25f, 0.75f}, in.shape());
                else if (in.name().equals(Stages.GUMBEL)) t = GradCheck.randn(r, in.shape());
                else if (in.name().equals(Stages.REAL_LAYOUT)) {
                    long hw = in.shape()[2] * in.shape()[3];
                    float[] oh = new float[Math.toIntExact(N * K * hw)];
                    for (int b = 0; b < N; b++) for (int i = 0; i < hw; i++) oh[Math.toIntExact((b * K + r.nextInt(K)) * hw + i)] = 1f;
                    t = Tensor.floats(oh, in.shape());
                } else t = GradCheck.randn(r, in.shape());
                feed.put(in.name(), t);
            }
            Map<String, Tensor> out;
            try (Ort ort = new Ort(step.model(), 2)) {
                out = ort.run(feed);
            }
            for (StepManifest.MetricEntry m : step.manifest().metrics()) {
                for (float v : out.get(m.name()).floats()) assertTrue(Float.isFinite(v), step.manifest().name() + " " + m.name());
            }
        }
    }

    /** After the fade phases, later stages and inference use the stabilized top level: no fade_alpha anywhere. */
    @org.junit.jupiter.api.Test
    void laterStagesAndInferenceUseTheStabilizedTopLevel() {
        for (StepGraph step : new StepGraph[] {Stages.d2Pretrain(FADE, 2, SEED), Stages.e2eD(FADE, 2, SEED)}) {
            org.junit.jupiter.api.Assertions.assertTrue(step.manifest().inputs().stream().noneMatch(i -> i.name().equals(Stages.FADE_ALPHA)),
                    step.manifest().name());
        }
        InferenceGraphs.Built g = InferenceGraphs.sbgan(FADE, SEED, SEED);
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("z"), g.inputNames());
    }
}
