package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.models.InferenceGraphs.Built;
import org.sbgan.graphs.testing.Ort;

/** Inference graphs with baked-in weights: shapes at batch 1 and 4, per-sample independence, the fused sampler. */
class InferenceGraphsTest {
    static final Preset P = Preset.TINY.withLayout(LayoutRecipe.RELEASED);
    static final int K = P.numClasses();
    static final long SEG_SEED = 3, IMG_SEED = 4;
    static final double TOL = 1e-5;

    /** ar 1, G_seg to 16×16, layout ×2 to a 32×32 G_img with 1×1 start: exercises layoutScaling = 2 cheaply. */
    static final Preset SCALED = new Preset("scaled", 5, 1, List.of(8, 8, 8), 16, LayoutRecipe.RELEASED, 1f,
            new Preset.Spade(2, 4, Preset.Upsampling.NORMAL), new Preset.PatchD(4, 2, 3), 2, true, P.optim(), P.batches(),
            P.epochs());

    @Test
    void segGeneratorGivesProbabilitiesAndTheirArgmax() throws Exception {
        Built b = InferenceGraphs.segGenerator(P, SEG_SEED);
        assertEquals(List.of("z"), b.inputNames());
        Preset.Size s = P.segTop();
        Map<Integer, Map<String, Tensor>> outs = runBatches(b, n -> Map.of("z", normal(new Random(7), n, P.zDim())));
        for (Map.Entry<Integer, Map<String, Tensor>> e : outs.entrySet()) {
            int n = e.getKey();
            Tensor probs = e.getValue().get("probs"), labels = e.getValue().get("labels");
            assertArrayEquals(new long[] {n, K, s.height(), s.width()}, probs.shape);
            assertArrayEquals(new long[] {n, s.height(), s.width()}, labels.shape);
            assertEquals(DType.INT64, labels.dtype);
            assertArrayEquals(argmax(probs), labels.longs(), "labels = argmax over K");
            for (long l : labels.longs()) assertTrue(l >= 0 && l < K, "label " + l);
        }
    }

    @Test
    void imageGeneratorAndDiscriminatorsRunAtAnyBatch() throws Exception {
        Preset.Size s = P.imageSize();
        Built gimg = InferenceGraphs.imageGenerator(P, IMG_SEED);
        assertEquals(List.of("layout"), gimg.inputNames());
        for (Map.Entry<Integer, Map<String, Tensor>> e : runBatches(gimg, n -> Map.of("layout", oneHot(new Random(5), n, K, s))).entrySet()) {
            Tensor img = e.getValue().get("image");
            assertArrayEquals(new long[] {e.getKey(), 3, s.height(), s.width()}, img.shape);
            for (float v : img.floats()) assertTrue(v >= -1 && v <= 1, "tanh output " + v);
        }

        Preset.Size t = P.segTop();
        Built dseg = InferenceGraphs.segCritic(P, 5);
        for (Map.Entry<Integer, Map<String, Tensor>> e : runBatches(dseg, n -> Map.of("x", oneHot(new Random(6), n, K, t))).entrySet()) {
            assertArrayEquals(new long[] {e.getKey(), 1}, e.getValue().get("scores").shape);
        }

        for (Built d : List.of(InferenceGraphs.d1(P, 6), InferenceGraphs.d2(P, 7))) {
            int c = (int) d.graph().value("x").dim(1);
            assertEquals(List.of("scale0", "scale1"), List.copyOf(d.outputs().keySet()));
            assertTrue(d.weightNames().stream().allMatch(w -> w.startsWith(d.name().substring(0, 2) + ".")), d.weightNames().toString());
            for (Map.Entry<Integer, Map<String, Tensor>> e : runBatches(d, n -> Map.of("x", normal(new Random(8), n, c, s.height(), s.width()))).entrySet()) {
                for (String o : List.of("scale0", "scale1")) {
                    long[] expect = d.outputs().get(o).shape().clone();
                    assertEquals(-1, expect[0]);
                    expect[0] = e.getKey();
                    assertArrayEquals(expect, e.getValue().get(o).shape, d.name() + " " + o);
                    assertEquals(1, expect[1]);
                }
            }
        }
        assertEquals(K + 3, InferenceGraphs.d1(P, 6).graph().value("x").dim(1));
        assertEquals(3, InferenceGraphs.d2(P, 7).graph().value("x").dim(1));
    }

