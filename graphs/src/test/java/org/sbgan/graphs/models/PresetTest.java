package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.models.Preset.Size;
import org.sbgan.graphs.models.Preset.Upsampling;

/** The presets of docs/METHOD.md §4 and the values of §1–§3 they carry. */
class PresetTest {
    @Test
    void tableValues() {
        Preset t = Preset.byName("tiny"), s = Preset.byName("small"), c = Preset.byName("cityscapes"), a = Preset.byName("ade-indoor");
        assertEquals(List.of(8, 8, 35, 95), List.of(t.numClasses(), s.numClasses(), c.numClasses(), a.numClasses()));
        assertEquals(List.of(128, 256, 512, 512), List.of(t.zDim(), s.zDim(), c.zDim(), a.zDim()));
        assertEquals(List.of(2, 2, 2, 1), List.of(t.aspectRatio(), s.aspectRatio(), c.aspectRatio(), a.aspectRatio()));
        assertEquals(List.of(64, 64, 32, 16), t.segChannels());
        assertEquals(List.of(128, 128, 128, 64, 32), s.segChannels());
        assertEquals(List.of(512, 512, 512, 512, 256, 128), c.segChannels());
        assertEquals(c.segChannels(), a.segChannels());
        assertEquals(new Preset.Spade(16, 32, Upsampling.NORMAL), t.spade());
        assertEquals(new Preset.Spade(32, 64, Upsampling.NORMAL), s.spade());
        assertEquals(new Preset.Spade(64, 128, Upsampling.MORE), c.spade());
        assertEquals(new Preset.Spade(64, 128, Upsampling.NORMAL), a.spade());
        assertEquals(List.of(16, 32, 64, 64), List.of(t.patchD().ndf(), s.patchD().ndf(), c.patchD().ndf(), a.patchD().ndf()));
        assertEquals(List.of(1, 1, 2, 2), List.of(t.layoutScaling(), s.layoutScaling(), c.layoutScaling(), a.layoutScaling()));
        for (Preset p : List.of(t, s, c, a)) {
            assertEquals(2, p.patchD().numD());
            assertEquals(3, p.patchD().nLayersD());
            boolean small = p == t || p == s;
            assertEquals(small ? Preset.CPU_LAYOUT_RECIPE : LayoutRecipe.RELEASED, p.layout(), p.name());
            assertEquals(small, p.layout().minibatchStddev());
            assertEquals(small ? 0.999f : 0f, p.layout().emaBeta());
            assertFalse(p.pixelNormSqrt());
            assertFalse(p.fadeBlend());
            assertTrue(p.detachSegInBlocks());
            assertEquals(1f, p.gumbelTemperature());
            assertEquals(p, Preset.byName(p.name()));
        }
    }

    @Test
    void optimizersPerStage() {
        Preset c = Preset.CITYSCAPES, a = Preset.ADE_INDOOR;
        for (Preset p : List.of(Preset.TINY, Preset.SMALL, c, a)) {
            Preset.Optim o = p.optim();
            assertEquals(new Preset.AdamSpec(1e-3f, 0f, 0.99f, 1e-8f), o.segG());
            assertEquals(o.segG(), o.segD());
            assertEquals(new Preset.AdamSpec(1e-4f, 0f, 0.9f, 1e-8f), o.spadeG());
            assertEquals(new Preset.AdamSpec(4e-4f, 0f, 0.9f, 1e-8f), o.spadeD());
            assertEquals(new Preset.AdamSpec(2e-4f, 0f, 0.99f, 1e-8f), o.d2());
            assertEquals(0f, o.e2eSeg().beta1());
            assertEquals(0.99f, o.e2eSeg().beta2());
        }
        assertEquals(1e-5f, c.optim().e2eSeg().lr());
        assertEquals(1e-4f, a.optim().e2eSeg().lr());
    }

