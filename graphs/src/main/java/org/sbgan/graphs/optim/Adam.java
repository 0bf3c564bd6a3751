package org.sbgan.graphs.optim;

import java.util.List;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepManifest.StateKind;

/**
 * Adam with bias correction (PyTorch's formulation) and optional decoupled weight decay (AdamW), as graph
 * ops appended to a step. Each parameter group has its own betas and a learning-rate input
 * {@code lr.<group>} (TTUR gives G and D different ones; schedules change it without a rebuild) and its
 * own step counter {@code opt.<group>.step}. With β1 = 0 the first moment equals the gradient, so no
 * first-moment state is kept.
 */
public final class Adam {
    private Adam() {}

    /** Hyperparameters of one parameter group. */
    public record Config(float beta1, float beta2, float eps, float weightDecay) {
        public static Config adam(float beta1, float beta2) {
            return new Config(beta1, beta2, 1e-8f, 0f);
        }

        public static Config adamW(float beta1, float beta2, float weightDecay) {
            return new Config(beta1, beta2, 1e-8f, weightDecay);
        }
    }

    public static String lrInput(String group) {
        return "lr." + group;
    }

    public static String stepState(String group) {
        return "opt." + group + ".step";
    }

    /** Adds the update of {@code params} (state of the step) given their gradients; returns the lr input. */
    public static Value update(StepBuilder sb, String group, Config cfg, List<Value> params, List<Value> grads) {
        if (params.size() != grads.size()) throw new IllegalArgumentException("one gradient per parameter needed");
        Graph g = sb.graph();
        Value lr = sb.hyper(lrInput(group));
        Value t = sb.state(stepState(group), Tensor.scalar(0f), StateKind.COUNTER);
        Value t1 = g.add(t, 1f);
        sb.write(t, t1);
        // β^t as exp(t·ln β); ln 0 = −∞ gives 0, as it should for β = 0.
        Value bc1 = g.sub(1f, g.exp(g.mul(t1, (float) Math.log(cfg.beta1()))));
        Value bc2 = g.sub(1f, g.exp(g.mul(t1, (float) Math.log(cfg.beta2()))));
        Value stepSize = g.div(lr, bc1);
        Value rootBc2 = g.sqrt(bc2);
        Value decay = cfg.weightDecay() == 0f ? null : g.sub(1f, g.mul(lr, cfg.weightDecay()));
        for (int i = 0; i < params.size(); i++) {
            Value p = params.get(i), d = grads.get(i);
            try (Graph.Scope s = g.scope("adam." + p.name())) {
                Value m1 = d;
                if (cfg.beta1() != 0f) {
                    Value m = sb.state(p.name() + ".adam_m", Tensor.zeros(p.shape()), StateKind.OPTIMIZER);
                    m1 = g.add(g.mul(m, cfg.beta1()), g.mul(d, 1f - cfg.beta1()));
                    sb.write(m, m1);
                }
                Value v = sb.state(p.name() + ".adam_v", Tensor.zeros(p.shape()), StateKind.OPTIMIZER);
                Value v1 = g.add(g.mul(v, cfg.beta2()), g.mul(g.mul(d, d), 1f - cfg.beta2()));
                sb.write(v, v1);
                Value denom = g.add(g.div(g.sqrt(v1), rootBc2), cfg.eps());
                Value base = decay == null ? p : g.mul(p, decay);
                sb.write(p, g.sub(base, g.mul(g.div(m1, denom), stepSize)));
            }
        }
        return lr;
    }
}