    @Test
    void fusedSamplerEqualsGsegThenGimg() throws Exception {
        checkFused(P);
    }

    @Test
    void fusedSamplerUpsamplesTheLayoutByLayoutScaling() throws Exception {
        checkFused(SCALED);
    }

    private static void checkFused(Preset p) throws Exception {
        Built fused = InferenceGraphs.sbgan(p, SEG_SEED, IMG_SEED);
        Built seg = InferenceGraphs.segGenerator(p, SEG_SEED), img = InferenceGraphs.imageGenerator(p, IMG_SEED);
        assertEquals(List.of("z"), fused.inputNames());
        Map<String, Tensor> both = new HashMap<>(seg.initialValues());
        both.putAll(img.initialValues());
        assertEquals(both.keySet(), fused.initialValues().keySet());
        for (String w : fused.weightNames()) assertEquals(both.get(w), fused.initialValues().get(w), w);

        Preset.Size is = p.imageSize();
        int f = p.layoutScaling(), k = p.numClasses();
        Map<Integer, Map<String, Tensor>> outs = runBatches(fused, n -> Map.of("z", normal(new Random(11), n, p.zDim())));
        try (Ort so = new Ort(seg.export()); Ort io = new Ort(img.export())) {
            Tensor z = normal(new Random(11), 4, p.zDim());
            Tensor labels = so.run(Map.of("z", z)).get("labels");
            long[] up = upsample(labels, f);
            Tensor expected = io.run(Map.of("layout", oneHotOf(up, 4, k, is))).get("image");
            Map<String, Tensor> got = outs.get(4);
            assertArrayEquals(new long[] {4, is.height(), is.width()}, got.get("labels").shape);
            assertArrayEquals(up, got.get("labels").longs(), "labels = nearest ×" + f + " of G_seg's labels");
            assertArrayEquals(new long[] {4, 3, is.height(), is.width()}, got.get("image").shape);
            assertClose(expected.floats(), got.get("image").floats(), "fused image vs G_seg → one-hot → G_img");
        }
        for (long l : outs.get(1).get("labels").longs()) assertTrue(l >= 0 && l < k);
    }

    @Test
    void exportNeedsEveryWeightAndBakesItIn() throws Exception {
        Built b = InferenceGraphs.segGenerator(P, SEG_SEED);
        Map<String, Tensor> w = new LinkedHashMap<>(b.initialValues());
        w.put("adam.m.gseg.block0.fc.weight", Tensor.zeros(1)); // extra entries are ignored
        String missing = "gseg.toSeg" + (P.levels() - 1) + ".weight";
        Tensor kept = w.remove(missing);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.export(w));
        assertTrue(e.getMessage().contains("'" + missing + "'") && !e.getMessage().contains("\n"), e.getMessage());

        Map<String, Tensor> feed = Map.of("z", normal(new Random(2), 2, P.zDim()));
        w.put(missing, kept);
        float[] base, trained, zeroed;
        try (Ort o = new Ort(b.export(w))) {
            base = o.run(feed).get("probs").floats();
        }
        w.put(missing, Tensor.floats(scaled(kept.floats(), 1.5f), kept.shape));
        try (Ort o = new Ort(b.export(w))) {
            trained = o.run(feed).get("probs").floats();
        }
        w.put(missing, Tensor.zeros(kept.shape));
        try (Ort o = new Ort(b.export(w))) {
            zeroed = o.run(feed).get("probs").floats();
        }
        assertFalse(Arrays.equals(base, trained), "changed weights change the output");
        for (float v : zeroed) assertEquals(1f / K, v, 1e-6, "a zero toSeg gives uniform probabilities");

