package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.optim.Ema;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.testing.Ort;

/** Each layout-recipe flag changes the emitted layout-GAN step graphs as documented, and only that. */
class LayoutRecipeTest {
    private static final Preset RELEASED = Preset.TINY.withLayout(LayoutRecipe.RELEASED);
    private static final int N = 4, SEED = 3;

    private static long count(StepGraph s, String op, String namePrefix) {
        return s.model().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals(op) && n.getName().startsWith(namePrefix)).count();
    }

    private static boolean hasInput(StepGraph s, String name) {
        return s.model().getGraph().getInputList().stream().map(OnnxMl.ValueInfoProto::getName).anyMatch(name::equals);
    }

    @Test
    void minibatchStddevAddsOneChannelBeforeTheCriticsFinalBlock() {
        Preset on = Preset.TINY.withLayout(LayoutRecipe.RELEASED.withMinibatchStddev(true));
        for (int level : new int[] {0, 2}) {
            StepGraph d = Stages.segD(on, level, N, SEED), d0 = Stages.segD(RELEASED, level, N, SEED);
            int c0 = on.segChannels(0);
            assertArrayEquals(new long[] {c0, c0 + 1, 3, 3}, d.initialState().get("dseg.final.conv1.weight").shape);
            assertArrayEquals(new long[] {c0, c0, 3, 3}, d0.initialState().get("dseg.final.conv1.weight").shape);
            // WGAN-GP calls the critic on real, fake and the interpolate: one stddev map each, plus its gradients
            assertTrue(count(d, "Sqrt", "dseg.final.mbstd") >= 3, "level " + level);
            assertEquals(0, count(d0, "Sqrt", "dseg.final.mbstd"));
            assertTrue(count(Stages.segG(on, level, N, SEED), "Sqrt", "dseg.final.mbstd") >= 1, "the G step's critic has it too");
            assertEquals(d0.initialState().keySet(), d.initialState().keySet(), "no new state, only a wider conv");
        }
    }

    @Test
    void theRgbProGanBaselineGetsTheSameRecipe() {
        Preset on = Preset.TINY.withLayout(LayoutRecipe.RELEASED.withMinibatchStddev(true).withEmaBeta(0.999f));
        int c0 = on.segChannels(0);
        assertArrayEquals(new long[] {c0, c0 + 1, 3, 3}, Stages.proganD(on, 1, N, SEED).initialState().get("prgb_d.final.conv1.weight").shape);
        assertArrayEquals(new long[] {c0, c0, 3, 3}, Stages.proganD(RELEASED, 1, N, SEED).initialState().get("prgb_d.final.conv1.weight").shape);
        assertTrue(Stages.proganG(on, 1, N, SEED).initialState().containsKey(Ema.stateName("prgb_g.block0.fc.weight")));
        assertFalse(Stages.proganG(RELEASED, 1, N, SEED).initialState().containsKey(Ema.stateName("prgb_g.block0.fc.weight")));
    }

    @Test
    void pixelNormSqrtTakesTheRootInG() {
        Preset on = Preset.TINY.withLayout(LayoutRecipe.RELEASED.withPixelNormSqrt(true));
        StepGraph g = Stages.segG(on, 1, N, SEED), g0 = Stages.segG(RELEASED, 1, N, SEED);
        // PixelNorm of z, after fc and after every conv: 1 + 2 (block0) + 2 (block1)
        assertEquals(5, count(g, "Sqrt", "gseg.block"));
        assertEquals(0, count(g0, "Sqrt", "gseg.block"));
        assertEquals(g0.initialState().keySet(), g.initialState().keySet(), "no new state");
    }

    @Test
    void fadeBlendAddsTheAlphaInputAndThePreviousHeadAtLevelsAboveZero() {
        Preset on = Preset.TINY.withLayout(LayoutRecipe.RELEASED.withFadeBlend(true));
        for (StepGraph s : new StepGraph[] {Stages.segG(on, 2, N, SEED), Stages.segD(on, 2, N, SEED)}) {
            assertTrue(hasInput(s, Stages.FADE_ALPHA));
            assertTrue(s.initialState().containsKey("gseg.toSeg1.weight"));
            assertTrue(s.initialState().containsKey("dseg.fromSeg1.weight"));
        }
        assertFalse(hasInput(Stages.segG(on, 0, N, SEED), Stages.FADE_ALPHA), "level 0 has no fade");
        assertFalse(hasInput(Stages.segG(RELEASED, 2, N, SEED), Stages.FADE_ALPHA));
        assertFalse(Stages.segD(RELEASED, 2, N, SEED).initialState().containsKey("dseg.fromSeg1.weight"));
        // end-to-end steps and inference use the stabilized networks: no alpha input with the recipe on either
        assertFalse(hasInput(Stages.e2eG(on, 2, SEED), Stages.FADE_ALPHA));
    }

    @Test
    void entropyPenaltyChangesOnlyTheGStep() {
        Preset on = Preset.TINY.withLayout(LayoutRecipe.RELEASED.withEntropyWeight(0.5f));
        StepGraph g = Stages.segG(on, 1, N, SEED), g0 = Stages.segG(RELEASED, 1, N, SEED);
        assertTrue(g.manifest().metrics().stream().anyMatch(m -> m.name().equals("entropy")));
        assertFalse(g0.manifest().metrics().stream().anyMatch(m -> m.name().equals("entropy")));
        assertTrue(count(g, "Log", "entropy") >= 1);
        assertArrayEquals(Stages.segD(RELEASED, 1, N, SEED).bytes(), Stages.segD(on, 1, N, SEED).bytes(), "the D step is untouched");
        assertEquals("entropy-0.5", LayoutRecipe.RELEASED.withEntropyWeight(0.5f).describe());
    }

    @Test
    void emaIsWrittenByTheGStepAsTheAverageOfTheUpdatedWeights() throws Exception {
        float beta = 0.999f;
        Preset on = Preset.TINY.withLayout(LayoutRecipe.RELEASED.withEmaBeta(beta));
        StepGraph g = Stages.segG(on, 1, N, SEED);
        List<String> params = g.manifest().state().stream()
                .filter(e -> e.kind() == StepManifest.StateKind.PARAM && e.written()).map(e -> e.name()).toList();
        assertFalse(params.isEmpty());
        Map<String, Tensor> feed = new HashMap<>(g.initialState());
        Random r = new Random(1);
        for (var in : g.manifest().inputs()) {
            float[] d = new float[Math.toIntExact(Shapes.numel(in.shape()))];
            for (int i = 0; i < d.length; i++) d[i] = in.name().startsWith("lr.") ? 1e-2f : (float) r.nextGaussian();
            if (in.name().equals(Stages.GUMBEL)) for (int i = 0; i < d.length; i++) d[i] = (float) -Math.log(-Math.log(1 - r.nextDouble()) + 1e-10);
            feed.put(in.name(), Tensor.floats(d, in.shape()));
        }
        Map<String, Tensor> out;
        try (Ort ort = new Ort(g.model())) {
            out = ort.run(feed);
        }
        for (String p : params) {
            String avg = Ema.stateName(p);
            assertTrue(g.manifest().stateEntry(avg).written(), avg);
            assertEquals(StepManifest.StateKind.BUFFER, g.manifest().stateEntry(avg).kind());
            float[] before = g.initialState().get(avg).floats(), init = g.initialState().get(p).floats();
            assertArrayEquals(init, before, "the average starts at the weight's initial value");
            float[] next = out.get(StepBuilder.nextName(p)).floats();
            float[] got = out.get(StepBuilder.nextName(avg)).floats();
            float keep = Math.min(beta, 2f / 11f); // warm-up at the group's first step: (1 + 1) / (10 + 1)
            for (int i = 0; i < got.length; i++) assertEquals(keep * before[i] + (1 - keep) * next[i], got[i], 1e-5, p + "[" + i + "]");
        }
        assertFalse(Stages.segG(RELEASED, 1, N, SEED).initialState().keySet().stream().anyMatch(n -> n.endsWith(".ema")));
        assertFalse(Stages.segD(on, 1, N, SEED).initialState().keySet().stream().anyMatch(n -> n.endsWith(".ema")), "D steps keep none");
    }

    @Test
    void textbookIsProGansStabilizersAndDescribesItself() {
        assertEquals(LayoutRecipe.RELEASED.withMinibatchStddev(true).withPixelNormSqrt(true).withFadeBlend(true).withEmaBeta(0.999f),
                LayoutRecipe.TEXTBOOK);
        assertEquals("released", LayoutRecipe.RELEASED.describe());
        assertEquals("textbook", LayoutRecipe.TEXTBOOK.describe());
        assertEquals("minibatch-stddev+fade-blend+ema-0.999", LayoutRecipe.TEXTBOOK.withPixelNormSqrt(false).describe());
    }
}
