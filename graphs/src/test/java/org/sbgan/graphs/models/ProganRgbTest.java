package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.InferenceParams;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * The comparison model: a ProGAN trained directly on RGB images with G_seg's and D_seg's architecture (RGB head)
 * and the layout GAN's schedule, on the tiny preset.
 */
class ProganRgbTest {
    private static final Preset T = Preset.TINY.withLayout(LayoutRecipe.RELEASED);
    private static final Preset FADE = new Preset("tiny-fade", T.numClasses(), T.aspectRatio(), T.segChannels(), T.zDim(),
            LayoutRecipe.RELEASED.withFadeBlend(true), T.gumbelTemperature(), T.spade(), T.patchD(), T.layoutScaling(),
            T.detachSegInBlocks(), T.optim(), T.batches(), T.epochs());
    private static final int N = 2;
    private static final long SEED = 7;

    /** State names of the SEG steps and weights of the G_seg inference graph, recorded before the RGB head existed. */
    private static final String SEG_G_1 =
            "gseg.block0.fc.weight,gseg.block0.fc.bias,gseg.block0.conv.weight,gseg.block0.conv.bias,"
            + "gseg.block1.conv1.weight,gseg.block1.conv1.bias,gseg.block1.conv2.weight,gseg.block1.conv2.bias,"
            + "gseg.toSeg1.weight,gseg.toSeg1.bias,dseg.fromSeg1.weight,dseg.fromSeg1.bias,"
            + "dseg.block1.conv1.weight,dseg.block1.conv1.bias,dseg.block1.conv2.weight,dseg.block1.conv2.bias,"
            + "dseg.final.conv1.weight,dseg.final.conv1.bias,dseg.final.conv2.weight,dseg.final.conv2.bias,"
            + "dseg.final.fc.weight,dseg.final.fc.bias,opt.gseg.step,gseg.block0.fc.weight.adam_v,"
            + "gseg.block0.fc.bias.adam_v,gseg.block0.conv.weight.adam_v,gseg.block0.conv.bias.adam_v,gseg.block1.conv1.weight.adam_v,"
            + "gseg.block1.conv1.bias.adam_v,gseg.block1.conv2.weight.adam_v,gseg.block1.conv2.bias.adam_v,gseg.toSeg1.weight.adam_v,"
            + "gseg.toSeg1.bias.adam_v";
    private static final String SEG_D_1 =
            "gseg.block0.fc.weight,gseg.block0.fc.bias,gseg.block0.conv.weight,gseg.block0.conv.bias,"
            + "gseg.block1.conv1.weight,gseg.block1.conv1.bias,gseg.block1.conv2.weight,gseg.block1.conv2.bias,"
            + "gseg.toSeg1.weight,gseg.toSeg1.bias,dseg.fromSeg1.weight,dseg.fromSeg1.bias,"
            + "dseg.block1.conv1.weight,dseg.block1.conv1.bias,dseg.block1.conv2.weight,dseg.block1.conv2.bias,"
            + "dseg.final.conv1.weight,dseg.final.conv1.bias,dseg.final.conv2.weight,dseg.final.conv2.bias,"
            + "dseg.final.fc.weight,dseg.final.fc.bias,opt.dseg.step,dseg.fromSeg1.weight.adam_v,"
            + "dseg.fromSeg1.bias.adam_v,dseg.block1.conv1.weight.adam_v,dseg.block1.conv1.bias.adam_v,dseg.block1.conv2.weight.adam_v,"
            + "dseg.block1.conv2.bias.adam_v,dseg.final.conv1.weight.adam_v,dseg.final.conv1.bias.adam_v,dseg.final.conv2.weight.adam_v,"
            + "dseg.final.conv2.bias.adam_v,dseg.final.fc.weight.adam_v,dseg.final.fc.bias.adam_v";
    private static final String SEG_INFER =
            "gseg.block0.fc.weight,gseg.block0.fc.bias,gseg.block0.conv.weight,gseg.block0.conv.bias,"
            + "gseg.block1.conv1.weight,gseg.block1.conv1.bias,gseg.block1.conv2.weight,gseg.block1.conv2.bias,"
            + "gseg.block2.conv1.weight,gseg.block2.conv1.bias,gseg.block2.conv2.weight,gseg.block2.conv2.bias,"
            + "gseg.block3.conv1.weight,gseg.block3.conv1.bias,gseg.block3.conv2.weight,gseg.block3.conv2.bias,"
            + "gseg.toSeg3.weight,gseg.toSeg3.bias";

