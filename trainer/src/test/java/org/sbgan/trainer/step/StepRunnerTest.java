package org.sbgan.trainer.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;

/** A small conv net trained by step graphs on ONNX Runtime CPU fits a fixed random target. */
class StepRunnerTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final long[] X = {4, 3, 8, 8}, Y = {4, 2, 8, 8};

    /** conv → lrelu → strided conv → lrelu → upsample → conv → lrelu → conv; MSE to the target. */
    static StepGraph fitStep(long seed, Adam.Config cfg, int width) {
        Random r = new Random(seed);
        StepBuilder sb = new StepBuilder("fit");
        Graph g = sb.graph();
        Value x = sb.batch("x", X);
        Value target = sb.batch("target", Y);
        Value h = layer(sb, "c1", x, 3, width, 1, r, true);
        h = layer(sb, "c2", h, width, 2 * width, 2, r, true);
        h = g.upsampleNearest(h, 2, 2);
        h = layer(sb, "c3", h, 2 * width, width, 1, r, true);
        h = g.add(h, g.avgPool(g.pad(h, new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 0f), PoolSpec.of(3, 1, 0, true)));
        Value out = layer(sb, "c4", h, width, 2, 1, r, false);
        Value loss = g.meanAll(g.pow(g.sub(out, target), 2f));
        List<Value> params = sb.params();
        Adam.update(sb, "net", cfg, params, Gradients.of(loss, params));
        sb.metric("loss", loss);
        return sb.build("fit a fixed random target");
    }

    static Value layer(StepBuilder sb, String name, Value x, int cin, int cout, int stride, Random r, boolean act) {
        Graph g = sb.graph();
        try (Graph.Scope s = g.scope(name)) {
            float std = (float) Math.sqrt(2.0 / (cin * 9));
            float[] w = new float[cout * cin * 9];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian() * std;
            Value wv = sb.param("weight", Tensor.floats(w, cout, cin, 3, 3));
            Value bv = sb.param("bias", Tensor.zeros(cout));
            Value y = g.conv(x, wv, bv, ConvSpec.of(stride, 1));
            return act ? g.leakyRelu(y, 0.2f) : y;
        }
    }

    static float[] randn(long seed, long[] shape) {
        Random r = new Random(seed);
        float[] d = new float[(int) org.sbgan.graphs.ir.Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return d;
    }

    record Run(float first, float last, Map<String, Tensor> state) {}

    static Run train(long seed, int steps, int threads) throws OrtException {
        StepGraph step = fitStep(seed, Adam.Config.adam(0.9f, 0.999f), 16);
        try (StateStore store = new StateStore(ENV);
             OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            try (StepRunner runner = new StepRunner(ENV, step, store, opts)) {
                runner.floatInput("x").put(randn(seed + 1, X));
                runner.floatInput("target").put(randn(seed + 2, Y));
                runner.hyper("lr.net", 3e-3f);
                float first = Float.NaN, last = Float.NaN;
                for (int i = 0; i < steps; i++) {
                    runner.step();
                    if (i == 0) first = runner.metric("loss");
                    last = runner.metric("loss");
                }
                Map<String, Tensor> state = new LinkedHashMap<>();
                for (String n : store.names()) state.put(n, store.get(n));
                return new Run(first, last, state);
            }
        }
    }

    @Test
    void lossFallsHundredfold() throws OrtException {
        Run run = train(7, 400, 2);
        assertTrue(run.last() * 100 < run.first(), "loss went from " + run.first() + " to " + run.last());
        assertEquals(400f, run.state().get("opt.net.step").floats()[0]);
    }

    @Test
    void sameSeedGivesBitIdenticalState() throws OrtException {
        Run a = train(11, 30, 2), b = train(11, 30, 2), c = train(12, 30, 2);
        assertEquals(a.state().keySet(), b.state().keySet());
        for (String n : a.state().keySet()) assertArrayEquals(a.state().get(n).floats(), b.state().get(n).floats(), n);
        assertNotEquals(a.state().get("c1.weight"), c.state().get("c1.weight"));
    }

    @Test
    void stepAllocatesNothingProportionalToModelSize() throws OrtException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        StepGraph step = fitStep(3, Adam.Config.adam(0.9f, 0.999f), 64); // about 0.6 MB of parameters, 1.8 MB with Adam moments
        try (StateStore store = new StateStore(ENV); OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            try (StepRunner runner = new StepRunner(ENV, step, store, opts)) {
                runner.hyper("lr.net", 1e-3f);
                for (int i = 0; i < 3; i++) runner.step();
                long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
                int n = 20;
                for (int i = 0; i < n; i++) runner.step();
                long perStep = (mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / n;
                System.out.println("heap bytes allocated per step: " + perStep + " (state " + store.bytes() + " bytes)");
                assertTrue(store.bytes() > 1_500_000, "state is " + store.bytes() + " bytes");
                assertTrue(perStep < store.bytes() / 50, "a step allocated " + perStep + " bytes on the Java heap for "
                        + store.bytes() + " bytes of state");
            }
        }
    }

    @Test
    void adamWDecaysWeightsWithoutGradient() throws OrtException {
        // With a zero gradient the AdamW update is exactly p·(1 − lr·wd) per step.
        StepBuilder sb = new StepBuilder("decay");
        Graph g = sb.graph();
        Value p = sb.param("p", Tensor.floats(new float[] {2f, -4f}, 2));
        Value loss = g.mul(g.sumAll(p), 0f);
        Adam.update(sb, "w", Adam.Config.adamW(0.5f, 0.9f, 0.1f), List.of(p), Gradients.of(loss, List.of(p)));
        sb.metric("loss", loss);
        try (StateStore store = new StateStore(ENV); OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             StepRunner runner = new StepRunner(ENV, sb.build(null), store, o)) {
            runner.hyper("lr.w", 0.5f);
            runner.step();
            runner.step();
            assertArrayEquals(new float[] {2f * 0.95f * 0.95f, -4f * 0.95f * 0.95f}, store.get("p").floats(), 1e-6f);
        }
    }

    @Test
    void adamMatchesReferenceWithPerGroupLearningRates() throws OrtException {
        // loss = Σ a·ca + Σ b·cb has constant gradients, so Adam's bias-corrected update is known in closed form.
        StepBuilder sb = new StepBuilder("groups");
        Graph g = sb.graph();
        Value a = sb.param("a", Tensor.floats(new float[] {1f, 2f}, 2));
        Value b = sb.param("b", Tensor.floats(new float[] {3f}, 1));
        Value loss = g.add(g.sumAll(g.mul(a, g.constant(Tensor.floats(new float[] {0.5f, -2f}, 2)))), g.sumAll(g.mul(b, 3f)));
        List<Value> grads = Gradients.of(loss, List.of(a, b));
        Adam.update(sb, "G", Adam.Config.adam(0f, 0.99f), List.of(a), List.of(grads.get(0)));
        Adam.update(sb, "D", Adam.Config.adam(0.5f, 0.9f), List.of(b), List.of(grads.get(1)));
        sb.metric("loss", loss);
        try (StateStore store = new StateStore(ENV); OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             StepRunner runner = new StepRunner(ENV, sb.build(null), store, o)) {
            runner.hyper("lr.G", 0.1f).hyper("lr.D", 0.01f);
            double[] ra = {1, 2}, ga = {0.5, -2};
            double rb = 3, gb = 3;
            double[] va = new double[2];
            double mb = 0, vb = 0;
            for (int t = 1; t <= 5; t++) {
                runner.step();
                for (int i = 0; i < 2; i++) {
                    va[i] = 0.99 * va[i] + 0.01 * ga[i] * ga[i];
                    ra[i] -= 0.1 * ga[i] / (Math.sqrt(va[i] / (1 - Math.pow(0.99, t))) + 1e-8);
                }
                mb = 0.5 * mb + 0.5 * gb;
                vb = 0.9 * vb + 0.1 * gb * gb;
                rb -= 0.01 / (1 - Math.pow(0.5, t)) * mb / (Math.sqrt(vb / (1 - Math.pow(0.9, t))) + 1e-8);
            }
            assertArrayEquals(new float[] {(float) ra[0], (float) ra[1]}, store.get("a").floats(), 1e-5f);
            assertArrayEquals(new float[] {(float) rb}, store.get("b").floats(), 1e-5f);
            assertTrue(!store.contains("a.adam_m") && store.contains("b.adam_m"), "β1 = 0 keeps no first moment");
        }
    }

}
