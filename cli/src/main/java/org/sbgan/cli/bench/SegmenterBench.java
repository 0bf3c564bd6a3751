package org.sbgan.cli.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.models.Segmenter;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.runtime.Device;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.trainer.step.StepRunner;

/**
 * Times the segmenter's training step ({@link Segmenter#trainStep}: U-Net forward, per-pixel cross-entropy, Adam
 * β 0.9/0.999), built in memory and run by a {@link StepRunner} on CPU, with the batch filled once: images uniform in
 * [−1, 1] and one-hot label maps of random rectangles ({@link TrainBench#oneHot}), lr.segnet 2e-3 (segmenter train's
 * default). Reports the median and p10/p90 step time, images/s, GFLOP/s (the manifest's FLOPs over the median) and
 * the parameter count (the PARAM state entries), which bench/pytorch/train_bench.py --stage segmenter matches.
 */
public final class SegmenterBench {
    private SegmenterBench() {}

    /** Learning rate fed to lr.segnet: segmenter train's default. */
    public static final float LR = 2e-3f;

    /**
     * @param net     the network's shape (classes, input size, base, depth)
     * @param batch   images per step (≥ 1)
     * @param warmup  untimed steps first (≥ 0)
     * @param steps   timed steps (≥ 1)
     * @param threads ONNX Runtime intra-op threads (≥ 1)
     * @param seed    parameter and input seed
     */
    public record Options(Segmenter.Config net, int batch, int warmup, int steps, int threads, long seed) {
        public Options {
            if (net == null) throw new IllegalArgumentException("a segmenter config is required");
            if (batch < 1 || warmup < 0 || steps < 1 || threads < 1) {
                throw new IllegalArgumentException("batch, steps and threads must be at least 1 and warmup at least 0, got batch " + batch
                        + ", steps " + steps + ", threads " + threads + ", warmup " + warmup);
            }
        }
    }

    /** One run's numbers; times are per training step. */
    public record Result(Options options, String step, long params, long flops, double stepMsMedian, double stepMsP10, double stepMsP90,
            double imagesPerS, double gflopPerS, float loss, double peakRssMb, long stateBytes, double buildMs, double sessionMs,
            String ortVersion, String cpu, int cores) {}

    /** Sum of the numel of the step's PARAM state entries. */
    public static long paramCount(StepManifest m) {
        return m.state().stream().filter(s -> s.kind() == StepManifest.StateKind.PARAM).mapToLong(s -> Shapes.numel(s.shape())).sum();
    }

    /** Runs the bench; progress lines go to {@code progress}. */
    public static Result run(Options opt, Consumer<String> progress) throws OrtException {
        Segmenter.Config c = opt.net();
        progress.accept(String.format(Locale.ROOT, "building the segmenter training step: %d classes, %dx%d, base %d, depth %d, batch %d",
                c.numClasses(), c.height(), c.width(), c.base(), c.depth(), opt.batch()));
        long t0 = System.nanoTime();
        StepGraph step = Segmenter.trainStep(c, opt.batch(), opt.seed(), null, Adam.Config.adam(0.9f, 0.999f));
        byte[] bytes = step.bytes();
        double buildMs = (System.nanoTime() - t0) / 1e6;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long t1 = System.nanoTime();
        try (OrtSession.SessionOptions so = Sessions.create(Device.CPU, opt.threads());
             StateStore store = new StateStore(env);
             StepRunner r = new StepRunner(env, bytes, step.manifest(), store, so)) {
            store.putMissing(step.initialState());
            double sessionMs = (System.nanoTime() - t1) / 1e6;
            Random rnd = new Random(opt.seed() * 31 + 7);
            FloatBuffer img = r.floatInput(Segmenter.IMAGE);
            while (img.hasRemaining()) img.put(rnd.nextFloat() * 2 - 1);
            r.floatInput(Segmenter.LAYOUT).put(TrainBench.oneHot(rnd, new long[] {opt.batch(), c.numClasses(), c.height(), c.width()}));
            r.hyper(Adam.lrInput(Segmenter.GROUP), LR);

            progress.accept(String.format(Locale.ROOT, "graph built in %.0f ms, session opened in %.0f ms; %d warm-up + %d timed steps",
                    buildMs, sessionMs, opt.warmup(), opt.steps()));
            for (int i = 0; i < opt.warmup(); i++) r.step();
            double[] ms = new double[opt.steps()];
            for (int i = 0; i < opt.steps(); i++) {
                long a = System.nanoTime();
                r.step();
                ms[i] = (System.nanoTime() - a) / 1e6;
            }
            float loss = r.metric("loss");
            if (!Float.isFinite(loss)) throw new IllegalStateException("segmenter loss is " + loss + " after the timed steps");
            double median = TrainBench.percentile(ms, 50);
            long flops = step.manifest().flops();
            return new Result(opt, step.manifest().name(), paramCount(step.manifest()), flops, median, TrainBench.percentile(ms, 10),
                    TrainBench.percentile(ms, 90), opt.batch() / (median / 1e3), flops / (median / 1e3) / 1e9, loss, TrainBench.peakRssMb(),
                    store.bytes(), buildMs, sessionMs, env.getVersion(), ConvBench.cpuModel(), Runtime.getRuntime().availableProcessors());
        }
    }

