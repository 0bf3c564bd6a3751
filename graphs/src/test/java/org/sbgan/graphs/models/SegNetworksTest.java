package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.loss.Losses;
import org.sbgan.graphs.nn.InferenceParams;
import org.sbgan.graphs.nn.StepParams;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.step.StepManifest.StateKind;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/** G_seg and D_seg (docs/METHOD.md §1) on the tiny preset: shapes, names, sizes, ONNX Runtime, training steps. */
class SegNetworksTest {
    private static final Preset P = Preset.TINY.withLayout(LayoutRecipe.RELEASED); // K 8, ar 2, z 128, channels 4:64, 8:64, 16:32, 32:16

    @Test
    void generatorAndCriticRunAtEveryLevelWithDynamicBatch() throws Exception {
        for (int level = 0; level < P.levels(); level++) {
            long h = 4L << level, w = 8L << level;
            Graph g = new Graph("seg" + level);
            InferenceParams ip = new InferenceParams(g, 11);
            Value z = g.input("z", -1, P.zDim());
            Value p = new SegGenerator(ip, P, level).forward(z);
            assertArrayEquals(new long[] {-1, 8, h, w}, p.shape(), "level " + level);
            Value x = g.input("x", -1, 8, h, w);
            SegCritic d = new SegCritic(ip, P, level);
            Value sx = d.forward(x), sp = d.forward(p);
            assertArrayEquals(new long[] {-1, 1}, sx.shape());
            try (Ort ort = new Ort(OnnxExport.model(g, Map.of("p", p, "sx", sx, "sp", sp), ip.initialValues()))) {
                for (int n : new int[] {1, 3}) {
                    Random r = new Random(level * 10 + n);
                    Map<String, Tensor> out = ort.run(Map.of("z", GradCheck.randn(r, n, P.zDim()), "x", GradCheck.randn(r, n, 8, h, w)));
                    Tensor pt = out.get("p");
                    assertArrayEquals(new long[] {n, 8, h, w}, pt.shape);
                    float[] pd = pt.floats();
                    int hw = (int) (h * w);
                    for (int b = 0; b < n; b++) {
                        for (int i = 0; i < hw; i++) {
                            double s = 0;
                            for (int c = 0; c < 8; c++) {
                                float v = pd[(b * 8 + c) * hw + i];
                                assertTrue(v >= 0 && v <= 1);
                                s += v;
                            }
                            assertEquals(1.0, s, 1e-5);
                        }
                    }
                    for (String k : List.of("sx", "sp")) {
                        assertArrayEquals(new long[] {n, 1}, out.get(k).shape, k);
                        for (float v : out.get(k).floats()) assertTrue(Float.isFinite(v), k + " " + v);
                    }
                }
            }
        }
    }

    private static Map<String, Tensor> gParams(int level) {
        Graph g = new Graph("g");
        InferenceParams ip = new InferenceParams(g, 5);
        new SegGenerator(ip, P, level).forward(g.input("z", 1, P.zDim()));
        return ip.initialValues();
    }

    private static Map<String, Tensor> dParams(int level) {
        Graph g = new Graph("d");
        InferenceParams ip = new InferenceParams(g, 5);
        new SegCritic(ip, P, level).forward(g.input("x", 1, 8, 4L << level, 8L << level));
        return ip.initialValues();
    }