    @Test
    void paperBatchesAndEpochs() {
        Preset c = Preset.CITYSCAPES, a = Preset.ADE_INDOOR;
        assertEquals(List.of(16, 24, 8), List.of(c.batches().seg(), c.batches().spade(), c.batches().e2e()));
        assertEquals(List.of(36, 48, 16), List.of(a.batches().seg(), a.batches().spade(), a.batches().e2e()));
        assertEquals(150, c.epochs().segPhase());
        assertEquals(100, a.epochs().segPhase());
        assertEquals(1, c.epochs().d2Pretrain());
        assertEquals(c.epochs().spade() / 2, c.spadeDecayStartEpoch());
        // "above 128 px the batch is divided by 4": a preset whose G_seg went to 256 high would get 16 → 4.
        Preset big = new Preset("big", 35, 1, List.of(8, 8, 8, 8, 8, 8, 8), 16, LayoutRecipe.RELEASED, 1f,
                new Preset.Spade(8, 8, Upsampling.NORMAL), new Preset.PatchD(8, 2, 3), 1, true, c.optim(), c.batches(), c.epochs());
        assertEquals(16, big.segBatch(5));
        assertEquals(4, big.segBatch(6));
        assertEquals(16, c.segBatch(c.levels() - 1));
        assertEquals(16, Preset.TINY.batches().seg());
        assertEquals(8, Preset.TINY.batches().spade());
    }

    @Test
    void derivedSizes() {
        Preset t = Preset.TINY;
        assertEquals(4, t.levels());
        assertEquals(new Size(4, 8), t.segResolution(0));
        assertEquals(new Size(8, 16), t.segResolution(1));
        assertEquals(new Size(32, 64), t.segTop());
        assertEquals(16, t.segChannels(3));
        assertEquals(new Size(32, 64), t.imageSize());
        assertEquals(new Size(1, 2), t.spadeStartSize());

        assertEquals(new Size(64, 128), Preset.SMALL.segTop());
        assertEquals(new Size(2, 4), Preset.SMALL.spadeStartSize());

        Preset c = Preset.CITYSCAPES;
        assertEquals(new Size(128, 256), c.segTop());
        assertEquals(new Size(256, 512), c.imageSize());
        assertEquals(new Size(4, 8), c.spadeStartSize()); // 512 / 2^6 = 8, / ar 2 = 4
        Preset a = Preset.ADE_INDOOR;
        assertEquals(new Size(4, 4), a.segResolution(0));
        assertEquals(new Size(128, 128), a.segTop());
        assertEquals(new Size(256, 256), a.imageSize());
        assertEquals(new Size(8, 8), a.spadeStartSize());
        assertThrows(IllegalArgumentException.class, () -> t.segResolution(4));
    }

    @Test
    void byNameErrorListsValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preset.byName("huge"));
        assertEquals("unknown preset 'huge'; valid: tiny, small, cityscapes, ade-indoor", e.getMessage());
        assertSame(Preset.TINY, Preset.byName("tiny"));
    }

    @Test
    void nonIntegerSpadeStartSizeIsRejected() {
        // 3 levels → 16×32; "more" upsampling would need W divisible by 64.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Preset("odd", 8, 2, List.of(8, 8, 8), 16,
                LayoutRecipe.RELEASED, 1f, new Preset.Spade(8, 8, Upsampling.MORE), new Preset.PatchD(8, 2, 3), 1, true,
                Preset.TINY.optim(), Preset.TINY.batches(), Preset.TINY.epochs()));
        assertTrue(e.getMessage().contains("not divisible by 2^6"), e.getMessage());
    }

    @Test
    void withNumClassesKeepsTheRest() {
        Preset p = Preset.SMALL.withNumClasses(20);
        assertEquals(20, p.numClasses());
        assertEquals(Preset.SMALL.segChannels(), p.segChannels());
        assertEquals(Preset.SMALL.name(), p.name());
    }
}
