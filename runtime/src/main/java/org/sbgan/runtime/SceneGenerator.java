package org.sbgan.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.sbgan.runtime.bundle.BadBundleException;
import org.sbgan.runtime.bundle.ModelBundle;

/**
 * Turns seeds into labelled scenes with a model bundle: z → {@code seg_generator.onnx} → label map (argmax, no
 * Gumbel noise) → nearest upsampling × {@code layout_scaling} → one-hot → {@code image_generator.onnx} → image.
 *
 * <p><b>Same seed, same scene.</b> Scene {@code i} of seed {@code s} is made from its own z (see
 * {@link Latents}), and every network computes each batch item on its own, so a scene does not depend on the
 * batch size, the count asked for, or which thread asked. {@link #render} is the conditional mode: the image
 * generator on a label map the caller provides (paper Table 2).
 *
 * <p><b>Thread-safe.</b> ONNX Runtime sessions allow concurrent {@code run} calls and this class keeps no other
 * mutable state; all buffers belong to one call. Like ORT's own sessions it holds native resources: close it.
 */
public final class SceneGenerator implements AutoCloseable {
    /**
     * How to run the networks.
     *
     * @param device where ONNX Runtime runs them
     * @param threads ONNX Runtime intra-op threads per session
     * @param batch at most this many scenes per network run; bounds memory, does not change the scenes
     * @param truncation 0 for plain z ~ N(0, 1); else each component of z with |z| &gt; truncation is drawn
     *     again (the truncation trick: more typical scenes, less variety)
     */
    public record Options(Device device, int threads, int batch, float truncation) {
        public static final int DEFAULT_BATCH = 16;

        public Options {
            Objects.requireNonNull(device, "device");
            if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
            if (!(truncation >= 0) || Float.isInfinite(truncation)) {
                throw new IllegalArgumentException("truncation must be 0 (off) or a positive number, got " + truncation);
            }
        }

        /** CPU, one thread per core, batch {@value #DEFAULT_BATCH}, no truncation. */
        public static Options defaults() {
            return new Options(Device.CPU, Runtime.getRuntime().availableProcessors(), DEFAULT_BATCH, 0f);
        }

        public Options withDevice(Device d) {
            return new Options(d, threads, batch, truncation);
        }

        public Options withThreads(int t) {
            return new Options(device, t, batch, truncation);
        }

        public Options withBatch(int b) {
            return new Options(device, threads, b, truncation);
        }

        public Options withTruncation(float t) {
            return new Options(device, threads, batch, t);
        }
    }

    static final String Z = "z", LABELS = "labels", LAYOUT = "layout", IMAGE = "image";

    private final ModelBundle bundle;
    private final Options options;
    private final OrtEnvironment env;
    private final OrtSession seg;
    private final OrtSession img;
    /** Owned: the sessions use them until they are closed. */
    private final OrtSession.SessionOptions sessionOptions;
    /** The batch dimension the networks were exported with, or -1 where it is symbolic. */
    private final long segBatch, imgBatch;

    private SceneGenerator(ModelBundle bundle, Options options, OrtEnvironment env, OrtSession.SessionOptions so, OrtSession seg,
            OrtSession img) throws OrtException {
        this.bundle = bundle;
        this.sessionOptions = so;
        this.options = options;
        this.env = env;
        this.seg = seg;
        this.img = img;
        this.segBatch = ((TensorInfo) seg.getInputInfo().get(Z).getInfo()).getShape()[0];
        this.imgBatch = ((TensorInfo) img.getInputInfo().get(LAYOUT).getInfo()).getShape()[0];
    }

    /** Opens the bundle in {@code dir} on {@code device} with the other {@link Options#defaults()}. */
    public static SceneGenerator open(Path dir, Device device) throws IOException, OrtException {
        return open(dir, Options.defaults().withDevice(device));
    }

    /** Opens the bundle in {@code dir}. */
    public static SceneGenerator open(Path dir, Options options) throws IOException, OrtException {
        return open(ModelBundle.read(dir), options);
    }

