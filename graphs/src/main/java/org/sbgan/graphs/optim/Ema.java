package org.sbgan.graphs.optim;

import java.util.List;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepManifest.StateKind;

/**
 * An exponential moving average of parameters (ProGAN's smoothed generator): after the optimizer's update θ → θ',
 * the step also writes {@code <param>.ema} ← β·ema + (1−β)·θ'. The average starts at the parameter's initial value and
 * is a buffer: optimizer resets leave it alone. The trainer swaps it in for the parameter when the stage ends.
 */
public final class Ema {
    private Ema() {}

    public static String stateName(String param) {
        return param + ".ema";
    }

    /** Adds the average of every parameter in {@code params}; each must already be written by this step. */
    public static void update(StepBuilder sb, List<Value> params, float beta) {
        if (!(beta > 0 && beta < 1)) throw new IllegalArgumentException("EMA decay must be in (0, 1), not " + beta);
        Graph g = sb.graph();
        for (Value p : params) {
            try (Graph.Scope s = g.scope("ema." + p.name())) {
                Value avg = sb.state(stateName(p.name()), sb.initial(p), StateKind.BUFFER);
                sb.write(avg, g.add(avg, g.mul(g.sub(sb.next(p), avg), 1f - beta)));
            }
        }
    }
}
