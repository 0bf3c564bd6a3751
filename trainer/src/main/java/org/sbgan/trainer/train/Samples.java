package org.sbgan.trainer.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sbgan.graphs.models.InferenceGraphs;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.optim.Ema;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.trainer.data.loader.Transforms;
import org.sbgan.trainer.run.SampleGrid;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.graphs.models.TrainingStage;
import org.sbgan.runtime.Layouts;
import java.util.Arrays;

/**
 * Sample grids drawn during training with fixed inputs, so that grids of different steps compare: layouts of
 * G_seg from a fixed set of z (at the level being trained), images of G_img on a fixed set of real layouts (the
 * conditional mode), and the whole chain z → layout → image. The inference graphs run with the weights fed from
 * the {@link StateStore} as inputs — no copy, no export — so a grid costs one forward pass.
 */
final class Samples implements AutoCloseable {
    static final int COUNT = 16, COLUMNS = 4;

    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final Preset preset;
    private final long seed;
    private final StateStore store;
    private boolean averaged;
    private final LabelSpace space;
    private final Path dir;
    private final Map<Integer, Net> seg = new HashMap<>(), progan = new HashMap<>();
    private Net image;
    private final int[] realLabels;
    private final int realCount;

    /** An inference session whose weights are inputs. */
    private record Net(OrtSession session, List<String> weights) {}

    Samples(OrtEnvironment env, OrtSession.SessionOptions options, Preset preset, long seed, StateStore store, LabelSpace space,
            SampleSource real, Path dir) throws IOException {
        this.env = env;
        this.options = options;
        this.preset = preset;
        this.seed = seed;
        this.store = store;
        this.space = space;
        this.dir = dir;
        Preset.Size s = preset.imageSize();
        Transforms t = Transforms.eval(s.height(), s.width());
        this.realCount = Math.min(COUNT / 2, real.size());
        this.realLabels = new int[realCount * s.height() * s.width()];
        for (int i = 0; i < realCount; i++) {
            Sample sm = real.load(i);
            t.labels(sm.classes(), t.plan(sm.height(), sm.width(), seed, 0, i), realLabels, i * s.height() * s.width());
        }
    }

    private Net net(InferenceGraphs.Built b) throws OrtException {
        byte[] model = OnnxExport.model(b.graph(), b.outputs(), Map.of()).toByteArray();
        return new Net(env.createSession(model, options), b.weightNames());
    }

    private Map<String, OnnxValue> run(Net n, String input, OnnxTensor x) throws OrtException {
        Map<String, OnnxTensorLike> feed = new HashMap<>();
        feed.put(input, x);
        for (String w : n.weights()) {
            String avg = Ema.stateName(w);
            feed.put(w, store.currentTensor(averaged && store.contains(avg) ? avg : w));
        }
        OrtSession.Result r = n.session().run(feed);
        Map<String, OnnxValue> out = new HashMap<>();
        for (Map.Entry<String, OnnxValue> e : r) out.put(e.getKey(), e.getValue());
        return out;
    }

    /** G_seg's label maps at {@code level} for the fixed z: [COUNT · h · w]. */
    int[] layouts(int level) throws OrtException {
        Net n = seg.get(level);
        if (n == null) {
            n = net(InferenceGraphs.segGenerator(preset, level, seed));
            seg.put(level, n);
        }
        float[] z = new float[COUNT * preset.zDim()];
        FloatBuffer zb = FloatBuffer.wrap(z);
        Noise.normal(zb, Noise.rng(seed, "samples", 0, "gseg", "z"));
        try (OnnxTensor zt = OnnxTensor.createTensor(env, FloatBuffer.wrap(z), new long[] {COUNT, preset.zDim()})) {
            Map<String, OnnxValue> out = run(n, "z", zt);
            try {
                LongBuffer lb = ((OnnxTensor) out.get("labels")).getLongBuffer();
                int[] labels = new int[lb.remaining()];
                for (int i = 0; i < labels.length; i++) labels[i] = (int) lb.get(i);
                return labels;
            } finally {
                out.values().forEach(OnnxValue::close);
            }
        }
    }

    /** The RGB ProGAN's images at {@code level} for the fixed z: [COUNT · 3 · h · w]. */
    float[] proganImages(int level) throws OrtException {
        Net n = progan.get(level);
        if (n == null) {
            n = net(InferenceGraphs.proganGenerator(preset, level, seed));
            progan.put(level, n);
        }
        float[] z = new float[COUNT * preset.zDim()];
        Noise.normal(FloatBuffer.wrap(z), Noise.rng(seed, "samples", 0, "gseg", "z"));
        try (OnnxTensor zt = OnnxTensor.createTensor(env, FloatBuffer.wrap(z), new long[] {COUNT, preset.zDim()})) {
            Map<String, OnnxValue> out = run(n, "z", zt);
            try {
                FloatBuffer fb = ((OnnxTensor) out.get("image")).getFloatBuffer();
                float[] img = new float[fb.remaining()];
                fb.get(img);
                return img;
            } finally {
                out.values().forEach(OnnxValue::close);
            }
        }
    }

