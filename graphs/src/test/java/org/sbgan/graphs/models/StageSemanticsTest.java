package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.sbgan.graphs.nn.Conv2d;
import org.sbgan.graphs.nn.InferenceParams;
import org.sbgan.graphs.nn.Init;
import org.sbgan.graphs.nn.Params;
import org.sbgan.graphs.nn.Spade;
import org.sbgan.graphs.nn.SpadeResBlock;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/**
 * Semantic checks of the stage losses (docs/METHOD.md §1–§3) beyond "it builds and runs": the WGAN-GP penalty against
 * a finite-difference critic gradient, where the end-to-end D2 term's gradient reaches G_seg, and that the SPADE
 * steps actually fit a fixed batch.
 */
class StageSemanticsTest {
    private static final int K = 8;

    /** A small preset for the G_img tests: image 32×64 like TINY, but ngf 4, nhidden 8, ndf 8, z 16. */
    private static Preset mini(boolean detachSegInBlocks) {
        return new Preset("mini", K, 2, List.of(16, 16, 8, 8), 16, LayoutRecipe.RELEASED, 1f, new Preset.Spade(4, 8, Preset.Upsampling.NORMAL),
                new Preset.PatchD(8, 2, 3), 1, detachSegInBlocks, Preset.Optim.paper(1e-4f), new Preset.Batches(2, 128, 4, 2, 2),
                new Preset.Epochs(1, 1, 1, 1));
    }

