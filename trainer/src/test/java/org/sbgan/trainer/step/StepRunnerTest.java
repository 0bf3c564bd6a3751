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
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.trainer.demo.FitDemo;

/** A small conv net trained by step graphs on ONNX Runtime CPU fits a fixed random target. */
class StepRunnerTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    record Run(float first, float last, Map<String, Tensor> state) {}

    static Run train(long seed, int steps, int threads) throws OrtException {
        StepGraph step = FitDemo.step(seed, 16, Adam.Config.adam(0.9f, 0.999f));
        try (StateStore store = new StateStore(ENV);
             OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            try (StepRunner runner = new StepRunner(ENV, step, store, opts)) {
                runner.floatInput("x").put(FitDemo.randn(seed + 1, FitDemo.INPUT));
                runner.floatInput("target").put(FitDemo.randn(seed + 2, FitDemo.TARGET));
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
        StepGraph step = FitDemo.step(3, 64, Adam.Config.adam(0.9f, 0.999f)); // about 0.6 MB of parameters, 1.8 MB with Adam moments
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
