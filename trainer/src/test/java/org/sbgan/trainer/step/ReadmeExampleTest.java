package org.sbgan.trainer.step;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.trainer.demo.FitDemo;

/** The README's "Training steps" example, as written there, compiles and trains. */
class ReadmeExampleTest {
    @Test
    void readmeTrainingStepExampleTrains() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] batch = FitDemo.randn(1, new long[] {4, 3, 8, 8});
        float first = Float.NaN, last = Float.NaN;

        // --- as in README.md ---
        StepBuilder sb = new StepBuilder("fit");
        Graph g = sb.graph();
        Value x = sb.batch("x", 4, 3, 8, 8), target = sb.batch("target", 4, 8, 8, 8);
        Value w;
        try (Graph.Scope s = g.scope("c1")) {
            w = sb.param("weight", Tensor.filled(0.1f, 8, 3, 3, 3));      // state "c1.weight"
        }
        Value loss = g.meanAll(g.pow(g.sub(g.conv(x, w, null, ConvSpec.of(1, 1)), target), 2f));
        Adam.update(sb, "G", Adam.Config.adam(0f, 0.99f), sb.params(), Gradients.of(loss, sb.params()));
        sb.metric("loss", loss);
        StepGraph step = sb.build("doc");                  // ONNX model + manifest + initial state

        try (StateStore store = new StateStore(env); OrtSession.SessionOptions options = Sessions.cpu(2);
             StepRunner runner = new StepRunner(env, step, store, options)) {
            runner.floatInput("x").put(batch);
            runner.hyper("lr.G", 1e-3f);
            runner.step();
            float loss0 = runner.metric("loss");
            // --- end of the README example ---
            first = loss0;
            for (int i = 0; i < 50; i++) runner.step();
            last = runner.metric("loss");
            assertTrue(store.contains("c1.weight") && store.contains("opt.G.step"));
        }
        assertTrue(last < first, "loss went from " + first + " to " + last);
    }
}