    private static List<String> stateNames(StepGraph s) {
        return s.manifest().state().stream().map(StepManifest.StateEntry::name).toList();
    }

    @Test
    void segVariantNamesAreUnchanged() {
        assertEquals(List.of(SEG_G_1.split(",")), stateNames(Stages.segG(T, 1, N, SEED)));
        assertEquals(List.of(SEG_D_1.split(",")), stateNames(Stages.segD(T, 1, N, SEED)));
        assertEquals(List.of(SEG_INFER.split(",")), InferenceGraphs.segGenerator(T, SEED).weightNames());
        SegGenerator.Config c = SegGenerator.Config.of(T, 2);
        assertEquals(SegGenerator.Config.Head.SEG, c.head());
        assertEquals("gseg", c.generatorScope());
        assertEquals("dseg", c.criticScope());
        assertEquals(c, new SegGenerator.Config(2, T.zDim(), T.numClasses(), T.aspectRatio(), T.segChannels(), T.layout()));
        SegGenerator.Config r = SegGenerator.Config.rgb(FADE, 2);
        assertEquals(SegGenerator.Config.Head.RGB, r.head());
        assertEquals(3, r.outChannels());
        assertEquals(r.head(), r.stabilized().head());
        assertEquals(r.generatorScope(), r.stabilized().generatorScope());
        assertFalse(r.stabilized().blends());
    }

    private static Map<String, Tensor> runInference(InferenceGraphs.Built b, Tensor z) throws Exception {
        try (Ort ort = new Ort(b.export())) {
            return ort.run(Map.of("z", z));
        }
    }

    private static void assertImage(Tensor t, long h, long w, String what) {
        assertArrayEquals(new long[] {N, 3, h, w}, t.shape, what);
        for (float v : t.floats()) assertTrue(Float.isFinite(v) && v >= -1f && v <= 1f, what + ": " + v);
    }

    @Test
    void generatorIsAnImageInMinusOneToOneAndTheInferenceGraphRuns() throws Exception {
        Tensor z = GradCheck.randn(new Random(1), N, T.zDim());
        InferenceGraphs.Built top = InferenceGraphs.proganGenerator(T, SEED);
        assertEquals(List.of("z"), top.inputNames());
        assertEquals(List.of("image"), List.copyOf(top.outputs().keySet()));
        assertTrue(top.weightNames().stream().allMatch(n -> n.startsWith("prgb_g.")), top.weightNames().toString());
        assertTrue(top.weightNames().contains("prgb_g.toRGB" + (T.levels() - 1) + ".weight"));
        Preset.Size s = T.segTop();
        Tensor img = runInference(top, z).get("image");
        assertImage(img, s.height(), s.width(), "top level");
        double spread = 0;
        for (float v : img.floats()) spread += Math.abs(v);
        assertTrue(spread > 1e-3, "the image is not constant zero");
        Preset.Size s1 = T.segResolution(1);
        assertImage(runInference(InferenceGraphs.proganGenerator(T, 1, SEED), z).get("image"), s1.height(), s1.width(), "level 1");
    }