    /** G_img on label maps at G_seg's top size (upsampled by layoutScaling): [n · 3 · H · W] in [−1, 1]. */
    float[] images(int[] labels, int n, int h, int w) throws OrtException {
        if (image == null) image = net(InferenceGraphs.imageGenerator(preset, seed));
        int f = preset.imageSize().height() / h, k = preset.numClasses();
        int hh = h * f, ww = w * f;
        FloatBuffer onehot = FloatBuffer.allocate(n * k * hh * ww);
        int[] big = upsample(labels, n, h, w, f);
        for (int b = 0; b < n; b++) Layouts.oneHot(Arrays.copyOfRange(big, b * hh * ww, (b + 1) * hh * ww), k, onehot, b * k * hh * ww);
        try (OnnxTensor lt = OnnxTensor.createTensor(env, onehot, new long[] {n, k, hh, ww})) {
            Map<String, OnnxValue> out = run(image, "layout", lt);
            try {
                FloatBuffer fb = ((OnnxTensor) out.get("image")).getFloatBuffer();
                float[] img = new float[fb.remaining()];
                fb.get(img);
                return img;
            } finally {
                out.values().forEach(OnnxValue::close);
            }
        }
    }

    /**
     * Writes the grids of a phase under {@code samples/}, named {@code <tag>_<what>.png}: layouts during the layout
     * GAN; G_img on real layouts during SPADE; the chain (layouts, images, pairs) end to end. Returns the files.
     */
    List<Path> write(String tag, Schedule.Phase phase) throws IOException, OrtException {
        List<Path> files = new ArrayList<>();
        // during a progressive stage, the generator's moving average (when the recipe keeps one) is the model shown
        averaged = phase.def().progressive();
        int[] palette = space.palette();
        Preset.Size top = preset.segTop(), img = preset.imageSize();
        switch (phase.kind()) {
            case STABILIZE, FADE -> {
                Preset.Size s = preset.segResolution(phase.level());
                if (phase.stage() == TrainingStage.PROGAN_RGB) {
                    int zoom = Math.max(1, 64 / s.height());
                    files.add(write(tag + "_images", SampleGrid.images(proganImages(phase.level()), COUNT, s.height(), s.width(), COLUMNS, zoom)));
                    break;
                }
                int zoom = Math.max(1, 64 / s.height());
                files.add(write(tag + "_layouts", SampleGrid.layouts(layouts(phase.level()), COUNT, s.height(), s.width(), palette, COLUMNS, zoom)));
            }
            case SPADE -> {
                float[] im = images(realLabels, realCount, img.height(), img.width());
                files.add(write(tag + "_real-layout-pairs", SampleGrid.pairs(realLabels, im, realCount, img.height(), img.width(), palette, 2, 2)));
            }
            case D2_PRETRAIN, E2E -> {
                int[] lay = layouts(preset.levels() - 1);
                float[] im = images(lay, COUNT, top.height(), top.width());
                int[] big = upsample(lay, COUNT, top.height(), top.width(), img.height() / top.height());
                files.add(write(tag + "_layouts", SampleGrid.layouts(big, COUNT, img.height(), img.width(), palette, COLUMNS, 2)));
                files.add(write(tag + "_images", SampleGrid.images(im, COUNT, img.height(), img.width(), COLUMNS, 2)));
                files.add(write(tag + "_pairs", SampleGrid.pairs(big, im, COUNT, img.height(), img.width(), palette, 2, 2)));
                float[] cond = images(realLabels, realCount, img.height(), img.width());
                files.add(write(tag + "_real-layout-pairs", SampleGrid.pairs(realLabels, cond, realCount, img.height(), img.width(), palette, 2, 2)));
            }
        }
        return files;
    }

    /** n label maps [h, w], each upsampled by f as the runtime does ({@link Layouts#upsample}). */
    private static int[] upsample(int[] labels, int n, int h, int w, int f) {
        if (f == 1) return labels;
        int[] out = new int[n * h * f * w * f];
        for (int b = 0; b < n; b++) {
            int[] one = Layouts.upsample(Arrays.copyOfRange(labels, b * h * w, (b + 1) * h * w), w, h, f);
            System.arraycopy(one, 0, out, b * one.length, one.length);
        }
        return out;
    }

    private Path write(String name, org.sbgan.runtime.image.RgbImage image) throws IOException {
        Path f = dir.resolve(name + ".png");
        Images.writeRgb(f, image);
        return f;
    }

    @Override
    public void close() throws OrtException {
        for (Net n : seg.values()) n.session().close();
        for (Net n : progan.values()) n.session().close();
        seg.clear();
        progan.clear();
        if (image != null) image.session().close();
        image = null;
    }
}