    @Test
    void levelsShareBlockParametersByName() {
        assertEquals(List.of("gseg.block0.fc.weight", "gseg.block0.fc.bias", "gseg.block0.conv.weight", "gseg.block0.conv.bias",
                "gseg.toSeg0.weight", "gseg.toSeg0.bias"), List.copyOf(gParams(0).keySet()));
        assertEquals(List.of("dseg.fromSeg0.weight", "dseg.fromSeg0.bias", "dseg.final.conv1.weight", "dseg.final.conv1.bias",
                "dseg.final.conv2.weight", "dseg.final.conv2.bias", "dseg.final.fc.weight", "dseg.final.fc.bias"),
                List.copyOf(dParams(0).keySet()));
        for (int level = 1; level < P.levels(); level++) {
            Map<String, Tensor> gl = gParams(level), gp = gParams(level - 1), dl = dParams(level), dp = dParams(level - 1);
            assertTrue(gl.containsKey("gseg.block" + level + ".conv1.weight"));
            assertTrue(gl.containsKey("gseg.block" + level + ".conv2.bias"));
            assertTrue(gl.containsKey("gseg.toSeg" + level + ".weight"));
            assertTrue(dl.containsKey("dseg.block" + level + ".conv1.weight"));
            assertTrue(dl.containsKey("dseg.fromSeg" + level + ".weight"));
            int shared = 0;
            for (String n : gp.keySet()) {
                if (n.startsWith("gseg.toSeg")) {
                    assertTrue(!gl.containsKey(n), n);
                    continue;
                }
                assertEquals(gp.get(n), gl.get(n), n + " shared between levels " + (level - 1) + " and " + level);
                shared++;
            }
            for (String n : dp.keySet()) {
                if (n.startsWith("dseg.fromSeg")) {
                    assertTrue(!dl.containsKey(n), n);
                    continue;
                }
                assertEquals(dp.get(n), dl.get(n), n + " shared between levels " + (level - 1) + " and " + level);
                shared++;
            }
            assertEquals(gp.size() - 2 + dp.size() - 2, shared);
            assertEquals(gp.size() + 4, gl.size());
            assertEquals(dp.size() + 4, dl.size());
        }
    }

    private static long count(Map<String, Tensor> params) {
        return params.values().stream().mapToLong(Tensor::numel).sum();
    }

    @Test
    void parameterCountsOfTheTinyPreset() {
        long fc = 128L * 64 * 4 * 8 + 64 * 4 * 8, conv64 = 64 * 64 * 9 + 64;
        long g0 = fc + conv64 + (64 * 8 + 8);
        long g1 = fc + conv64 + 2 * conv64 + (64 * 8 + 8);
        long g2 = fc + conv64 + 2 * conv64 + (64 * 32 * 9 + 32) + (32 * 32 * 9 + 32) + (32 * 8 + 8);
        long g3 = g2 - (32 * 8 + 8) + (32 * 16 * 9 + 16) + (16 * 16 * 9 + 16) + (16 * 8 + 8);
        assertEquals(List.of(g0, g1, g2, g3), List.of(count(gParams(0)), count(gParams(1)), count(gParams(2)), count(gParams(3))));
        assertEquals(301_640L, g0);
        long fin = conv64 + (64 * 64 * 16 + 64) + (64 + 1);
        long d0 = (8 * 64 + 64) + fin;
        long d1 = (8 * 64 + 64) + 2 * conv64 + fin;
        long d2 = (8 * 32 + 32) + (32 * 32 * 9 + 32) + (32 * 64 * 9 + 64) + 2 * conv64 + fin;
        long d3 = (8 * 16 + 16) + (16 * 16 * 9 + 16) + (16 * 32 * 9 + 32) + (32 * 32 * 9 + 32) + (32 * 64 * 9 + 64) + 2 * conv64 + fin;
        assertEquals(List.of(d0, d1, d2, d3), List.of(count(dParams(0)), count(dParams(1)), count(dParams(2)), count(dParams(3))));
    }