    private static float[] fadeG(Tensor z, int level, Float alpha, boolean up) throws Exception {
        Graph g = new Graph("pg");
        InferenceParams ip = new InferenceParams(g, SEED);
        SegGenerator.Config c = SegGenerator.Config.rgb(FADE, level);
        Value zin = g.input("z", N, T.zDim());
        Value out = alpha == null ? new SegGenerator(ip, c.stabilized()).forward(zin) : new SegGenerator(ip, c).forward(zin, g.input("a"));
        if (up) out = g.upsampleNearest(out, 2, 2);
        Map<String, Tensor> in = new HashMap<>(Map.of("z", z));
        if (alpha != null) in.put("a", Tensor.scalar(alpha));
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("out", out), ip.initialValues()))) {
            return ort.run(in).get("out").floats();
        }
    }

    @Test
    void rgbFadeBlendsTheTanhImages() throws Exception {
        Tensor z = GradCheck.randn(new Random(2), N, T.zDim());
        int level = 2;
        float[] at1 = fadeG(z, level, 1f, false), at0 = fadeG(z, level, 0f, false), mid = fadeG(z, level, 0.3f, false);
        float[] plain = fadeG(z, level, null, false), prevUp = fadeG(z, level - 1, null, true);
        for (int i = 0; i < mid.length; i++) {
            assertEquals(plain[i], at1[i], 1e-5, "α=1 is the unblended level-L image");
            assertEquals(prevUp[i], at0[i], 1e-5, "α=0 is upsample(level L−1 image)");
            assertEquals(0.7 * at0[i] + 0.3 * at1[i], mid[i], 1e-5);
            assertTrue(mid[i] >= -1f && mid[i] <= 1f);
        }
    }

    private static Map<String, Tensor> feed(StepGraph step, Map<String, Tensor> state, Map<String, Tensor> fixed, Random r) {
        Map<String, Tensor> f = new HashMap<>();
        for (StepManifest.StateEntry s : step.manifest().state()) {
            if (s.read()) f.put(s.name(), state.computeIfAbsent(s.name(), step.initialState()::get));
        }
        for (StepManifest.InputEntry in : step.manifest().inputs()) {
            Tensor t = fixed.get(in.name());
            if (t == null) {
                if (in.name().startsWith("lr.")) t = Tensor.scalar(1e-3f);
                else if (in.name().equals(Stages.FADE_ALPHA)) t = Tensor.scalar(0.4f);
                else if (in.name().equals(Stages.ALPHA)) t = Tensor.floats(new float[] {0.25f, 0.75f}, in.shape());
                else if (in.name().equals(Stages.REAL_IMAGE)) {
                    float[] d = new float[Math.toIntExact(Arrays.stream(in.shape()).reduce(1, (a, b) -> a * b))];
                    for (int i = 0; i < d.length; i++) d[i] = 2 * r.nextFloat() - 1;
                    t = Tensor.floats(d, in.shape());
                } else t = GradCheck.randn(r, in.shape());
            }
            f.put(in.name(), t);
        }
        return f;
    }

    private static Map<String, Tensor> runStep(StepGraph step, Map<String, Tensor> feed) throws Exception {
        try (Ort ort = new Ort(step.model(), 2)) {
            return ort.run(feed);
        }
    }

    private static void writesExactly(StepGraph step, String group, String other) {
        StepManifest m = step.manifest();
        for (StepManifest.StateEntry s : m.state()) {
            String n = s.name();
            assertTrue(n.startsWith("prgb_g.") || n.startsWith("prgb_d.") || n.startsWith("opt.prgb_"), m.name() + ": " + n);
            boolean mine = n.startsWith(group + ".") || n.startsWith("opt." + group + ".");
            assertEquals(mine, s.written(), m.name() + ": " + n);
            if (n.startsWith(other + ".") && s.kind() == StepManifest.StateKind.PARAM) assertTrue(s.read(), n);
        }
        assertTrue(m.state().stream().anyMatch(s -> s.name().equals("opt." + group + ".step") && s.written()), m.name());
        assertTrue(m.inputs().stream().anyMatch(in -> in.name().equals("lr." + group)), m.name());
    }

    @Test
    void stepsRunAndWriteOnlyTheirNetwork() throws Exception {
        int level = 1;
        Preset.Size s = T.segResolution(level);
        StepGraph gs = Stages.proganG(T, level, N, SEED), ds = Stages.proganD(T, level, N, SEED);
        assertEquals("progan_g_" + level, gs.manifest().name());
        assertEquals("progan_d_" + level, ds.manifest().name());
        writesExactly(gs, Stages.PRGB_G, Stages.PRGB_D);
        writesExactly(ds, Stages.PRGB_D, Stages.PRGB_G);
        assertTrue(gs.initialState().containsKey("prgb_g.toRGB1.weight"));
        assertTrue(ds.initialState().containsKey("prgb_d.fromRGB1.weight"));
        assertArrayEquals(new long[] {T.segChannels().get(level), 3, 1, 1}, ds.manifest().stateEntry("prgb_d.fromRGB1.weight").shape());
        StepManifest.InputEntry real = ds.manifest().inputs().stream().filter(in -> in.name().equals(Stages.REAL_IMAGE)).findFirst()
                .orElseThrow();
        assertEquals(StepManifest.InputRole.BATCH, real.role());
        assertArrayEquals(new long[] {N, 3, s.height(), s.width()}, real.shape());
        assertEquals(List.of("loss_g"), gs.manifest().metrics().stream().map(StepManifest.MetricEntry::name).toList());
        assertEquals(List.of("loss_d", "wasserstein", "gp"), ds.manifest().metrics().stream().map(StepManifest.MetricEntry::name).toList());
        assertTrue(gs.manifest().inputs().stream().noneMatch(in -> in.name().equals(Stages.GUMBEL) || in.name().equals(Stages.FADE_ALPHA)));

        // The same initial value for a name in both steps (the trainer carries state by name).
        assertEquals(gs.initialState().get("prgb_g.toRGB1.weight"), ds.initialState().get("prgb_g.toRGB1.weight"));
        assertEquals(gs.initialState().get("prgb_d.final.fc.weight"), ds.initialState().get("prgb_d.final.fc.weight"));

        Random r = new Random(3);
        for (StepGraph step : List.of(gs, ds)) {
            Map<String, Tensor> out = runStep(step, feed(step, new HashMap<>(), Map.of(), r));
            for (StepManifest.MetricEntry me : step.manifest().metrics()) {
                for (float v : out.get(me.name()).floats()) assertTrue(Float.isFinite(v), step.manifest().name() + " " + me.name());
            }
            for (StepManifest.StateEntry st : step.manifest().written()) {
                for (float v : out.get(StepBuilder.nextName(st.name())).floats()) assertTrue(Float.isFinite(v), st.name());
            }
            if (step == ds) {
                float gp = out.get("gp").floats()[0], total = out.get("loss_d").floats()[0], w = out.get("wasserstein").floats()[0];
                assertTrue(gp > 0 && Float.isFinite(gp), "gp = " + gp);
                assertEquals(w + gp, total, 1e-4 * Math.max(1, Math.abs(total)));
            }
        }
    }

    @Test
    void fadeStepsTakeTheFadeAlphaAndDeclareThePreviousHeads() throws Exception {
        int level = 1;
        Random r = new Random(4);
        for (StepGraph step : List.of(Stages.proganG(FADE, level, N, SEED), Stages.proganD(FADE, level, N, SEED))) {
            StepManifest.InputEntry fa = step.manifest().inputs().stream().filter(in -> in.name().equals(Stages.FADE_ALPHA))
                    .findFirst().orElseThrow(() -> new AssertionError(step.manifest().name() + " has no fade_alpha"));
            assertEquals(StepManifest.InputRole.HYPER, fa.role());
            assertTrue(step.initialState().containsKey("prgb_g.toRGB0.weight"));
            assertTrue(step.initialState().containsKey("prgb_d.fromRGB0.weight"));
            Map<String, Tensor> out = runStep(step, feed(step, new HashMap<>(), Map.of(), r));
            for (StepManifest.MetricEntry me : step.manifest().metrics()) assertTrue(Float.isFinite(out.get(me.name()).floats()[0]));
        }
        assertTrue(Stages.proganG(FADE, 0, N, SEED).manifest().inputs().stream().noneMatch(in -> in.name().equals(Stages.FADE_ALPHA)));
    }

    @Test
    void adamStepsOfTheCriticLowerItsLossOnAFixedBatch() throws Exception {
        int level = 1;
        StepGraph ds = Stages.proganD(T, level, N, SEED);
        Random r = new Random(5);
        Map<String, Tensor> once = feed(ds, new HashMap<>(), Map.of(), r), fixed = new HashMap<>();
        for (StepManifest.InputEntry in : ds.manifest().inputs()) {
            if (!in.name().startsWith("lr.")) fixed.put(in.name(), once.get(in.name()));
        }
        Map<String, Tensor> state = new HashMap<>();
        float first = Float.NaN, last = Float.NaN;
        for (int it = 0; it < 8; it++) {
            Map<String, Tensor> out = runStep(ds, feed(ds, state, fixed, r));
            float l = out.get("loss_d").floats()[0];
            assertTrue(Float.isFinite(l), "loss_d at step " + it);
            if (it == 0) first = l;
            last = l;
            for (StepManifest.StateEntry s : ds.manifest().written()) state.put(s.name(), out.get(StepBuilder.nextName(s.name())));
        }
        assertTrue(last < first, "loss_d " + first + " -> " + last);
    }

    @Test
    void criticRefusesSegmentationMaps() {
        Graph g = new Graph("bad");
        SegCritic d = new SegCritic(new InferenceParams(g, SEED), SegGenerator.Config.rgb(T, 1));
        Preset.Size s = T.segResolution(1);
        assertThrows(IllegalArgumentException.class, () -> d.forward(g.input("x", N, T.numClasses(), s.height(), s.width())));
    }
}
