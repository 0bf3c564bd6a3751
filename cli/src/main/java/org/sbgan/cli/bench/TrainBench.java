package org.sbgan.cli.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.models.Stages;
import org.sbgan.graphs.models.TrainingStage;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest.InputEntry;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.runtime.Device;
import org.sbgan.trainer.graphs.GraphSet;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.trainer.step.StepRunner;
import org.sbgan.trainer.train.Noise;

/**
 * Times the training iteration of one SB-GAN stage: its G step then its D step, the step graphs built in memory
 * with {@link Stages}, both run by {@link StepRunner}s on one {@link StateStore} (as in training), with every
 * batch and noise input filled once with plausible data (one-hot layouts, images in [−1, 1], N(0, 1) z, Gumbel
 * noise, U(0, 1) α) and the learning rates of the preset. Reports the median and p10/p90 of the iteration time,
 * images/s, achieved GFLOP/s (the manifests' FLOP counts over the median), peak RSS and the bytes that cross
 * host↔device per iteration (the Java API has no IOBinding, so on CUDA all state read and written crosses).
 */
public final class TrainBench {
    private TrainBench() {}

    /**
     * @param preset  a {@link Preset} name (tiny, small, cityscapes, ade-indoor)
     * @param warmup  untimed iterations first (≥ 0)
     * @param steps   timed iterations (≥ 1)
     * @param threads ONNX Runtime intra-op threads per session (≥ 1)
     * @param seed    parameter and input seed
     * @param profile where ORT writes one JSON profile per session (a file-name prefix), or null for none
     */
    public record Options(String preset, TrainingStage stage, int warmup, int steps, int threads, Device device, long seed, Path profile) {
        public Options {
            if (warmup < 0 || steps < 1 || threads < 1) {
                throw new IllegalArgumentException("steps and threads must be at least 1 and warmup at least 0, got steps " + steps
                        + ", threads " + threads + ", warmup " + warmup);
            }
            if (stage == null || device == null) throw new IllegalArgumentException("stage and device are required");
            Preset.byName(preset);
        }

        public Options(String preset, TrainingStage stage, int warmup, int steps, int threads, Device device) {
            this(preset, stage, warmup, steps, threads, device, 1L, null);
        }
    }

    /**
     * One stage's numbers. Times are per iteration (G step + D step) unless named g/d. {@code peakRssMb} is the
     * process's VmHWM (−1 where /proc is missing). {@code hostDeviceBytesPerStep} is the state and input bytes
     * fed to plus the state and metric bytes fetched from both sessions per iteration on CUDA, 0 on CPU;
     * {@code stateIoBytesPerStep} is that same sum whatever the device.
     */
    public record Result(String preset, TrainingStage stage, Device device, int threads, int batch, int warmup, int steps,
            String gStep, String dStep, double stepMsMedian, double stepMsP10, double stepMsP90, double gStepMsMedian,
            double dStepMsMedian, double imagesPerS, long gFlops, long dFlops, double gflopPerS, double peakRssMb,
            long hostDeviceBytesPerStep, long stateIoBytesPerStep, long stateBytes, double buildMs, double sessionMs,
            String ortVersion, String cpu, int cores) {

        /** G step + D step FLOPs, from the manifests. */
        public long flopsPerStep() {
            return gFlops + dFlops;
        }
    }

    /** The G/D step pair of a stage with its batch size. */
    public record Pair(StepGraph g, StepGraph d, int batch) {}

    /** Builds the stage's timed G and D step graphs ({@link TrainingStage#timed}) at the preset's batch, as training would. */
    public static Pair build(Preset p, TrainingStage stage, long seed) {
        List<TrainingStage.Step> pair = stage.timed(p);
        int b = GraphSet.Batches.PRESET.of(pair.get(0).batch(), p, pair.get(0).level());
        return new Pair(pair.get(0).build(p, b, seed, Stages.ImageLosses.NONE), pair.get(1).build(p, b, seed, Stages.ImageLosses.NONE), b);
    }

    /** Learning rate of an Adam group in a stage: the stage's preset optimiser. */
    static float learningRate(Preset p, TrainingStage stage, String group) {
        return stage.adam(p, group).lr();
    }

