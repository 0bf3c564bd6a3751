package org.sbgan.graphs.optim;

import java.util.List;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepManifest.StateKind;

/**
 * An exponential moving average of parameters (ProGAN's smoothed generator): after the optimizer's update θ → θ',
 * the step also writes {@code <param>.ema} ← β_t·ema + (1−β_t)·θ', with the warm-up
 * β_t = min(β, (1 + t) / (10 + t)) over the optimizer's step count t (as TensorFlow's ExponentialMovingAverage with
 * num_updates). Progressive training resets that count at every new level, so the average forgets the random
 * initial values of a new level's layers within tens of steps instead of the ~1/(1−β) steps a plain average needs;
 * a level's phases are far shorter than that at CPU budgets. The average is a buffer: optimizer resets leave it
 * alone. The trainer swaps it in for the parameter when the stage ends.
 */
public final class Ema {
    private Ema() {}

    public static String stateName(String param) {
        return param + ".ema";
    }

    /**
     * Adds the average of every parameter in {@code params}; each must already be written by this step, as must the
     * step counter {@code step} (the new count, 1 at a group's first step, is used).
     */
    public static void update(StepBuilder sb, List<Value> params, float beta, Value step) {
        if (!(beta > 0 && beta < 1)) throw new IllegalArgumentException("EMA decay must be in (0, 1), not " + beta);
        Graph g = sb.graph();
        Value keep;
        try (Graph.Scope s = g.scope("ema")) {
            Value t = sb.next(step);
            keep = g.min(g.scalar(beta), g.div(g.add(t, 1f), g.add(t, 10f)));
        }
        Value mix = g.sub(1f, keep);
        for (Value p : params) {
            try (Graph.Scope s = g.scope("ema." + p.name())) {
                Value avg = sb.state(stateName(p.name()), sb.initial(p), StateKind.BUFFER);
                sb.write(avg, g.add(avg, g.mul(g.sub(sb.next(p), avg), mix)));
            }
        }
    }
}
