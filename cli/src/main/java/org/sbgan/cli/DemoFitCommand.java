package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.concurrent.Callable;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.trainer.demo.FitDemo;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.trainer.step.StepRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/** Trains a small conv net with a training-step graph on ONNX Runtime and prints the loss as it falls. */
@Prototype
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = "Fit a small conv net to a fixed random target with one ONNX training-step graph "
                + "(forward + backward + Adam) run by ONNX Runtime; prints the loss curve.")
public final class DemoFitCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "400", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "7", description = "Seed for weights, input and target (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Mixin
    SharedOptions.Threads threads;

    @Override
    public Integer call() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        StepGraph step = FitDemo.step(seed, 16, Adam.Config.adam(0.9f, 0.999f));
        try (StateStore store = new StateStore(env); OrtSession.SessionOptions opts = Sessions.cpu(threads.or(2))) {
            try (StepRunner runner = new StepRunner(env, step, store, opts)) {
                runner.floatInput("x").put(FitDemo.randn(seed + 1, FitDemo.INPUT));
                runner.floatInput("target").put(FitDemo.randn(seed + 2, FitDemo.TARGET));
                runner.hyper("lr.net", lr);
                long t0 = System.nanoTime();
                float first = Float.NaN;
                for (int i = 1; i <= steps; i++) {
                    runner.step();
                    float loss = runner.metric("loss");
                    if (!Float.isFinite(loss)) {
                        System.err.println("error: loss became " + loss + " at step " + i + "; lower --lr");
                        return 1;
                    }
                    if (i == 1) first = loss;
                    if (i == 1 || i % 50 == 0 || i == steps) System.out.printf("step %5d  loss %.6f%n", i, loss);
                }
                double ms = (System.nanoTime() - t0) / 1e6 / steps;
                System.out.printf("loss fell %.0fx in %d steps (%.2f ms/step; %d state tensors, %d bytes)%n",
                        first / runner.metric("loss"), steps, ms, step.manifest().state().size(), store.bytes());
            }
        }
        return 0;
    }
}
