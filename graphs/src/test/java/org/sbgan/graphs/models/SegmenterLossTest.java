package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.ConstParams;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * The segmenter loss of G_img: its value is the cross-entropy of the segmenter's own inference model, its gradient
 * reaches the image (finite differences), and the SPADE / end-to-end G steps with it differ from the plain ones only by
 * the term: same state, the segmenter's weights as constants, one more metric.
 */
class SegmenterLossTest {
    private static final int K = 4;
    private static final Segmenter.Config NET = new Segmenter.Config(K, 8, 16, 4, 2);

    /** Trained-looking weights: the initial ones with BatchNorm statistics moved away from 0 / 1. */
    private static Map<String, Tensor> weights(long seed) {
        Map<String, Tensor> w = new HashMap<>(Segmenter.inference(NET, seed).initialValues());
        Random r = new Random(seed);
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            float[] d = e.getValue().floats().clone();
            if (e.getKey().endsWith("running_var")) for (int i = 0; i < d.length; i++) d[i] = 0.5f + r.nextFloat();
            else if (e.getKey().endsWith("running_mean")) for (int i = 0; i < d.length; i++) d[i] = 0.3f * (float) r.nextGaussian();
            else continue;
            e.setValue(Tensor.floats(d, e.getValue().shape));
        }
        return w;
    }

    private static Tensor oneHot(Random r, int n, int h, int w) {
        float[] d = new float[n * K * h * w];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) d[((b * K + r.nextInt(K)) * h + y) * w + x] = 1f;
            }
        }
        return Tensor.floats(d, n, K, h, w);
    }

    private static Tensor image(Random r, int n, int h, int w) {
        float[] d = new float[n * 3 * h * w];
        for (int i = 0; i < d.length; i++) d[i] = (float) Math.tanh(r.nextGaussian());
        return Tensor.floats(d, n, 3, h, w);
    }

    /** Weighted per-pixel softmax cross-entropy in plain Java (soft targets allowed). */
    private static double crossEntropy(Tensor logits, Tensor target, float[] cw) {
        float[] z = logits.floats(), t = target.floats();
        int n = (int) logits.shape[0], hw = (int) (logits.shape[2] * logits.shape[3]);
        double num = 0, den = 0;
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < hw; p++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int c = 0; c < K; c++) max = Math.max(max, z[(b * K + c) * hw + p]);
                for (int c = 0; c < K; c++) sum += Math.exp(z[(b * K + c) * hw + p] - max);
                double nll = 0, w = 0;
                for (int c = 0; c < K; c++) {
                    double y = t[(b * K + c) * hw + p];
                    nll -= y * (z[(b * K + c) * hw + p] - max - Math.log(sum));
                    w += y * (cw == null ? 1 : cw[c]);
                }
                num += w * nll;
                den += w;
            }
        }
        return cw == null ? num / (n * hw) : num / den;
    }

    /** The trained weights as constants of a plain graph, in inference mode (what a step reads as frozen state). */
    private static Value loss(Graph g, SegmenterLoss sl, Map<String, Tensor> w, Value fake, Value layout) {
        ConstParams p = new ConstParams(g, false);
        w.forEach(p::with);
        return sl.loss(p, fake, layout);
    }

    private static float lossValue(SegmenterLoss sl, Map<String, Tensor> w, Tensor fake, Tensor layout) throws Exception {
        Graph g = new Graph("segmenter_loss_value");
        Value f = g.input("fake", fake.shape), l = g.input("layout", layout.shape);
        try (Ort ort = new Ort(OnnxExport.model(g, Map.of("loss", loss(g, sl, w, f, l))))) {
            return ort.run(Map.of("fake", fake, "layout", layout)).get("loss").floats()[0];
        }
    }

    private static Tensor logitsOfInferenceModel(Map<String, Tensor> w, Tensor image) throws Exception {
        try (Ort ort = new Ort(Segmenter.inference(NET, 0).export(w))) {
            return ort.run(Map.of(Segmenter.INPUT, image)).get(Segmenter.LOGITS);
        }
    }

    @Test
    void valueIsTheWeightedCrossEntropyOfTheSegmentersInferenceModel() throws Exception {
        Map<String, Tensor> w = weights(3);
        Random r = new Random(5);
        Tensor fake = image(r, 2, 8, 16), layout = oneHot(r, 2, 8, 16);
        Tensor logits = logitsOfInferenceModel(w, fake);
        float[] cw = {0.5f, 1f, 2f, 4f};
        double plain = crossEntropy(logits, layout, null), weighted = crossEntropy(logits, layout, cw);
        assertTrue(plain > 0.1 && Math.abs(plain - weighted) > 1e-3, "degenerate test: " + plain + " / " + weighted);
        assertEquals(2 * plain, lossValue(new SegmenterLoss(NET, "seg", 2f, null), w, fake, layout), 1e-4 * plain);
        assertEquals(weighted, lossValue(new SegmenterLoss(NET, "seg", 1f, cw), w, fake, layout), 1e-4 * weighted);
    }

    @Test
    void largerImagesAreAveragePooledToTheSegmentersInputWithSoftTargets() throws Exception {
        Map<String, Tensor> w = weights(4);
        Random r = new Random(6);
        Tensor fake = image(r, 1, 16, 32), layout = oneHot(r, 1, 16, 32);
        Tensor pooledImage = pool2(fake), pooledLayout = pool2(layout);
        double want = crossEntropy(logitsOfInferenceModel(w, pooledImage), pooledLayout, null);
        assertEquals(want, lossValue(new SegmenterLoss(NET, "seg", 1f, null), w, fake, layout), 1e-4 * want);
    }

    private static Tensor pool2(Tensor t) {
        int n = (int) t.shape[0], c = (int) t.shape[1], h = (int) t.shape[2] / 2, w = (int) t.shape[3] / 2;
        float[] s = t.floats(), d = new float[n * c * h * w];
        for (int i = 0; i < n * c; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = i * 4 * h * w;
                    d[(i * h + y) * w + x] = (s[o + 2 * y * 2 * w + 2 * x] + s[o + 2 * y * 2 * w + 2 * x + 1] + s[o + (2 * y + 1) * 2 * w + 2 * x]
                            + s[o + (2 * y + 1) * 2 * w + 2 * x + 1]) / 4;
                }
            }
        }
        return Tensor.floats(d, n, c, h, w);
    }

    @Test
    void gradientWrtTheImageMatchesFiniteDifferences() throws Exception {
        Map<String, Tensor> w = weights(7);
        Random r = new Random(9);
        Tensor layout = oneHot(r, 1, 8, 16);
        SegmenterLoss sl = new SegmenterLoss(NET, "seg", 1f, new float[] {1f, 2f, 0.5f, 3f});
        // a small step: ReLU and max-pool switches inside the segmenter are kinks a larger one may cross
        GradCheck.of("segmenter_loss_grad").scalarLoss().probes(40).eps(2e-4).tolerance(2e-3, 5e-2).input("fake", image(r, 1, 8, 16))
                .check((g, p) -> loss(g, sl, w, p.get(0), g.constant("layout", layout)));
    }

    @Test
    void checkNamesTheSegmenterWhenItDoesNotFitThePreset() {
        Preset tiny = Preset.TINY; // 8 classes, 32×64
        var classes = assertThrows(IllegalArgumentException.class, () -> new SegmenterLoss(NET, "runs/seg/x", 1f, null).check(tiny));
        assertTrue(classes.getMessage().startsWith("runs/seg/x: a segmenter of 4 classes"), classes.getMessage());
        Segmenter.Config odd = new Segmenter.Config(8, 24, 48, 4, 2);
        var size = assertThrows(IllegalArgumentException.class, () -> new SegmenterLoss(odd, "runs/seg/y", 1f, null).check(tiny));
        assertTrue(size.getMessage().startsWith("runs/seg/y: segmenter input 24×48 does not divide the image size 32×64"), size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SegmenterLoss(NET, "s", 0f, null));
        assertThrows(IllegalArgumentException.class, () -> new SegmenterLoss(NET, "s", 1f, new float[3]));
    }

    @Test
    void aRunsOwnSegmenterSeesTheImageAtMost64PixelsHigh() {
        assertEquals(new Preset.Size(32, 64), SegmenterLoss.ownInputSize(Preset.TINY));
        assertEquals(new Preset.Size(64, 128), SegmenterLoss.ownInputSize(Preset.SMALL));
        assertEquals(new Preset.Size(64, 128), SegmenterLoss.ownInputSize(Preset.byName("cityscapes")));
    }

    @Test
    void spadeAndEndToEndGStepsGainTheTermAndReadTheSegmenterAsFrozenState() {
        Preset p = Preset.TINY;
        Segmenter.Config net = new Segmenter.Config(p.numClasses(), 16, 32, 4, 2); // image 32×64 pooled by 2
        Stages.ImageLosses extra = new Stages.ImageLosses(null, new SegmenterLoss(net, "runs/seg/guide", 1f, null));
        List<String> segState = Segmenter.inference(net, 1).weightNames();
        for (boolean e2e : List.of(false, true)) {
            StepGraph plain = e2e ? Stages.e2eG(p, 2, 1) : Stages.spadeG(p, 2, 1);
            StepGraph with = e2e ? Stages.e2eG(p, 2, 1, extra) : Stages.spadeG(p, 2, 1, extra);
            String step = with.manifest().name();
            List<String> added = new java.util.ArrayList<>(names(with.manifest().state()));
            added.removeAll(names(plain.manifest().state()));
            assertEquals(new java.util.TreeSet<>(segState), new java.util.TreeSet<>(added), "the step's state gains exactly the segmenter's tensors: " + step);
            for (StepManifest.StateEntry e : with.manifest().state()) {
                if (!e.name().startsWith(Segmenter.GROUP + ".")) continue;
                assertTrue(e.read() && !e.written(), e.name() + " is read and never written by " + step);
                assertTrue(with.initialState().containsKey(e.name()), e.name());
            }
            List<String> metrics = with.manifest().metrics().stream().map(StepManifest.MetricEntry::name).toList();
            assertTrue(metrics.contains("segmenter"), metrics.toString());
            assertFalse(plain.manifest().metrics().stream().anyMatch(m -> m.name().equals("segmenter")));
            assertEquals(plain.manifest().written().size(), with.manifest().written().size(), "the same state is written: " + step);
            assertTrue(with.model().getGraph().getDocString().contains("segmenter CE ×1.0 of runs/seg/guide"), with.model().getGraph().getDocString());
        }
    }

    private static List<String> names(List<StepManifest.StateEntry> s) {
        return s.stream().map(StepManifest.StateEntry::name).toList();
    }
}
