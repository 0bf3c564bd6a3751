package org.sbgan.cli.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.ops.ConvGradients;
import org.sbgan.graphs.ops.Nn;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.trainer.step.StepRunner;

/**
 * Times a convolution's forward and backward passes as step graphs run by the {@link StepRunner}, next to a
 * plain one-node ONNX Runtime Conv session on the same shape (also with a pinned output), and times every
 * gradient formulation of {@link Nn} ({@link Nn.StridedDx} for strided dX, {@link Nn.WeightGrad} for dW).
 *
 * <p>Step graphs: forward {@code y = conv(x, W)} with x a batch input, W state and y a metric; backward dX
 * and dW from a given dY (a batch input) via {@link Gradients#vjp}, without the forward, as metrics.
 * Within a case, all sessions are run round-robin (one run of each per repeat, after warm-up), so a noisy
 * neighbour slows them alike and ratios within a run are fair; each reports its median and minimum.
 * Forward FLOPs are 2·N·O·C·kh·kw·Ho·Wo, backward (dX + dW) twice that, dX or dW alone once.
 *
 * <p>Sessions are created with ORT's intra-op spinning off unless {@link Options#spinning}: with several
 * sessions alive, each with its own thread pool, an idle session's spinning worker thread competes for the
 * two cores with the running one (this halved every number when measured with spinning on). With
 * {@link Options#globalPool} all sessions share one pool, and spinning does no harm.
 */
public final class ConvBench {
    private ConvBench() {}

    /** A convolution shape: input [n, c, h, w], weight [o, c, k, k], strides (sh, sw), pad on every side. */
    public record Case(String name, long n, long c, long o, long h, long w, long k, long sh, long sw, long pad) {
        public long ho() {
            return (h + 2 * pad - k) / sh + 1;
        }

        public long wo() {
            return (w + 2 * pad - k) / sw + 1;
        }

        public boolean strided() {
            return sh > 1 || sw > 1;
        }

        /** Elements of SELECT_GEMM's selection matrix, H·W × k²·Ho·Wo (quadratic in the image size). */
        public long selectionSize() {
            return h * w * k * k * ho() * wo();
        }

        public ConvSpec spec() {
            return ConvSpec.of((int) sh, (int) sw, (int) pad);
        }

        /** 2·N·O·C·kh·kw·Ho·Wo. */
        public double forwardFlops() {
            return 2.0 * n * o * c * k * k * ho() * wo();
        }

        long[] x() { return new long[] {n, c, h, w}; }
        long[] weight() { return new long[] {o, c, k, k}; }
        long[] y() { return new long[] {n, o, ho(), wo()}; }

        public String describe() {
            return String.format(Locale.ROOT, "N%d C%d→%d %dx%d %dx%d stride (%d,%d) pad %d", n, c, o, h, w, k, k, sh, sw, pad);
        }
    }

    /** N8 C64→64 64×64 3×3 pad 1 at stride 1, 2 and (1, 2). */
    public static List<Case> defaultCases() {
        return List.of(new Case("stride1", 8, 64, 64, 64, 64, 3, 1, 1, 1),
                new Case("stride2", 8, 64, 64, 64, 64, 3, 2, 2, 1),
                new Case("stride1x2", 8, 64, 64, 64, 64, 3, 1, 2, 1));
    }

    /**
     * Shapes behind {@link Nn#weightGradFor} and {@link Nn#convForwardFor}: deep layers (few output pixels, many
     * channels, G_img's first blocks at the tiny preset), the boundaries of the rules (32×32 and 16×16 outputs,
     * 8 channels), and RGB in and out.
     */
    public static List<Case> sweepCases() {
        return List.of(new Case("c64_32x32", 8, 64, 64, 32, 32, 3, 1, 1, 1),
                new Case("c128_32x32", 8, 128, 128, 32, 32, 3, 1, 1, 1),
                new Case("c64_16x16", 8, 64, 64, 16, 16, 3, 1, 1, 1),
                new Case("c256_16x16", 8, 256, 256, 16, 16, 3, 1, 1, 1),
                new Case("c128_32x32_s2", 8, 128, 128, 32, 32, 3, 2, 2, 1),
                new Case("c256_8x8", 8, 256, 256, 8, 8, 3, 1, 1, 1),
                new Case("c512_4x4", 8, 512, 512, 4, 4, 3, 1, 1, 1),
                new Case("c256_2x4", 8, 256, 256, 2, 4, 3, 1, 1, 1),
                new Case("c256_4x8_to128", 8, 256, 128, 4, 8, 3, 1, 1, 1),
                new Case("c256_16x16_s2", 8, 256, 256, 16, 16, 3, 2, 2, 1),
                new Case("c8_64x64", 8, 8, 8, 64, 64, 3, 1, 1, 1),
                new Case("rgb_in", 8, 3, 64, 64, 64, 3, 1, 1, 1),
                new Case("rgb_out", 8, 64, 3, 64, 64, 3, 1, 1, 1));
    }