    /**
     * Loads both networks of a bundle and checks their inputs and outputs against its model.json.
     *
     * @throws BadBundleException (one line, naming the .onnx file) if ORT cannot load a network or it does not
     *     match model.json
     * @throws IllegalStateException if CUDA was asked for and cannot be used
     * @throws OrtException if ONNX Runtime fails otherwise
     */
    public static SceneGenerator open(ModelBundle bundle, Options options) throws IOException, OrtException {
        OrtEnvironment env;
        try {
            env = OnLargeStack.call("sbgan-ort-environment", OrtEnvironment::getEnvironment);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrtException("interrupted while ONNX Runtime started");
        }
        OrtSession seg = null, img = null;
        OrtSession.SessionOptions so = options.device().sessionOptions(options.threads());
        try {
            seg = load(env, bundle.segGeneratorFile(), so);
            img = load(env, bundle.imageGeneratorFile(), so);
            check(bundle, seg, img);
            return new SceneGenerator(bundle, options, env, so, seg, img);
        } catch (IOException | OrtException | RuntimeException e) {
            closeQuietly(seg);
            closeQuietly(img);
            so.close();
            throw e;
        }
    }

    private static OrtSession load(OrtEnvironment env, Path file, OrtSession.SessionOptions so) throws BadBundleException {
        try {
            return OnLargeStack.call("sbgan-session-" + file.getFileName(), () -> env.createSession(file.toString(), so));
        } catch (OrtException e) {
            throw new BadBundleException(file, "ONNX Runtime cannot load it (" + Messages.oneLine(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadBundleException(file, "interrupted while ONNX Runtime loaded it");
        }
    }

    private static void closeQuietly(OrtSession s) {
        if (s == null) return;
        try {
            s.close();
        } catch (OrtException | RuntimeException ignored) {
            // already failing; the first error is the one to report
        }
    }

    /** The networks must take and give what model.json says, or scenes would be garbage or fail late. */
    private static void check(ModelBundle b, OrtSession seg, OrtSession img) throws OrtException, BadBundleException {
        int k = b.numClasses();
        ModelBundle.Size l = b.layoutSize(), s = b.imageSize();
        Path segFile = b.segGeneratorFile(), imgFile = b.imageGeneratorFile();
        if (!seg.getInputInfo().keySet().equals(Set.of(Z))) {
            throw new BadBundleException(segFile, "has inputs " + seg.getInputInfo().keySet() + ", expected exactly [" + Z + "]");
        }
        expect(segFile, "input", Z, seg.getInputInfo().get(Z), OnnxJavaType.FLOAT, b.zDim());
        expect(segFile, "output", LABELS, seg.getOutputInfo().get(LABELS), OnnxJavaType.INT64, l.height(), l.width());
        if (!img.getInputInfo().keySet().equals(Set.of(LAYOUT))) {
            throw new BadBundleException(imgFile, "has inputs " + img.getInputInfo().keySet() + ", expected exactly [" + LAYOUT + "]");
        }
        expect(imgFile, "input", LAYOUT, img.getInputInfo().get(LAYOUT), OnnxJavaType.FLOAT, k, s.height(), s.width());
        expect(imgFile, "output", IMAGE, img.getOutputInfo().get(IMAGE), OnnxJavaType.FLOAT, 3, s.height(), s.width());
    }

    /** {@code info} must be a tensor of {@code type} shaped {@code [N, dims...]}; -1 (symbolic) matches anything. */
    private static void expect(Path file, String kind, String name, NodeInfo info, OnnxJavaType type, long... dims) throws BadBundleException {
        long[] want = new long[dims.length + 1];
        want[0] = -1;
        System.arraycopy(dims, 0, want, 1, dims.length);
        String wanted = kind + " \"" + name + "\" " + type.name().toLowerCase(java.util.Locale.ROOT) + " " + Arrays.toString(want).replace("-1", "N")
                + " (from model.json)";
        if (info == null) throw new BadBundleException(file, "has no " + wanted);
        if (!(info.getInfo() instanceof TensorInfo t) || t.type != type || t.getShape().length != want.length) {
            throw new BadBundleException(file, "has " + kind + " \"" + name + "\" " + info.getInfo() + ", expected " + wanted);
        }
        long[] got = t.getShape();
        for (int i = 1; i < want.length; i++) {
            if (got[i] != -1 && got[i] != want[i]) {
                throw new BadBundleException(file, "has " + kind + " \"" + name + "\" shaped " + Arrays.toString(got) + ", expected " + wanted);
            }
        }
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public Options options() {
        return options;
    }

    public Classes classes() {
        return bundle.classes();
    }

    /** Scenes {@code 0..count-1} of {@code seed}. */
    public List<Scene> generate(int count, long seed) {
        return scenes(seed, 0, count);
    }

    /** Scenes {@code from..from+count-1} of {@code seed}, in batches of at most {@link Options#batch()}. */
    public List<Scene> scenes(long seed, long from, int count) {
        return scenes(seed, from, count, m -> true);
    }

    /**
     * Of scenes {@code from..from+count-1} of {@code seed}, those whose label map {@code keep} accepts, in index
     * order. The image generator runs only for those, so a rejected candidate costs a layout; each kept scene is the
     * one {@link #scenes(long, long, int)} gives for its index.
     */
    public List<Scene> scenes(long seed, long from, int count, Predicate<? super LabelMap> keep) {
        if (count < 0) throw new IllegalArgumentException("count must not be negative, got " + count);
        if (from < 0) throw new IllegalArgumentException("scene index must not be negative, got " + from);
        Objects.requireNonNull(keep, "keep");
        List<Scene> out = new ArrayList<>(count);
        for (int done = 0; done < count; ) {
            int n = Math.min(options.batch(), count - done);
            out.addAll(batch(seed, from + done, n, keep));
            done += n;
        }
        return out;
    }

    /** Scene {@code index} of {@code seed}: the same as in any longer list of that seed. */
    public Scene scene(long seed, long index) {
        return scenes(seed, index, 1).get(0);
    }

    /**
     * Scenes {@code 0..count-1} of {@code seed}, made one batch at a time as the stream is consumed, so any
     * count runs in bounded memory. A parallel stream runs batches concurrently.
     */
    public Stream<Scene> stream(long count, long seed) {
        if (count < 0) throw new IllegalArgumentException("count must not be negative, got " + count);
        int b = options.batch();
        long batches = (count + b - 1) / b;
        return LongStream.range(0, batches).mapToObj(i -> scenes(seed, i * b, (int) Math.min(b, count - i * b))).flatMap(List::stream);
    }

    /** Hands scenes {@code 0..count-1} of {@code seed} to {@code sink} in order, one batch in memory at a time. */
    public void generate(long count, long seed, Consumer<? super Scene> sink) {
        stream(count, seed).forEachOrdered(sink);
    }

    /**
     * The image generator on a given label map, at layout size (upsampled here) or at image size.
     *
     * @return a scene with index -1, its label map at image size
     * @throws IllegalArgumentException if the label map's size or classes do not fit the model
     */
    public Scene render(LabelMap labels) {
        return render(List.of(labels)).get(0);
    }

    /** {@link #render(LabelMap)} for several label maps, in batches. */
    public List<Scene> render(List<LabelMap> labels) {
        ModelBundle.Size l = bundle.layoutSize(), s = bundle.imageSize();
        List<LabelMap> full = new ArrayList<>(labels.size());
        for (LabelMap m : labels) {
            if (m.classes().count() != bundle.numClasses()) {
                throw new IllegalArgumentException("label map has " + m.classes().count() + " classes; the model has " + bundle.numClasses());
            }
            if (m.width() == s.width() && m.height() == s.height()) full.add(m);
            else if (m.width() == l.width() && m.height() == l.height()) full.add(m.upsample(bundle.layoutScaling()));
            else {
                throw new IllegalArgumentException("label map is " + m.height() + "×" + m.width() + "; the model takes " + l + " (layout size) or "
                        + s + " (image size)");
            }
        }
        List<Scene> out = new ArrayList<>(full.size());
        for (int i = 0; i < full.size(); i += options.batch()) {
            List<LabelMap> chunk = full.subList(i, Math.min(full.size(), i + options.batch()));
            float[][] images = images(chunk);
            for (int j = 0; j < chunk.size(); j++) out.add(Scene.owning(0, -1, chunk.get(j), images[j]));
        }
        return out;
    }

    /** One network run of each generator for scenes {@code from..from+n-1}; the image generator's only for kept ones. */
    private List<Scene> batch(long seed, long from, int n, Predicate<? super LabelMap> keep) {
        int zDim = bundle.zDim();
        long rows = segBatch > 0 ? segBatch : n;
        if (rows < n) return chunked(seed, from, n, (int) rows, keep);
        float[] z = new float[(int) rows * zDim];
        for (int i = 0; i < n; i++) Latents.z(seed, from + i, zDim, options.truncation(), z, i * zDim);
        ModelBundle.Size l = bundle.layoutSize();
        int plane = l.pixels();
        List<LabelMap> maps = new ArrayList<>(n);
        try (OnnxTensor zt = OnnxTensor.createTensor(env, FloatBuffer.wrap(z), new long[] {rows, zDim});
             OrtSession.Result r = seg.run(Map.of(Z, zt), Set.of(LABELS))) {
            LongBuffer labels = ((OnnxTensor) r.get(LABELS).orElseThrow()).getLongBuffer();
            for (int i = 0; i < n; i++) {
                int[] idx = new int[plane];
                for (int p = 0; p < plane; p++) idx[p] = (int) labels.get(i * plane + p);
                maps.add(new LabelMap(l.width(), l.height(), idx, bundle.classes()).upsample(bundle.layoutScaling()));
            }
        } catch (OrtException e) {
            throw failed(bundle.segGeneratorFile(), e);
        }
        List<Integer> kept = new ArrayList<>(n);
        for (int i = 0; i < n; i++) if (keep.test(maps.get(i))) kept.add(i);
        float[][] images = images(kept.stream().map(maps::get).toList());
        List<Scene> out = new ArrayList<>(kept.size());
        for (int j = 0; j < kept.size(); j++) out.add(Scene.owning(seed, from + kept.get(j), maps.get(kept.get(j)), images[j]));
        return out;
    }

    /** For a network exported with a fixed batch smaller than asked. */
    private List<Scene> chunked(long seed, long from, int n, int rows, Predicate<? super LabelMap> keep) {
        List<Scene> out = new ArrayList<>(n);
        for (int done = 0; done < n; done += rows) out.addAll(batch(seed, from + done, Math.min(rows, n - done), keep));
        return out;
    }

    /** The image generator on label maps at image size; one run per {@code imgBatch} if that is fixed. */
    private float[][] images(List<LabelMap> maps) {
        int n = maps.size();
        if (n == 0) return new float[0][]; // every candidate rejected: no network run
        if (imgBatch > 0 && imgBatch < n) {
            float[][] out = new float[n][];
            for (int i = 0; i < n; i += (int) imgBatch) {
                float[][] part = images(maps.subList(i, (int) Math.min(n, i + imgBatch)));
                System.arraycopy(part, 0, out, i, part.length);
            }
            return out;
        }
        int k = bundle.numClasses();
        ModelBundle.Size s = bundle.imageSize();
        int plane = s.pixels();
        long rows = imgBatch > 0 ? imgBatch : n;
        // Direct and native-order: ORT reads it in place instead of copying it first.
        FloatBuffer layout = ByteBuffer.allocateDirect((int) rows * k * plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) Layouts.oneHot(maps.get(i).indices(), k, layout, i * k * plane);
        try (OnnxTensor lt = OnnxTensor.createTensor(env, layout, new long[] {rows, k, s.height(), s.width()});
             OrtSession.Result r = img.run(Map.of(LAYOUT, lt), Set.of(IMAGE))) {
            OnnxValue v = r.get(IMAGE).orElseThrow();
            FloatBuffer image = ((OnnxTensor) v).getFloatBuffer();
            float[][] out = new float[n][3 * plane];
            for (int i = 0; i < n; i++) image.get(i * 3 * plane, out[i]);
            return out;
        } catch (OrtException e) {
            throw failed(bundle.imageGeneratorFile(), e);
        }
    }

    private static GenerationException failed(Path file, OrtException e) {
        return new GenerationException(file + ": ONNX Runtime failed to run it (" + Messages.oneLine(e) + ")", e);
    }

    /** Releases both sessions. The generator cannot be used afterwards. */
    @Override
    public void close() throws OrtException {
        try {
            seg.close();
        } finally {
            try {
                img.close();
            } finally {
                sessionOptions.close();
            }
        }
    }

    @Override
    public String toString() {
        return "SceneGenerator[" + bundle + ", " + options + "]";
    }
}
