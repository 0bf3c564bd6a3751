package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepManifest.StateKind;

/** Parameters and buffers as state of a training step: parameters are trained, buffers are written back. */
public final class StepParams implements Params {
    private final StepBuilder step;
    private final long seed;

    public StepParams(StepBuilder step, long seed) {
        this.step = step;
        this.seed = seed;
    }

    @Override
    public Graph graph() {
        return step.graph();
    }

    @Override
    public Value param(String local, Init init, long... shape) {
        String name = graph().qualify(local);
        return step.state(name, init.draw(Init.rng(seed, name), shape), StateKind.PARAM);
    }

    @Override
    public Value buffer(String local, Init init, long... shape) {
        String name = graph().qualify(local);
        return step.state(name, init.draw(Init.rng(seed, name), shape), StateKind.BUFFER);
    }

    @Override
    public void update(Value buffer, Value next) {
        step.write(buffer, next);
    }

    @Override
    public boolean training() {
        return true;
    }
}