    /**
     * @param threads  ORT intra-op threads
     * @param warmup   untimed runs of each session before timing
     * @param repeats  timed runs of each session
     * @param spinning keep ORT's default intra-op thread spinning
     * @param globalPool run every session on one environment-wide thread pool instead of a pool per session
     *                   (needs the first ORT environment of the process: the bench creates it)
     */
    public record Options(int threads, int warmup, int repeats, boolean spinning, boolean globalPool) {
        public Options {
            if (threads < 1 || warmup < 0 || repeats < 1) throw new IllegalArgumentException("threads and repeats must be >= 1, warmup >= 0");
        }

        public static Options defaults() {
            return new Options(2, 5, 30, false, false);
        }
    }

    /** One timed session: what it computes ({@code pass}), how ({@code formulation}), and its FLOPs per run. */
    public record Timing(String pass, String formulation, double medianMs, double minMs, double flops) {
        public double gflops() {
            return flops / medianMs / 1e6;
        }
    }

    /**
     * Results for one shape. {@code forwardRatio} is the StepRunner's GFLOP/s over the plain session's (same
     * run); {@code defaultDx} and {@code defaultDw} are the formulations Nn uses for this shape;
     * {@code maxRelDiff} is the largest difference between results that must agree (forward against the plain
     * session, every gradient formulation against the first), relative to the largest magnitude.
     */
    public record CaseResult(Case shape, Timing forwardStep, Timing forwardPlain, Timing forwardSelect, List<Timing> dx, List<Timing> dw,
            List<Timing> backward, String defaultForward, String defaultDx, String defaultDw, double maxRelDiff) {
        public String defaultBackward() {
            return defaultDx + " + " + defaultDw;
        }

        public double forwardRatio() {
            return forwardStep.gflops() / forwardPlain.gflops();
        }

        public Timing fastest(List<Timing> ts) {
            Timing best = ts.get(0);
            for (Timing t : ts) if (t.medianMs() < best.medianMs()) best = t;
            return best;
        }

        public Timing defaultBackwardTiming() {
            for (Timing t : backward) if (t.formulation().equals(defaultBackward())) return t;
            throw new IllegalStateException("no timing for " + defaultBackward());
        }
    }

    public record Report(Options options, String ortVersion, String cpu, int cores, List<CaseResult> cases) {}

    // ---- running ----------------------------------------------------------------------------------------

    private interface Job {
        void run() throws OrtException;
    }

    /** Runs every case; {@code progress} receives a line per stage. Restores Nn's formulation selectors. */
    public static Report run(Options opt, List<Case> cases, Consumer<String> progress) throws OrtException {
        OrtEnvironment env = opt.globalPool() ? globalPoolEnvironment(opt) : OrtEnvironment.getEnvironment();
        List<CaseResult> out = new ArrayList<>();
        for (Case c : cases) {
            progress.accept("conv " + c.name() + ": " + c.describe());
            out.add(runCase(env, opt, c, progress));
        }
        return new Report(opt, env.getVersion(), cpuModel(), Runtime.getRuntime().availableProcessors(), out);
    }