        // a wrong shape is refused with the weight's name
        w.put(missing, Tensor.zeros(1));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> b.export(w));
        assertTrue(shape.getMessage().contains(missing), shape.getMessage());
    }

    @Test
    void weightsAreTheTrainingNames() {
        Built img = InferenceGraphs.imageGenerator(P, IMG_SEED);
        assertTrue(img.weightNames().contains("gimg.head_0.norm_0.param_free_norm.running_mean"));
        assertTrue(img.weightNames().contains("gimg.head_0.conv_0.u"));
        Built dseg = InferenceGraphs.segCritic(P, 1);
        assertTrue(dseg.weightNames().contains("dseg.final.fc.weight"));
        for (Value v : img.graph().inputs()) {
            assertTrue(v.name().equals("layout") || img.initialValues().containsKey(v.name()), v.name());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    interface Feed {
        Map<String, Tensor> of(int n);
    }

    /**
     * Runs the model with its initial weights at batch 4 and at batch 1 on samples 0 and 2 of the batch-4
     * input; per-sample outputs must agree (eval BatchNorm uses running statistics). Returns outputs by batch.
     */
    static Map<Integer, Map<String, Tensor>> runBatches(Built b, Feed feed) throws Exception {
        Map<Integer, Map<String, Tensor>> r = new LinkedHashMap<>();
        try (Ort o = new Ort(b.export())) {
            Map<String, Tensor> in4 = feed.of(4);
            Map<String, Tensor> out4 = o.run(in4);
            r.put(4, out4);
            for (int i : new int[] {0, 2}) {
                Map<String, Tensor> in1 = new LinkedHashMap<>();
                in4.forEach((k, v) -> in1.put(k, sample(v, i)));
                Map<String, Tensor> out1 = o.run(in1);
                if (i == 0) r.put(1, out1);
                for (String k : b.outputs().keySet()) {
                    Tensor a = out1.get(k), c = sample(out4.get(k), i);
                    assertArrayEquals(c.shape, a.shape, k);
                    if (a.dtype == DType.FLOAT) assertClose(c.floats(), a.floats(), b.name() + " " + k + " sample " + i);
                    else assertArrayEquals(c.longs(), a.longs(), b.name() + " " + k + " sample " + i);
                }
            }
        }
        return r;
    }

    static Tensor sample(Tensor t, int i) {
        long[] s = t.shape.clone();
        s[0] = 1;
        int per = (int) (t.numel() / t.shape[0]);
        if (t.dtype == DType.FLOAT) return Tensor.floats(Arrays.copyOfRange(t.floats(), i * per, (i + 1) * per), s);
        return Tensor.of(t.dtype, s, Arrays.copyOfRange(t.longs(), i * per, (i + 1) * per));
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], TOL * Math.max(1, Math.abs(want[i])), what + " at " + i);
        }
    }

    static Tensor normal(Random r, long... shape) {
        float[] d = new float[(int) Arrays.stream(shape).reduce(1, (a, c) -> a * c)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.floats(d, shape);
    }

    static Tensor oneHot(Random r, int n, int k, Preset.Size s) {
        long[] idx = new long[n * s.height() * s.width()];
        for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt(k);
        return oneHotOf(idx, n, k, s);
    }

    static Tensor oneHotOf(long[] idx, int n, int k, Preset.Size s) {
        int hw = s.height() * s.width();
        float[] d = new float[n * k * hw];
        for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) d[(b * k + (int) idx[b * hw + i]) * hw + i] = 1;
        return Tensor.floats(d, n, k, s.height(), s.width());
    }

    /** Nearest ×f of an index map [N, H, W]. */
    static long[] upsample(Tensor labels, int f) {
        int n = (int) labels.shape[0], h = (int) labels.shape[1], w = (int) labels.shape[2];
        long[] src = labels.longs(), out = new long[n * h * f * w * f];
        for (int b = 0; b < n; b++) for (int y = 0; y < h * f; y++) for (int x = 0; x < w * f; x++) {
            out[(b * h * f + y) * w * f + x] = src[(b * h + y / f) * w + x / f];
        }
        return out;
    }

    static long[] argmax(Tensor p) {
        int n = (int) p.shape[0], k = (int) p.shape[1], hw = (int) (p.shape[2] * p.shape[3]);
        float[] d = p.floats();
        long[] out = new long[n * hw];
        for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (d[(b * k + c) * hw + i] > d[(b * k + best) * hw + i]) best = c;
            out[b * hw + i] = best;
        }
        return out;
    }

    static float[] scaled(float[] d, float f) {
        float[] r = d.clone();
        for (int i = 0; i < r.length; i++) r[i] *= f;
        return r;
    }
}