    /** A plain-text summary. */
    public static String table(Result r) {
        Segmenter.Config c = r.options().net();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "ONNX Runtime %s, %s, %d cores; cpu, %d threads; %s: %d classes, %dx%d, base %d, depth %d, batch %d; %d warm-up + %d timed steps%n",
                r.ortVersion(), r.cpu(), r.cores(), r.options().threads(), r.step(), c.numClasses(), c.height(), c.width(), c.base(), c.depth(),
                r.options().batch(), r.options().warmup(), r.options().steps()));
        row(sb, "step ms", String.format(Locale.ROOT, "median %.1f, p10 %.1f, p90 %.1f", r.stepMsMedian(), r.stepMsP10(), r.stepMsP90()));
        row(sb, "images/s", String.format(Locale.ROOT, "%.1f", r.imagesPerS()));
        row(sb, "GFLOP per step", String.format(Locale.ROOT, "%.3f", r.flops() / 1e9));
        row(sb, "achieved GFLOP/s", String.format(Locale.ROOT, "%.1f", r.gflopPerS()));
        row(sb, "parameters", Long.toString(r.params()));
        row(sb, "loss after the steps", String.format(Locale.ROOT, "%.5f", r.loss()));
        row(sb, "peak RSS MB", r.peakRssMb() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", r.peakRssMb()));
        row(sb, "graph build / session ms", String.format(Locale.ROOT, "%.0f / %.0f", r.buildMs(), r.sessionMs()));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append(String.format(Locale.ROOT, "  %-26s %s%n", k, v));
    }

    /** One JSON object, with TrainBench's keys where they mean the same (step_ms_median, images_per_s, gflop_per_s, ...). */
    public static String json(Result r) {
        Segmenter.Config c = r.options().net();
        return JSON.createObjectNode()
                .put("impl", "ours").put("stage", "segmenter").put("step", r.step()).put("device", "cpu")
                .put("threads", r.options().threads()).put("batch", r.options().batch()).put("classes", c.numClasses())
                .put("height", c.height()).put("width", c.width()).put("base", c.base()).put("depth", c.depth())
                .put("warmup", r.options().warmup()).put("steps", r.options().steps()).put("seed", r.options().seed())
                .put("step_ms_median", r.stepMsMedian()).put("step_ms_p10", r.stepMsP10()).put("step_ms_p90", r.stepMsP90())
                .put("images_per_s", r.imagesPerS()).put("flops_per_step", r.flops()).put("gflop_per_s", r.gflopPerS())
                .put("params", r.params()).put("loss", r.loss()).put("peak_rss_mb", r.peakRssMb()).put("state_bytes", r.stateBytes())
                .put("build_ms", r.buildMs()).put("session_ms", r.sessionMs())
                .put("ort", r.ortVersion()).put("cpu", r.cpu()).put("cores", r.cores())
                .toString();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