    @Test
    void fadeBlendNeedsAlphaAndBadLevelsAreRefused() {
        Preset fade = new Preset("fade", 8, 2, P.segChannels(), 128, LayoutRecipe.RELEASED.withFadeBlend(true), 1f, P.spade(), P.patchD(), 1, true,
                P.optim(), P.batches(), P.epochs());
        Graph fg = new Graph("f");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SegGenerator(new InferenceParams(fg, 1), fade, 1).forward(fg.input("z", 1, 128)));
        assertTrue(e.getMessage().contains("fadeBlend"), e.getMessage());
        Graph fd = new Graph("f");
        assertThrows(IllegalStateException.class, () -> new SegCritic(new InferenceParams(fd, 1), fade, 1).forward(fd.input("x", 1, 8, 8, 16)));
        Graph pg = new Graph("f");
        assertThrows(IllegalStateException.class,
                () -> new SegGenerator(new InferenceParams(pg, 1), P, 1).forward(pg.input("z", 1, 128), pg.input("a")));
        assertThrows(IllegalArgumentException.class, () -> new SegGenerator(new InferenceParams(new Graph("f"), 1), P, 4));
    }

    private static Map<String, Tensor> feed(StepGraph step, Map<String, Tensor> inputs) {
        Map<String, Tensor> f = new HashMap<>(inputs);
        for (StepManifest.StateEntry e : step.manifest().state()) if (e.read()) f.put(e.name(), step.initialState().get(e.name()));
        return f;
    }

    private static Tensor gumbel(Random r, long... shape) {
        float[] d = new float[Math.toIntExact(org.sbgan.graphs.ir.Shapes.numel(shape))];
        for (int i = 0; i < d.length; i++) d[i] = (float) -Math.log(-Math.log(1 - r.nextDouble()) + 1e-10);
        return Tensor.floats(d, shape);
    }

    @Test
    void gAndDTrainingStepsBuildAndRun() throws Exception {
        int level = 1, n = 2;
        long h = 8, w = 16;
        // G step: −mean D_seg(ST-Gumbel(G_seg(z))), Adam on G_seg's parameters only.
        StepBuilder gs = new StepBuilder("seg_g");
        StepParams gp = new StepParams(gs, 3);
        Value z = gs.noise("z", n, P.zDim()), gn = gs.noise("gumbel", n, 8, h, w);
        SegGenerator gen = new SegGenerator(gp, P, level);
        SegCritic crit = new SegCritic(gp, P, level);
        Value lossG = Losses.wganG(crit.forward(gs.graph().gumbelSoftmaxST(gen.forward(z), gn, P.gumbelTemperature())));
        List<Value> gParams = gs.params().stream().filter(v -> v.name().startsWith("gseg.")).toList();
        assertEquals(gParams(level).size(), gParams.size());
        Adam.update(gs, "G", Adam.Config.adam(0f, 0.99f), gParams, Gradients.of(lossG, gParams));
        gs.metric("loss_g", lossG);
        StepGraph gStep = gs.build(null);

        // D step: WGAN-GP through D_seg (double backprop), Adam on D_seg's parameters only.
        StepBuilder ds = new StepBuilder("seg_d");
        StepParams dp = new StepParams(ds, 3);
        Value zd = ds.noise("z", n, P.zDim()), gd = ds.noise("gumbel", n, 8, h, w), alpha = ds.noise("alpha", n, 1, 1, 1);
        Value real = ds.batch("real", n, 8, h, w);
        Graph dg = ds.graph();
        Value fake = dg.gumbelSoftmaxST(new SegGenerator(dp, P, level).forward(zd), gd, 1f);
        SegCritic dcrit = new SegCritic(dp, P, level);
        Losses.WganGp lossD = Losses.wganGpD(dg, dcrit::forward, real, fake, alpha);
        List<Value> dParams = ds.params().stream().filter(v -> v.name().startsWith("dseg.")).toList();
        assertEquals(dParams(level).size(), dParams.size());
        Adam.update(ds, "D", Adam.Config.adam(0f, 0.99f), dParams, Gradients.of(lossD.total(), dParams));
        ds.metric("loss_d", lossD.total());
        ds.metric("penalty", lossD.penalty());
        StepGraph dStep = ds.build(null);

        Random r = new Random(4);
        float[] oneHot = new float[n * 8 * (int) (h * w)];
        for (int b = 0; b < n; b++) for (int i = 0; i < h * w; i++) oneHot[(b * 8 + r.nextInt(8)) * (int) (h * w) + i] = 1f;
        Map<String, Tensor> gOut, dOut;
        try (Ort ort = new Ort(gStep.model())) {
            gOut = ort.run(feed(gStep, Map.of("z", GradCheck.randn(r, n, P.zDim()), "gumbel", gumbel(r, n, 8, h, w),
                    Adam.lrInput("G"), Tensor.scalar(1e-3f))));
        }
        try (Ort ort = new Ort(dStep.model())) {
            dOut = ort.run(feed(dStep, Map.of("z", GradCheck.randn(r, n, P.zDim()), "gumbel", gumbel(r, n, 8, h, w),
                    "alpha", Tensor.floats(new float[] {0.25f, 0.75f}, n, 1, 1, 1), "real", Tensor.floats(oneHot, n, 8, h, w),
                    Adam.lrInput("D"), Tensor.scalar(1e-3f))));
        }
        assertTrue(Float.isFinite(gOut.get("loss_g").floats()[0]));
        assertTrue(Float.isFinite(dOut.get("loss_d").floats()[0]));
        for (String name : List.of("gseg.block1.conv1.weight", "gseg.toSeg1.weight", "gseg.block0.fc.weight")) {
            assertNotEquals(gStep.initialState().get(name), gOut.get(StepBuilder.nextName(name)), name + " is updated");
        }
        for (String name : List.of("dseg.block1.conv1.weight", "dseg.fromSeg1.weight", "dseg.final.fc.weight")) {
            Tensor next = dOut.get(StepBuilder.nextName(name));
            for (float v : next.floats()) assertTrue(Float.isFinite(v), name);
            assertNotEquals(dStep.initialState().get(name), next, name + " is updated");
        }
        assertTrue(gStep.manifest().state().stream().noneMatch(e -> e.name().startsWith("dseg.") && e.written()),
                "the G step does not write D_seg");
        assertEquals(StateKind.PARAM, dStep.manifest().stateEntry("dseg.final.fc.weight").kind());
    }

    @Test
    void wganGpGradientWrtCriticMatchesAFiniteDifference() throws Exception {
        // The critic loss is smooth in the last layer's weight (no LeakyReLU after it), so a central difference
        // along a random direction checks the second-order (penalty) gradient the ORT graph computes.
        int level = 1, n = 2;
        Graph g = new Graph("gp");
        InferenceParams ip = new InferenceParams(g, 8);
        SegCritic d = new SegCritic(ip, P, level);
        Value real = g.input("real", n, 8, 8, 16), fake = g.input("fake", n, 8, 8, 16), alpha = g.input("alpha", n, 1, 1, 1);
        Losses.WganGp l = Losses.wganGpD(g, d::forward, real, fake, alpha);
        Value fcw = g.value("dseg.final.fc.weight"), c1 = g.value("dseg.block1.conv1.weight");
        List<Value> grads = Gradients.of(l.total(), List.of(fcw, c1));
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("loss", l.total());
        outs.put("dfc", grads.get(0));
        outs.put("dc1", grads.get(1));
        Random r = new Random(12);
        Map<String, Tensor> base = new HashMap<>(ip.initialValues());
        base.put("real", GradCheck.randn(r, n, 8, 8, 16));
        base.put("fake", GradCheck.randn(r, n, 8, 8, 16));
        base.put("alpha", Tensor.floats(new float[] {0.3f, 0.6f}, n, 1, 1, 1));
        Tensor dir = GradCheck.randn(r, 1, 64);
        float eps = 1e-2f;
        try (Ort ort = new Ort(OnnxExport.model(g, outs))) {
            Map<String, Tensor> out = ort.run(base);
            double analytic = 0;
            float[] dfc = out.get("dfc").floats(), dd = dir.floats(), w0 = base.get("dseg.final.fc.weight").floats();
            for (int i = 0; i < dd.length; i++) analytic += dfc[i] * dd[i];
            double[] l2 = new double[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                float[] wp = new float[w0.length];
                for (int i = 0; i < wp.length; i++) wp[i] = w0[i] + (sgn == 0 ? eps : -eps) * dd[i];
                Map<String, Tensor> f = new HashMap<>(base);
                f.put("dseg.final.fc.weight", Tensor.floats(wp, 1, 64));
                l2[sgn] = ort.run(f).get("loss").floats()[0];
            }
            double numeric = (l2[0] - l2[1]) / (2 * eps);
            assertEquals(numeric, analytic, 2e-2 * Math.max(1, Math.abs(numeric)), "loss " + out.get("loss").floats()[0]);
            double m = 0;
            for (float v : out.get("dc1").floats()) {
                assertTrue(Float.isFinite(v));
                m = Math.max(m, Math.abs(v));
            }
            assertTrue(m > 0, "the penalty reaches the first block");
        }
    }
}
