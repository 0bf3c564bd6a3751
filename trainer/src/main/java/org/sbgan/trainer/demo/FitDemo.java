package org.sbgan.trainer.demo;

import java.util.List;
import java.util.Random;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;

/**
 * The smallest end-to-end use of the training machinery: a conv net whose training step (forward,
 * backward and Adam) is one ONNX graph, fitted to a fixed random target. Used by {@code sbgan-cli demo fit}
 * and by the tests that prove a step graph trains.
 */
public final class FitDemo {
    private FitDemo() {}

    public static final long[] INPUT = {4, 3, 8, 8};
    public static final long[] TARGET = {4, 2, 8, 8};

    /** conv → lrelu → strided conv → lrelu → upsample → conv → lrelu (+ avg-pooled skip) → conv; MSE loss. */
    public static StepGraph step(long seed, int width, Adam.Config cfg) {
        Random r = new Random(seed);
        StepBuilder sb = new StepBuilder("fit");
        Graph g = sb.graph();
        Value x = sb.batch("x", INPUT);
        Value target = sb.batch("target", TARGET);
        Value h = conv(sb, "c1", x, 3, width, 1, r, true);
        h = conv(sb, "c2", h, width, 2 * width, 2, r, true);
        h = g.upsampleNearest(h, 2, 2);
        h = conv(sb, "c3", h, 2 * width, width, 1, r, true);
        h = g.add(h, g.avgPool(g.pad(h, new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 0f), PoolSpec.of(3, 1, 0, true)));
        Value out = conv(sb, "c4", h, width, 2, 1, r, false);
        Value loss = g.meanAll(g.pow(g.sub(out, target), 2f));
        List<Value> params = sb.params();
        Adam.update(sb, "net", cfg, params, Gradients.of(loss, params));
        sb.metric("loss", loss);
        return sb.build("Fit a fixed random target with a small conv net (forward + backward + Adam).");
    }

    private static Value conv(StepBuilder sb, String name, Value x, int cin, int cout, int stride, Random r, boolean act) {
        Graph g = sb.graph();
        try (Graph.Scope s = g.scope(name)) {
            float std = (float) Math.sqrt(2.0 / (cin * 9));
            float[] w = new float[cout * cin * 9];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian() * std;
            Value y = g.conv(x, sb.param("weight", Tensor.floats(w, cout, cin, 3, 3)), sb.param("bias", Tensor.zeros(cout)),
                    ConvSpec.of(stride, 1));
            return act ? g.leakyRelu(y, 0.2f) : y;
        }
    }

    /** N(0, 1) samples from a seeded generator. */
    public static float[] randn(long seed, long[] shape) {
        Random r = new Random(seed);
        float[] d = new float[Math.toIntExact(Shapes.numel(shape))];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return d;
    }
}