    /** Runs the bench; progress lines (building, warming up) go to {@code progress}. */
    public static Result run(Options opt, Consumer<String> progress) throws OrtException {
        Preset p = Preset.byName(opt.preset());
        progress.accept("building the " + opt.stage().id() + " G and D step graphs of preset " + p.name());
        long t0 = System.nanoTime();
        Pair pair = build(p, opt.stage(), opt.seed());
        byte[] gBytes = pair.g().bytes(), dBytes = pair.d().bytes();
        double buildMs = (System.nanoTime() - t0) / 1e6;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            long t1 = System.nanoTime();
            OrtSession.SessionOptions gso = options(opt, "g", open), dso = options(opt, "d", open);
            StateStore store = new StateStore(env);
            open.add(store);
            StepRunner g = new StepRunner(env, gBytes, pair.g().manifest(), store, gso);
            open.add(g);
            store.putMissing(pair.g().initialState());
            StepRunner d = new StepRunner(env, dBytes, pair.d().manifest(), store, dso);
            open.add(d);
            store.putMissing(pair.d().initialState());
            double sessionMs = (System.nanoTime() - t1) / 1e6;
            Random rnd = new Random(opt.seed() * 31 + 7);
            fillInputs(g, p, opt.stage(), rnd);
            fillInputs(d, p, opt.stage(), rnd);

            progress.accept(String.format(Locale.ROOT, "graphs built in %.0f ms, sessions opened in %.0f ms; %d warm-up + %d timed iterations (G step, then D step)",
                    buildMs, sessionMs, opt.warmup(), opt.steps()));
            for (int i = 0; i < opt.warmup(); i++) {
                g.step();
                d.step();
            }
            double[] it = new double[opt.steps()], gMs = new double[opt.steps()], dMs = new double[opt.steps()];
            for (int i = 0; i < opt.steps(); i++) {
                long a = System.nanoTime();
                g.step();
                long b = System.nanoTime();
                d.step();
                long c = System.nanoTime();
                gMs[i] = (b - a) / 1e6;
                dMs[i] = (c - b) / 1e6;
                it[i] = (c - a) / 1e6;
            }
            checkFinite(g);
            checkFinite(d);
            double median = percentile(it, 50);
            long gFlops = pair.g().manifest().flops(), dFlops = pair.d().manifest().flops();
            long io = g.inputBytesPerStep() + g.outputBytesPerStep() + d.inputBytesPerStep() + d.outputBytesPerStep();
            return new Result(p.name(), opt.stage(), opt.device(), opt.threads(), pair.batch(), opt.warmup(), opt.steps(),
                    pair.g().manifest().name(), pair.d().manifest().name(), median, percentile(it, 10), percentile(it, 90),
                    percentile(gMs, 50), percentile(dMs, 50), pair.batch() / (median / 1e3), gFlops, dFlops,
                    (gFlops + dFlops) / (median / 1e3) / 1e9, peakRssMb(), opt.device() == Device.CUDA ? io : 0, io,
                    store.bytes(), buildMs, sessionMs, env.getVersion(), ConvBench.cpuModel(), Runtime.getRuntime().availableProcessors());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    // closing native sessions is best effort here
                }
            }
        }
    }

    private static OrtSession.SessionOptions options(Options opt, String which, List<AutoCloseable> open) throws OrtException {
        OrtSession.SessionOptions so = Sessions.create(opt.device(), opt.threads());
        open.add(so);
        if (opt.profile() != null) {
            so.enableProfiling(opt.profile() + "_" + opt.stage().id() + "_" + which);
        }
        return so;
    }

    /** Every BATCH, NOISE and HYPER input of a step, filled once with data of the right kind. */
    static void fillInputs(StepRunner r, Preset p, TrainingStage stage, Random rnd) {
        StepManifest m = r.manifest();
        for (InputEntry in : m.inputs()) {
            if (in.role() == StepManifest.InputRole.HYPER) {
                float v;
                if (in.name().startsWith("lr.")) v = learningRate(p, stage, in.name().substring(3));
                else if (in.name().equals(Stages.FADE_ALPHA)) v = 1f;
                else throw new IllegalStateException("step '" + m.name() + "' has a hyperparameter '" + in.name() + "' the bench does not know");
                r.hyper(in.name(), v);
                continue;
            }
            if (in.dtype() != DType.FLOAT) throw new IllegalStateException("step '" + m.name() + "' input '" + in.name() + "' is " + in.dtype() + ", not FLOAT");
            FloatBuffer b = r.floatInput(in.name());
            long[] s = in.shape();
            int n = Math.toIntExact(Shapes.numel(s));
            switch (in.name()) {
                case Stages.REAL_LAYOUT -> b.put(oneHot(rnd, s));
                // the noise as training draws it (Noise), from the bench's seed
                case Stages.Z -> Noise.normal(b, new SplittableRandom(rnd.nextLong()));
                case Stages.GUMBEL -> Noise.gumbel(b, new SplittableRandom(rnd.nextLong()));
                case Stages.ALPHA -> Noise.uniform(b, new SplittableRandom(rnd.nextLong()));
                case Stages.REAL_IMAGE, Stages.D2_REAL_IMAGE -> { for (int i = 0; i < n; i++) b.put(rnd.nextFloat() * 2 - 1); }
                default -> {
                    if (in.role() == StepManifest.InputRole.NOISE) for (int i = 0; i < n; i++) b.put((float) rnd.nextGaussian());
                    else for (int i = 0; i < n; i++) b.put(rnd.nextFloat() * 2 - 1);
                }
            }
        }
    }

    /** A one-hot [N, K, H, W] layout made of random rectangles of random classes over a random background. */
    static float[] oneHot(Random rnd, long[] shape) {
        if (shape.length != 4) throw new IllegalArgumentException("a layout is [N, K, H, W], got " + Arrays.toString(shape));
        int n = (int) shape[0], k = (int) shape[1], h = (int) shape[2], w = (int) shape[3];
        float[] v = new float[n * k * h * w];
        int[] cls = new int[h * w];
        for (int b = 0; b < n; b++) {
            Arrays.fill(cls, rnd.nextInt(k));
            for (int r = 0; r < 6; r++) {
                int y0 = rnd.nextInt(h), x0 = rnd.nextInt(w), y1 = y0 + 1 + rnd.nextInt(h - y0), x1 = x0 + 1 + rnd.nextInt(w - x0), c = rnd.nextInt(k);
                for (int y = y0; y < y1; y++) Arrays.fill(cls, y * w + x0, y * w + x1, c);
            }
            for (int i = 0; i < h * w; i++) v[((b * k) + cls[i]) * h * w + i] = 1f;
        }
        return v;
    }

    private static void checkFinite(StepRunner r) {
        for (StepManifest.MetricEntry m : r.manifest().metrics()) {
            FloatBuffer b = r.metricBuffer(m.name());
            for (int i = 0; i < b.remaining(); i++) {
                if (!Float.isFinite(b.get(i))) {
                    throw new IllegalStateException("step '" + r.manifest().name() + "' metric '" + m.name() + "' is not finite after the timed steps");
                }
            }
        }
    }

    /** The p-th percentile (linear interpolation between order statistics; 50 = median). */
    static double percentile(double[] values, double pct) {
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = pct / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    /** The process's peak resident set (VmHWM) in MB, or −1 where /proc/self/status is missing. */
    public static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    // ---- formatting -------------------------------------------------------------------------------------

    /** A plain-text summary of one result. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "ONNX Runtime %s, %s, %d cores; device %s, %d threads; preset %s, stage %s (%s + %s), batch %d; %d warm-up + %d timed iterations%n",
                r.ortVersion(), r.cpu(), r.cores(), r.device().name().toLowerCase(Locale.ROOT), r.threads(), r.preset(), r.stage().id(),
                r.gStep(), r.dStep(), r.batch(), r.warmup(), r.steps()));
        row(sb, "iteration (G + D) ms", String.format(Locale.ROOT, "median %.1f, p10 %.1f, p90 %.1f", r.stepMsMedian(), r.stepMsP10(), r.stepMsP90()));
        row(sb, "G step / D step ms", String.format(Locale.ROOT, "%.1f / %.1f (medians)", r.gStepMsMedian(), r.dStepMsMedian()));
        row(sb, "images/s", String.format(Locale.ROOT, "%.2f", r.imagesPerS()));
        row(sb, "GFLOP per iteration", String.format(Locale.ROOT, "%.3f (G %.3f + D %.3f)", r.flopsPerStep() / 1e9, r.gFlops() / 1e9, r.dFlops() / 1e9));
        row(sb, "achieved GFLOP/s", String.format(Locale.ROOT, "%.1f", r.gflopPerS()));
        row(sb, "peak RSS MB", r.peakRssMb() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", r.peakRssMb()));
        row(sb, "state MB", String.format(Locale.ROOT, "%.1f", r.stateBytes() / 1e6));
        row(sb, "state I/O MB/iteration", String.format(Locale.ROOT, "%.1f (host<->device: %.1f)", r.stateIoBytesPerStep() / 1e6, r.hostDeviceBytesPerStep() / 1e6));
        row(sb, "graph build / session ms", String.format(Locale.ROOT, "%.0f / %.0f", r.buildMs(), r.sessionMs()));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append(String.format(Locale.ROOT, "  %-26s %s%n", k, v));
    }

    /** The result as one JSON object (docs/BENCHMARKS.md: step_ms_median, images_per_s, gflop_per_s, peak_rss_mb, host_device_bytes_per_step, and more). */
    public static String json(Result r) {
        ObjectNode n = JSON.createObjectNode()
                .put("preset", r.preset()).put("stage", r.stage().id()).put("device", r.device().name().toLowerCase(Locale.ROOT))
                .put("threads", r.threads()).put("batch", r.batch()).put("warmup", r.warmup()).put("steps", r.steps())
                .put("g_step", r.gStep()).put("d_step", r.dStep())
                .put("step_ms_median", r.stepMsMedian()).put("step_ms_p10", r.stepMsP10()).put("step_ms_p90", r.stepMsP90())
                .put("g_step_ms_median", r.gStepMsMedian()).put("d_step_ms_median", r.dStepMsMedian())
                .put("images_per_s", r.imagesPerS()).put("flops_per_step", r.flopsPerStep()).put("g_flops", r.gFlops()).put("d_flops", r.dFlops())
                .put("gflop_per_s", r.gflopPerS()).put("peak_rss_mb", r.peakRssMb())
                .put("host_device_bytes_per_step", r.hostDeviceBytesPerStep()).put("state_io_bytes_per_step", r.stateIoBytesPerStep())
                .put("state_bytes", r.stateBytes()).put("build_ms", r.buildMs()).put("session_ms", r.sessionMs())
                .put("ort", r.ortVersion()).put("cpu", r.cpu()).put("cores", r.cores());
        return n.toString();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