    private static Tensor oneHot(Random r, int n, int h, int w, int block) {
        float[] d = new float[n * K * h * w];
        int hw = h * w;
        for (int b = 0; b < n; b++) {
            int[][] cls = new int[(h + block - 1) / block][(w + block - 1) / block];
            for (int[] row : cls) for (int j = 0; j < row.length; j++) row[j] = r.nextInt(K);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) d[(b * K + cls[y / block][x / block]) * hw + y * w + x] = 1f;
        }
        return Tensor.floats(d, n, K, h, w);
    }

    private static Tensor gumbel(Random r, long... shape) {
        float[] d = new float[Math.toIntExact(org.sbgan.graphs.ir.Shapes.numel(shape))];
        for (int i = 0; i < d.length; i++) d[i] = (float) -Math.log(-Math.log(1 - r.nextDouble()) + 1e-10);
        return Tensor.floats(d, shape);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 1. WGAN-GP penalty vs a finite-difference estimate of ∇x̂ D_seg(x̂)
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void gradientPenaltyMatchesFiniteDifferenceCriticGradient() throws Exception {
        // the released critic: the finite differences below batch perturbed copies of a sample, which minibatch stddev would mix
        Preset p = Preset.TINY.withLayout(LayoutRecipe.RELEASED);
        int n = 2, h = 4, w = 8, per = K * h * w; // level 0: 8×4×8 = 256 elements per sample
        Graph g = new Graph("gp_fd");
        InferenceParams ip = new InferenceParams(g, 21);
        SegCritic d = new SegCritic(ip, p, 0);
        Value real = g.input("real", n, K, h, w), fake = g.input("fake", n, K, h, w), alpha = g.input("alpha", n, 1, 1, 1);
        Value x = g.input("x", -1, K, h, w);
        Losses.WganGp l = Losses.wganGpD(g, d::forward, real, fake, alpha);
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("gp", l.penalty());
        outs.put("norm", l.gradNorm());
        outs.put("score", d.forward(x));

        Random r = new Random(5);
        float[] re = oneHot(r, n, h, w, 1).floats();
        float[] fa = new float[n * per]; // a probability map (softmax of Gaussian logits over the K channels)
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < h * w; i++) {
                double[] e = new double[K];
                double s = 0;
                for (int c = 0; c < K; c++) s += e[c] = Math.exp(r.nextGaussian());
                for (int c = 0; c < K; c++) fa[(b * K + c) * h * w + i] = (float) (e[c] / s);
            }
        }
        float[] al = {0.3f, 0.7f};
        float[] xhat = new float[n * per];
        for (int b = 0; b < n; b++) for (int i = 0; i < per; i++) {
            int j = b * per + i;
            xhat[j] = al[b] * re[j] + (1 - al[b]) * fa[j];
        }
        // Every element of every sample perturbed by ±eps, all in one batch (D_seg does not mix samples).
        float eps = 1e-3f;
        int rows = n * per * 2;
        float[] xs = new float[rows * per];
        float[] step = new float[n * per];
        for (int b = 0; b < n; b++) for (int i = 0; i < per; i++) {
            int j = b * per + i;
            float plus = xhat[j] + eps, minus = xhat[j] - eps;
            step[j] = plus - minus; // the step actually taken in float32
            int rp = 2 * j, rm = 2 * j + 1;
            System.arraycopy(xhat, b * per, xs, rp * per, per);
            System.arraycopy(xhat, b * per, xs, rm * per, per);
            xs[rp * per + i] = plus;
            xs[rm * per + i] = minus;
        }
        Map<String, Tensor> feed = new HashMap<>(ip.initialValues());
        feed.put("real", Tensor.floats(re, n, K, h, w));
        feed.put("fake", Tensor.floats(fa, n, K, h, w));
        feed.put("alpha", Tensor.floats(al, n, 1, 1, 1));
        feed.put("x", Tensor.floats(xs, rows, K, h, w));
        Map<String, Tensor> out;
        try (Ort ort = new Ort(OnnxExport.model(g, outs), 2)) {
            out = ort.run(feed);
        }
        float[] sc = out.get("score").floats();
        double penalty = 0;
        double[] fdNorm = new double[n];
        for (int b = 0; b < n; b++) {
            double sq = 0;
            for (int i = 0; i < per; i++) {
                int j = b * per + i;
                double gi = ((double) sc[2 * j] - sc[2 * j + 1]) / step[j];
                sq += gi * gi;
            }
            fdNorm[b] = Math.sqrt(sq);
            penalty += (fdNorm[b] - 1) * (fdNorm[b] - 1);
        }
        penalty = Losses.GP_LAMBDA * penalty / n;
        float gp = out.get("gp").floats()[0];
        float[] norm = out.get("norm").floats();
        String msg = "graph gp " + gp + " norms " + java.util.Arrays.toString(norm) + " vs finite-difference gp " + penalty
                + " norms " + java.util.Arrays.toString(fdNorm);
        // Tolerance: the central difference of float32 scores (|D| ~ 1, rounding ~1e-7) over a 2e-3 step has an
        // absolute error ~1e-4 per element, and a LeakyReLU kink crossed within ±1e-3 of x̂ biases one element by
        // at most ~eps·curvature; summed in quadrature over 256 elements this stays far below 2e-3 of ‖g‖ for
        // norms of order 0.1–10. The penalty is compared with a relative 5e-3 on top of the norm-derived bound.
        assertTrue(gp > 1e-3, "the penalty must not be trivially zero: " + msg);
        for (int b = 0; b < n; b++) assertEquals(fdNorm[b], norm[b], 2e-3 * Math.max(fdNorm[b], 1e-2), msg);
        assertEquals(penalty, gp, 5e-3 * Math.abs(penalty), msg);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 2. The e2e D2 term: G_seg's gradient, and where it enters G_img
    // ---------------------------------------------------------------------------------------------------------

    /**
     * G_img rebuilt from the same nn classes under the same names as {@link ImageGenerator} (so the same parameters
     * and values), with an optional stopGradient on the layout fed to the input conv {@code gimg.fc} only — the SPADE
     * blocks still get the layout as is (and detach it themselves when the preset says so). ImageGenerator's API
     * feeds one layout to both, so a stop at the input conv alone needs this replica; {@link #d2TermGraph} checks
     * that the unstopped replica computes exactly what ImageGenerator computes.
     */
    private static Value gImgReplica(Params p, Preset preset, Value layout, boolean stopAtInputConv) {
        Graph g = p.graph();
        int k = preset.numClasses(), ngf = preset.spade().ngf(), nh = preset.spade().nhidden();
        boolean det = preset.detachSegInBlocks();
        try (Graph.Scope s = g.scope(ImageGenerator.SCOPE)) {
            Conv2d fc = new Conv2d(p, "fc", Conv2d.Config.same3x3(k, 16 * ngf));
            SpadeResBlock head0 = new SpadeResBlock(p, "head_0", SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, det));
            SpadeResBlock middle0 = new SpadeResBlock(p, "G_middle_0", SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, det));
            SpadeResBlock middle1 = new SpadeResBlock(p, "G_middle_1", SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, det));
            SpadeResBlock up0 = new SpadeResBlock(p, "up_0", SpadeResBlock.Config.of(16 * ngf, 8 * ngf, k, nh, det));
            SpadeResBlock up1 = new SpadeResBlock(p, "up_1", SpadeResBlock.Config.of(8 * ngf, 4 * ngf, k, nh, det));
            SpadeResBlock up2 = new SpadeResBlock(p, "up_2", SpadeResBlock.Config.of(4 * ngf, 2 * ngf, k, nh, det));
            SpadeResBlock up3 = new SpadeResBlock(p, "up_3", SpadeResBlock.Config.of(2 * ngf, ngf, k, nh, det));
            Conv2d convImg = new Conv2d(p, "conv_img", Conv2d.Config.same3x3(ngf, 3));
            Preset.Size start = preset.spadeStartSize();
            Value in = stopAtInputConv ? g.stopGradient(layout) : layout;
            Value x = fc.forward(Spade.resizeNearest(in, start.height(), start.width()));
            x = head0.forward(x, layout);
            x = g.upsampleNearest(x, 2, 2);
            x = middle0.forward(x, layout);
            if (preset.spade().upsampling() == Preset.Upsampling.MORE) x = g.upsampleNearest(x, 2, 2);
            x = middle1.forward(x, layout);
            x = g.upsampleNearest(x, 2, 2);
            x = up0.forward(x, layout);
            x = g.upsampleNearest(x, 2, 2);
            x = up1.forward(x, layout);
            x = g.upsampleNearest(x, 2, 2);
            x = up2.forward(x, layout);
            x = g.upsampleNearest(x, 2, 2);
            x = up3.forward(x, layout);
            x = convImg.forward(g.leakyRelu(x, ImageGenerator.LRELU_SLOPE));
            return g.tanh(x);
        }
    }

    private static final List<String> PROBES = List.of("gseg.block0.fc.weight", "gseg.toSeg3.weight");

    /**
     * The e2e G step's D2 term, 0.1·hingeG(D2(G_img(upsample(ST-Gumbel(G_seg(z)))))) as Stages.e2eG builds it, and
     * its gradient w.r.t. G_seg parameters. mode: 0 = ImageGenerator, 1 = replica, 2 = replica stopped at the input conv.
     */
    private static Map<String, Tensor> d2Term(Preset p, int mode) throws Exception {
        int n = 2, top = p.levels() - 1;
        Graph g = new Graph("d2_term");
        InferenceParams ip = new InferenceParams(g, 13);
        Preset.Size s = p.segResolution(top);
        Value z = g.input(Stages.Z, n, p.zDim()), gn = g.input(Stages.GUMBEL, n, p.numClasses(), s.height(), s.width());
        SegGenerator seg = new SegGenerator(ip, p, top);
        PatchDiscriminator d2 = new PatchDiscriminator(ip, Stages.D2, PatchDiscriminator.Config.d2(p));
        Value y = g.gumbelSoftmaxST(seg.forward(z), gn, p.gumbelTemperature());
        Value layout = p.layoutScaling() == 1 ? y : g.upsampleNearest(y, p.layoutScaling(), p.layoutScaling());
        Value img = mode == 0 ? new ImageGenerator(ip, p).forward(layout) : gImgReplica(ip, p, layout, mode == 2);
        Value loss = g.mul(Losses.hingeG(Losses.lastOfEachScale(d2.forward(img))), Stages.E2E_D2_WEIGHT);
        List<Value> wrt = PROBES.stream().map(g::value).toList();
        List<Value> grads = Gradients.of(loss, wrt);
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("loss", loss);
        outs.put("img", img);
        for (int i = 0; i < wrt.size(); i++) outs.put("d." + PROBES.get(i), grads.get(i));
        Random r = new Random(17);
        Map<String, Tensor> feed = new HashMap<>(ip.initialValues());
        feed.put(Stages.Z, GradCheck.randn(r, n, p.zDim()));
        feed.put(Stages.GUMBEL, gumbel(r, n, p.numClasses(), s.height(), s.width()));
        try (Ort ort = new Ort(OnnxExport.model(g, outs), 2)) {
            return ort.run(feed);
        }
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.floats()) {
            assertTrue(Float.isFinite(v));
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void d2TermGradientReachesGSegOnlyThroughTheInputConvWhenDetached() throws Exception {
        for (boolean detach : new boolean[] {true, false}) {
            Preset p = mini(detach);
            Map<String, Tensor> real = d2Term(p, 0), replica = d2Term(p, 1), stopped = d2Term(p, 2);
            // The replica is ImageGenerator: same image, loss and G_seg gradients.
            assertArrayEquals(real.get("img").floats(), replica.get("img").floats(), 1e-6f, "replica image, detach " + detach);
            assertEquals(real.get("loss").floats()[0], replica.get("loss").floats()[0], 1e-6f);
            for (String pr : PROBES) {
                String k = "d." + pr;
                double full = maxAbs(real.get(k)), st = maxAbs(stopped.get(k));
                // The gradients are small (~1e-7 at init, 0.1 × a hinge through two fresh networks): compare relatively.
                assertArrayEquals(real.get(k).floats(), replica.get(k).floats(), (float) (1e-4 * full), k);
                assertTrue(full > 0, "the D2 term alone gives G_seg a gradient (" + pr + ", detach " + detach + ")");
                if (detach) {
                    assertEquals(0.0, st, 0.0, "detached blocks: stopping the input conv's layout cuts G_seg off (" + pr + ")");
                } else {
                    assertTrue(st > 1e-3 * full, "undetached blocks still carry the D2 gradient to G_seg (" + pr + "): " + st + " vs " + full);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 3. SPADE stage fits one fixed batch
    // ---------------------------------------------------------------------------------------------------------

    /** Reads parameters and buffers as inputs like InferenceParams, but in training mode (batch statistics), as the step does. */
    private static final class TrainingModeParams implements Params {
        private final InferenceParams inner;

        TrainingModeParams(Graph g) {
            inner = new InferenceParams(g, 0);
        }

        @Override
        public Graph graph() {
            return inner.graph();
        }

        @Override
        public Value param(String local, Init init, long... shape) {
            return inner.param(local, init, shape);
        }

        @Override
        public Value buffer(String local, Init init, long... shape) {
            return inner.buffer(local, init, shape);
        }

        @Override
        public void update(Value buffer, Value next) {}

        @Override
        public boolean training() {
            return true;
        }

        Map<String, Tensor> names() {
            return inner.initialValues();
        }
    }

    private static Map<String, Tensor> feedState(StepGraph step, Map<String, Tensor> state) {
        Map<String, Tensor> f = new HashMap<>();
        for (StepManifest.StateEntry s : step.manifest().state()) {
            if (s.read()) f.put(s.name(), state.computeIfAbsent(s.name(), step.initialState()::get));
        }
        return f;
    }

    private static void writeBack(StepGraph step, Map<String, Tensor> out, Map<String, Tensor> state) {
        for (StepManifest.StateEntry s : step.manifest().written()) state.put(s.name(), out.get(StepBuilder.nextName(s.name())));
    }

    @Test
    void spadeStepsOverfitOneFixedBatch() throws Exception {
        Preset p = mini(true);
        int n = 2;
        long seed = 3;
        Preset.Size size = p.imageSize();
        int h = size.height(), w = size.width(), hw = h * w;
        Random r = new Random(9);
        Tensor layout = oneHot(r, n, h, w, 8);
        float[][] color = new float[K][3];
        for (float[] c : color) for (int i = 0; i < 3; i++) c[i] = 1.6f * r.nextFloat() - 0.8f;
        float[] lo = layout.floats(), im = new float[n * 3 * hw];
        for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) for (int c = 0; c < K; c++) {
            if (lo[(b * K + c) * hw + i] == 1f) for (int ch = 0; ch < 3; ch++) im[(b * 3 + ch) * hw + i] = color[c][ch];
        }
        Tensor image = Tensor.floats(im, n, 3, h, w);

        // G_img(layout) with batch statistics, reading the current state by name.
        Graph eg = new Graph("gimg_eval");
        TrainingModeParams tp = new TrainingModeParams(eg);
        Value fake = new ImageGenerator(tp, p).forward(eg.input(Stages.REAL_LAYOUT, n, K, h, w));
        List<String> gimgNames = List.copyOf(tp.names().keySet());

        StepGraph gStep = Stages.spadeG(p, n, seed), dStep = Stages.spadeD(p, n, seed);
        Map<String, Tensor> state = new HashMap<>();
        long t0 = System.nanoTime();
        int steps = 0;
        double l1Start, l1End;
        try (Ort eval = new Ort(OnnxExport.model(eg, Map.of("fake", fake)), 2); Ort go = new Ort(gStep.model(), 2);
                Ort dgo = new Ort(dStep.model(), 2)) {
            java.util.function.Supplier<Double> l1 = () -> {
                Map<String, Tensor> f = new HashMap<>();
                for (String nm : gimgNames) f.put(nm, state.computeIfAbsent(nm, gStep.initialState()::get));
                f.put(Stages.REAL_LAYOUT, layout);
                float[] o = eval.run(f).get("fake").floats();
                double s = 0;
                for (int i = 0; i < o.length; i++) s += Math.abs(o[i] - im[i]);
                return s / o.length;
            };
            l1Start = l1.get();
            for (; steps < 300; steps++) {
                Map<String, Tensor> fd = feedState(dStep, state);
                fd.put(Stages.REAL_LAYOUT, layout);
                fd.put(Stages.REAL_IMAGE, image);
                fd.put(Adam.lrInput(Stages.D1), Tensor.scalar(4e-4f));
                writeBack(dStep, dgo.run(fd), state);
                Map<String, Tensor> fg = feedState(gStep, state);
                fg.put(Stages.REAL_LAYOUT, layout);
                fg.put(Stages.REAL_IMAGE, image);
                fg.put(Adam.lrInput(Stages.GIMG), Tensor.scalar(1e-3f));
                Map<String, Tensor> og = go.run(fg);
                assertTrue(Float.isFinite(og.get("loss_g").floats()[0]));
                writeBack(gStep, og, state);
            }
            l1End = l1.get();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String msg = String.format("L1 %.4f -> %.4f after %d D+G steps (%.1f s)", l1Start, l1End, steps, secs);
        System.out.println("spadeStepsOverfitOneFixedBatch: " + msg);
        assertTrue(l1End < 0.7 * l1Start, msg);
    }
}