    private static CaseResult runCase(OrtEnvironment env, Options opt, Case c, Consumer<String> progress) throws OrtException {
        Random rnd = new Random(42);
        float[] x = randn(rnd, c.x(), 1f), w = randn(rnd, c.weight(), (float) Math.sqrt(2.0 / (c.c() * c.k() * c.k())));
        float[] dy = randn(rnd, c.y(), 1f);
        List<AutoCloseable> open = new ArrayList<>();
        try (OrtSession.SessionOptions so = sessionOptions(opt); StateStore store = new StateStore(env)) {
            store.put("w", Tensor.floats(w, c.weight()));

            // forward: StepRunner against the plain Conv session
            progress.accept("  forward: building");
            StepRunner fwd = runner(env, forwardStep(c, w, Nn.ConvForward.ORT_CONV), store, so, open, x, null);
            StepRunner select = c.selectionSize() <= MAX_SELECTION ? runner(env, forwardStep(c, w, Nn.ConvForward.SELECT_GEMM), store, so, open, x, null) : null;
            Plain plain = new Plain(env, c, so, x, w);
            open.add(plain);
            progress.accept("  forward: timing " + opt.repeats() + " runs of each");
            double[][] ft = measure(select == null ? List.of(fwd::step, plain::run) : List.of(fwd::step, plain::run, select::step), opt);
            double diff = relDiff(fwd.metricBuffer("y"), plain.y());
            if (select != null) diff = Math.max(diff, relDiff(select.metricBuffer("y"), plain.y()));

            // backward: dX alone, dW alone, and dX + dW for every combination
            List<String> dxForms = new ArrayList<>();
            dxForms.add(c.strided() ? Nn.StridedDx.DILATED_CONV.name() : CONV_FLIPPED);
            dxForms.add(Nn.StridedDx.CONV_TRANSPOSE.name());
            List<Timing> labels = new ArrayList<>();
            List<StepRunner> runners = new ArrayList<>();
            progress.accept("  backward: building " + (dxForms.size() * (1 + Nn.WeightGrad.values().length) + Nn.WeightGrad.values().length) + " step graphs");
            for (String d : dxForms) {
                runners.add(runner(env, backwardStep(c, w, d, null, true, false), store, so, open, x, dy));
                labels.add(new Timing("dX", d, 0, 0, c.forwardFlops()));
            }
            for (Nn.WeightGrad m : Nn.WeightGrad.values()) {
                runners.add(runner(env, backwardStep(c, w, dxForms.get(0), m, false, true), store, so, open, x, dy));
                labels.add(new Timing("dW", m.name(), 0, 0, c.forwardFlops()));
            }
            for (String d : dxForms) {
                for (Nn.WeightGrad m : Nn.WeightGrad.values()) {
                    runners.add(runner(env, backwardStep(c, w, d, m, true, true), store, so, open, x, dy));
                    labels.add(new Timing("dX+dW", combo(d, m), 0, 0, 2 * c.forwardFlops()));
                }
            }
            List<Job> jobs = new ArrayList<>();
            for (StepRunner r : runners) jobs.add(r::step);
            progress.accept("  backward: timing " + opt.repeats() + " runs of each");
            double[][] bt = measure(jobs, opt);
            diff = Math.max(diff, agreement(runners, labels));

            List<Timing> dxT = new ArrayList<>(), dwT = new ArrayList<>(), bwT = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                Timing l = labels.get(i), t = timing(l.pass(), l.formulation(), bt[i], l.flops());
                (l.pass().equals("dX") ? dxT : l.pass().equals("dW") ? dwT : bwT).add(t);
            }
            return new CaseResult(c, timing("forward", forwardLabel(Nn.ConvForward.ORT_CONV), ft[0], c.forwardFlops()),
                    timing("forward", "plain ORT Conv session", ft[1], c.forwardFlops()),
                    select == null ? null : timing("forward", forwardLabel(Nn.ConvForward.SELECT_GEMM), ft[2], c.forwardFlops()), dxT, dwT, bwT,
                    forwardLabel(defaultForward(c)),
                    c.strided() ? ConvGradients.MEASURED.stridedDx().name() : defaultStride1Dx(c), defaultWeightGrad(c).name(), diff);
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

    /** SELECT_GEMM is timed only where its selection matrix is at most this many elements (16 MB). */
    static final long MAX_SELECTION = 1L << 22;

    /** The forward formulation a training graph uses for {@code c} by default. */
    static Nn.ConvForward defaultForward(Case c) {
        return ConvGradients.MEASURED.forwardFor(c.x(), c.o(), c.ho() * c.wo());
    }

    /** The table's and JSON's name for a StepRunner forward in formulation {@code f}. */
    static String forwardLabel(Nn.ConvForward f) {
        return "StepRunner, " + (f == Nn.ConvForward.ORT_CONV ? "ORT Conv" : f.name());
    }

    /** The dW formulation a graph uses for {@code c} by default. */
    static Nn.WeightGrad defaultWeightGrad(Case c) {
        return ConvGradients.MEASURED.weightGradFor(c.c(), c.ho() * c.wo());
    }

    /** The stride-1 dX formulation a graph uses for {@code c} by default. */
    static String defaultStride1Dx(Case c) {
        Nn.Stride1Dx d = ConvGradients.MEASURED.stride1DxFor(c.c(), c.ho() * c.wo());
        return d == Nn.Stride1Dx.FLIPPED_CONV ? CONV_FLIPPED : d.name();
    }

    /** dX of a stride-1 convolution as a convolution of dY with the flipped, transposed kernel. */
    static final String CONV_FLIPPED = "CONV_FLIPPED";

    static String combo(String dx, Nn.WeightGrad dw) {
        return dx + " + " + dw.name();
    }

    static OrtSession.SessionOptions sessionOptions(Options opt) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            if (opt.globalPool()) {
                so.disablePerSessionThreads();
                return so;
            }
            if (!opt.spinning()) {
                so.close();
                return Sessions.cpu(opt.threads());
            }
            so.setIntraOpNumThreads(opt.threads());
            return so;
        } catch (OrtException e) {
            so.close();
            throw e;
        }
    }

    /** The process's ORT environment, created with one intra-op pool of {@code threads} for all sessions. */
    static OrtEnvironment globalPoolEnvironment(Options opt) throws OrtException {
        try (OrtEnvironment.ThreadingOptions t = new OrtEnvironment.ThreadingOptions()) {
            t.setGlobalIntraOpNumThreads(opt.threads());
            t.setGlobalInterOpNumThreads(1);
            t.setGlobalSpinControl(opt.spinning());
            return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "sbgan-bench", t);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("a global thread pool needs a fresh process: ONNX Runtime's environment already exists", e);
        }
    }

    private static StepRunner runner(OrtEnvironment env, StepGraph step, StateStore store, OrtSession.SessionOptions so,
            List<AutoCloseable> open, float[] x, float[] dy) throws OrtException {
        StepRunner r = new StepRunner(env, step, store, so);
        open.add(r);
        r.floatInput("x").put(x);
        if (dy != null) r.floatInput("dy").put(dy);
        return r;
    }

    /** y = conv(x, W) in the given formulation: x a batch input, W state, y a metric. */
    static StepGraph forwardStep(Case c, float[] w, Nn.ConvForward form) {
        StepBuilder sb = new StepBuilder("conv_forward_" + c.name());
        Value x = sb.batch("x", c.x());
        Value wv = sb.param("w", Tensor.floats(w, c.weight()));
        sb.metric("y", sb.graph().convGradients(ConvGradients.MEASURED.withForward(form)).conv(x, wv, null, c.spec()));
        return sb.build("forward of " + c.describe());
    }

    /**
     * dX and/or dW of y = conv(x, W) for a given dY, through {@link Gradients#vjp} with Nn's selectors set to
     * the formulation (the forward itself is not exported: nothing needs it).
     */
    static StepGraph backwardStep(Case c, float[] w, String dxForm, Nn.WeightGrad dwForm, boolean dx, boolean dw) {
        StepBuilder sb = new StepBuilder("conv_backward_" + c.name());
        ConvGradients policy = ConvGradients.MEASURED.withWeightGrad(dwForm);
        Graph g = sb.graph().convGradients(c.strided() ? policy.withStridedDx(Nn.StridedDx.valueOf(dxForm))
                : policy.withStride1Dx(dxForm.equals(CONV_FLIPPED) ? Nn.Stride1Dx.FLIPPED_CONV : Nn.Stride1Dx.CONV_TRANSPOSE));
        Value x = sb.batch("x", c.x());
        Value wv = sb.param("w", Tensor.floats(w, c.weight()));
        Value dy = sb.batch("dy", c.y());
        Value y = g.conv(x, wv, null, c.spec());
        List<Value> wrt = new ArrayList<>();
        if (dx) wrt.add(x);
        if (dw) wrt.add(wv);
        List<Value> grads = wrt.isEmpty() ? List.of() : Gradients.vjp(List.of(y), List.of(dy), wrt);
        int i = 0;
        if (dx) sb.metric("dx", grads.get(i++));
        if (dw) sb.metric("dw", grads.get(i));
        return sb.build("backward of " + c.describe() + ": dX " + (dx ? dxForm : "-") + ", dW " + (dw ? dwForm : "-"));
    }

    /** The reference: a one-node Conv model on its own session, inputs and pinned output in direct buffers. */
    private static final class Plain implements AutoCloseable {
        final OrtSession session;
        final OnnxTensor x, w, y;
        final FloatBuffer yBuf;
        final Map<String, OnnxTensor> feed;
        final Map<String, OnnxValue> pinned;

        Plain(OrtEnvironment env, Case c, OrtSession.SessionOptions so, float[] xd, float[] wd) throws OrtException {
            Graph g = new Graph("conv_" + c.name()).convGradients(ConvGradients.INFERENCE);
            Value xv = g.input("x", c.x()), wv = g.input("w", c.weight());
            byte[] model = OnnxExport.model(g, Map.of("y", g.conv(xv, wv, null, c.spec()))).toByteArray();
            session = env.createSession(model, so);
            x = OnnxTensor.createTensor(env, direct(xd), c.x());
            w = OnnxTensor.createTensor(env, direct(wd), c.weight());
            yBuf = direct(new float[Math.toIntExact(c.n() * c.o() * c.ho() * c.wo())]);
            y = OnnxTensor.createTensor(env, yBuf, c.y());
            feed = Map.of("x", x, "w", w);
            pinned = Map.of("y", y);
        }

        void run() throws OrtException {
            try (OrtSession.Result r = session.run(feed, pinned)) {
                if (r.size() != 1) throw new IllegalStateException("plain Conv session returned " + r.size() + " outputs");
            }
        }

        FloatBuffer y() {
            return yBuf.duplicate().clear();
        }

        @Override
        public void close() throws OrtException {
            x.close();
            w.close();
            y.close();
            session.close();
        }
    }

    /** Warm-up, then {@code repeats} rounds of one run of each job in turn; milliseconds per job and run. */
    private static double[][] measure(List<Job> jobs, Options opt) throws OrtException {
        for (int i = 0; i < opt.warmup(); i++) for (Job j : jobs) j.run();
        double[][] ms = new double[jobs.size()][opt.repeats()];
        for (int r = 0; r < opt.repeats(); r++) {
            for (int j = 0; j < jobs.size(); j++) {
                long t0 = System.nanoTime();
                jobs.get(j).run();
                ms[j][r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return ms;
    }

    static Timing timing(String pass, String formulation, double[] ms, double flops) {
        double[] s = ms.clone();
        Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return new Timing(pass, formulation, median, s[0], flops);
    }

    /** Largest relative disagreement of dx (resp. dw) among the runners that computed it. */
    private static double agreement(List<StepRunner> runners, List<Timing> labels) {
        double worst = 0;
        for (String metric : List.of("dx", "dw")) {
            FloatBuffer ref = null;
            for (int i = 0; i < runners.size(); i++) {
                String pass = labels.get(i).pass();
                if (!pass.equals("dX+dW") && !pass.equals(metric.equals("dx") ? "dX" : "dW")) continue;
                FloatBuffer b = runners.get(i).metricBuffer(metric);
                if (ref == null) ref = b;
                else worst = Math.max(worst, relDiff(b, ref));
            }
        }
        return worst;
    }

    static double relDiff(FloatBuffer a, FloatBuffer b) {
        a = a.duplicate();
        b = b.duplicate();
        a.rewind();
        b.rewind();
        if (a.remaining() != b.remaining()) throw new IllegalStateException("results differ in size");
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < a.remaining(); i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a.get(i) - b.get(i)));
            maxAbs = Math.max(maxAbs, Math.abs(b.get(i)));
        }
        return maxAbs == 0 ? maxDiff : maxDiff / maxAbs;
    }

    private static float[] randn(Random r, long[] shape, float scale) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian() * scale;
        return v;
    }

    private static FloatBuffer direct(float[] data) {
        FloatBuffer b = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(data).rewind();
        return b;
    }

    /** The CPU's model name from /proc/cpuinfo, or the JVM's architecture where there is none. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    // ---- formatting -------------------------------------------------------------------------------------

    /** A plain-text table of every timing, with the forward ratio and the fastest formulations per case. */
    public static String table(Report rep) {
        StringBuilder sb = new StringBuilder();
        Options o = rep.options();
        sb.append(String.format(Locale.ROOT, "ONNX Runtime %s, %s, %d cores; %d threads (%s), spinning %s; %d warm-up + %d timed runs each, round-robin%n",
                rep.ortVersion(), rep.cpu(), rep.cores(), o.threads(), o.globalPool() ? "one global pool" : "a pool per session",
                o.spinning() ? "on" : "off", o.warmup(), o.repeats()));
        for (CaseResult r : rep.cases()) {
            sb.append(String.format(Locale.ROOT, "%n%s: %s, forward %.3f GFLOP%n", r.shape().name(), r.shape().describe(), r.shape().forwardFlops() / 1e9));
            sb.append(String.format(Locale.ROOT, "  %-8s %-36s %10s %10s %9s%n", "pass", "formulation", "median ms", "min ms", "GFLOP/s"));
            List<Timing> all = new ArrayList<>();
            all.add(r.forwardStep());
            all.add(r.forwardPlain());
            if (r.forwardSelect() != null) all.add(r.forwardSelect());
            all.addAll(r.dx());
            all.addAll(r.dw());
            all.addAll(r.backward());
            for (Timing t : all) {
                String def = switch (t.pass()) {
                    case "forward" -> r.defaultForward();
                    case "dX" -> r.defaultDx();
                    case "dW" -> r.defaultDw();
                    case "dX+dW" -> r.defaultBackward();
                    default -> null;
                };
                String mark = t.formulation().equals(def) ? "  <- Nn default" : "";
                sb.append(String.format(Locale.ROOT, "  %-8s %-36s %10.2f %10.2f %9.1f%s%n", t.pass(), t.formulation(), t.medianMs(), t.minMs(), t.gflops(), mark));
            }
            sb.append(String.format(Locale.ROOT, "  forward StepRunner/plain = %.3f; fastest dX %s, dW %s, dX+dW %s; max rel. difference %.1e%n",
                    r.forwardRatio(), r.fastest(r.dx()).formulation(), r.fastest(r.dw()).formulation(), r.fastest(r.backward()).formulation(), r.maxRelDiff()));
        }
        return sb.toString();
    }

    /** The report as one JSON object. */
    public static String json(Report rep) {
        Options o = rep.options();
        ObjectNode root = JSON.createObjectNode().put("ort", rep.ortVersion()).put("cpu", rep.cpu()).put("cores", rep.cores())
                .put("threads", o.threads()).put("warmup", o.warmup()).put("repeats", o.repeats())
                .put("spinning", o.spinning()).put("globalPool", o.globalPool());
        ArrayNode cases = root.putArray("cases");
        for (CaseResult r : rep.cases()) {
            Case c = r.shape();
            ObjectNode n = cases.addObject().put("name", c.name()).put("shape", c.describe()).put("forwardGflop", c.forwardFlops() / 1e9);
            n.putObject("forward").<ObjectNode>set("stepRunner", timing(r.forwardStep()))
                    .<ObjectNode>set("plain", timing(r.forwardPlain())).<ObjectNode>set("selectGemm", r.forwardSelect() == null ? null : timing(r.forwardSelect()))
                    .put("ratio", r.forwardRatio());
            n.set("dx", timings(r.dx()));
            n.set("dw", timings(r.dw()));
            n.set("backward", timings(r.backward()));
            n.putObject("default").put("forward", r.defaultForward()).put("dx", r.defaultDx()).put("dw", r.defaultDw())
                    .set("backward", timing(r.defaultBackwardTiming()));
            n.putObject("fastest").put("dx", r.fastest(r.dx()).formulation()).put("dw", r.fastest(r.dw()).formulation())
                    .put("backward", r.fastest(r.backward()).formulation());
            n.put("maxRelDiff", r.maxRelDiff());
        }
        return root.toString();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ArrayNode timings(List<Timing> ts) {
        ArrayNode a = JSON.createArrayNode();
        for (Timing t : ts) a.add(timing(t));
        return a;
    }

    private static ObjectNode timing(Timing t) {
        return JSON.createObjectNode().put("formulation", t.formulation()).put("medianMs", t.medianMs())
                .put("minMs", t.minMs()).put("gflops", t.gflops());
    }
}
