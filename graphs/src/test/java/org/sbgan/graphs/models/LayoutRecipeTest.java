package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.step.StepGraph;

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
    void textbookIsAllThreeAndDescribesItself() {
        assertEquals(LayoutRecipe.RELEASED.withMinibatchStddev(true).withPixelNormSqrt(true).withFadeBlend(true), LayoutRecipe.TEXTBOOK);
        assertEquals("released", LayoutRecipe.RELEASED.describe());
        assertEquals("textbook", LayoutRecipe.TEXTBOOK.describe());
        assertEquals("minibatch-stddev+fade-blend", LayoutRecipe.TEXTBOOK.withPixelNormSqrt(false).describe());
    }
}
