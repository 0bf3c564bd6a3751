package org.sbgan.trainer.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.sbgan.runtime.Classes;
import org.sbgan.runtime.LabelMap;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.bundle.Bundle;
import org.sbgan.runtime.bundle.ModelBundle;
import org.sbgan.runtime.bundle.ProganBundle;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.RgbImage;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSampleException;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.data.Datasets;
import org.sbgan.trainer.data.FileSampleSource;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.loader.Resize;
import org.sbgan.trainer.data.loader.Transforms;
import org.sbgan.trainer.graphs.SegmenterBundle;

/**
 * One evaluation of generated scenes against a real split (paper §4 metrics; {@code sbgan-cli eval}).
 *
 * <ul>
 *   <li>{@link Mode#UNCOND}: generated images (an SB-GAN bundle's scenes, a ProGAN baseline bundle's samples, or a
 *       folder of images) vs the real split's images: FID, KID, SWD.</li>
 *   <li>{@link Mode#COND}: the SB-GAN image generator on each real layout (paper Table 2) vs the real images.</li>
 *   <li>{@link Mode#LAYOUT}: the generated label maps vs the real label maps: total-variation distance between the
 *       class-frequency histograms, SWD on one-hot maps, and the layout-quality metrics of {@link LayoutMetrics}
 *       (diversity, per-class presence, nearest-neighbour disagreement to the training maps, near-duplicate
 *       clusters), each also computed on the real maps for comparison.</li>
 * </ul>
 *
 * <p>Real images are resized (box filter then bilinear, {@link Resize}) and real label maps nearest-resized to the
 * generated size, so both sets reach the metrics at the same resolution. Every FID/KID travels with its feature
 * extractor's name: the built-in one ({@link BuiltinFeatures}) is not Inception and its numbers are not comparable
 * to published FIDs.
 */
public final class Evaluation {
    private Evaluation() {}

    public enum Mode {
        UNCOND, COND, LAYOUT,
        /** Train on synthetic, test on real: segmenters trained on generated and real pairs, scored on real val ({@link Tstr}). */
        TSTR;

        /** The lower-case name used on the command line and in JSON. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The metrics this mode can compute, in report order ({@link Metric#ALL}). */
        public List<String> metrics() {
            return Metric.ids(this);
        }
    }

    /** Metric keys in {@link Result#metrics()} and the JSON's "metrics" object. */
    public static final String FID = "fid", KID_MEAN = "kid_mean", KID_STD = "kid_std", SWD = "swd", CLASSFREQ_TV = "classfreq_tv";
    public static final String BUILTIN = "builtin";
    /** Prefix of {@code --features segmenter:SEG}: FID/KID on a trained segmenter's pooled features. */
    public static final String SEGMENTER_FEATURES = "segmenter:";
    /** Name of the "extractor" of layout mode, which compares label maps, not image features. */
    public static final String LAYOUT_FEATURES = "none (label maps: class histograms and one-hot SWD)";

    /**
     * What to evaluate.
     *
     * @param real the real data's root (Cityscapes layout: leftImg8bit/ and gtFine/)
     * @param realFormat the real data's layout (default cityscapes); folder (images only) for uncond only; pairs has one split
     * @param split the real split (default val)
     * @param trainSplit the real training split, for layout mode's nearest-neighbour metric (default train); skipped
     *     with a note when it does not exist
     * @param model a model bundle (sbgan or progan-rgb); exactly one of model and fake
     * @param fake a folder of generated images (uncond only)
     * @param mode uncond (default), cond or layout
     * @param metrics fid, kid, swd (uncond, cond) or classfreq, swd, diversity, presence, nn, clusters (layout); empty
     *     or null: all of the mode's
     * @param features "builtin" or the path of an Inception-v3 .onnx
     * @param count generated samples; 0 = as many as the real split has (cond: at most that many layouts)
     * @param seed scene seed; also seeds KID subsets and SWD patches and directions
     * @param kidSubsets KID subsets (≤ 0: 100)
     * @param kidSubsetSize KID subset size (≤ 0: 1000; capped by both set sizes)
     * @param threads ONNX Runtime threads for the generator (≤ 0: the number of cores)
     * @param label a name for report grouping; null: the model's kind and preset (e.g. "sbgan tiny")
     * @param segmenter the segmenter of the {@code miou} metric (a {@code segmenter train} folder), or null
     */
    public record Options(Path real, DataFormat realFormat, String split, String trainSplit, Path model, Path fake, Mode mode, Set<String> metrics,
                          String features, int count, long seed, int kidSubsets, int kidSubsetSize, int threads, String label, Path segmenter) {
        public Options {
            if (real == null) throw new IllegalArgumentException("the real data folder is required");
            realFormat = realFormat == null ? DataFormat.CITYSCAPES : realFormat;
            split = split == null || split.isBlank() ? "val" : split.strip();
            trainSplit = trainSplit == null || trainSplit.isBlank() ? "train" : trainSplit.strip();
            mode = mode == null ? Mode.UNCOND : mode;
            if ((model == null) == (fake == null)) throw new IllegalArgumentException("give either a model bundle or a folder of generated images (not both)");
            if (fake != null && mode != Mode.UNCOND) throw new IllegalArgumentException(mode.id() + " mode needs a model bundle, not a folder of images");
            if (!realFormat.hasLabels() && mode != Mode.UNCOND) {
                throw new IllegalArgumentException(mode.id() + " mode needs real label maps; real format 'folder' has images only (use cityscapes, ade20k or pairs)");
            }
            Set<String> ms = new LinkedHashSet<>();
            if (metrics == null || metrics.isEmpty()) defaults(ms, mode, segmenter);
            else {
                for (String m : metrics) {
                    String k = m.strip().toLowerCase(Locale.ROOT);
                    if (k.isEmpty()) continue;
                    if (!mode.metrics().contains(k)) {
                        throw new IllegalArgumentException("metric '" + m + "' is not one of " + mode.id() + " mode's: " + String.join(", ", mode.metrics()));
                    }
                    ms.add(k);
                }
                if (ms.isEmpty()) defaults(ms, mode, segmenter);
            }
            metrics = Collections.unmodifiableSet(ms);
            features = features == null || features.isBlank() ? BUILTIN : features.strip();
            if (!features.equals(BUILTIN) && !features.toLowerCase(Locale.ROOT).endsWith(".onnx") && !features.startsWith(SEGMENTER_FEATURES)) {
                throw new IllegalArgumentException("features must be 'builtin', an Inception-v3 .onnx file or segmenter:SEG, got '" + features + "'");
            }
            if (metrics.contains(MeanIou.ID)) {
                if (segmenter == null) throw new IllegalArgumentException("metric miou needs a segmenter: pass --segmenter SEG (from `sbgan-cli segmenter train`)");
                if (fake != null) throw new IllegalArgumentException("metric miou needs generated label maps; a folder of images has none (use --model)");
                if (!realFormat.hasLabels()) throw new IllegalArgumentException("metric miou scores the real pairs too; real format 'folder' has no label maps");
            }
            if (count < 0) throw new IllegalArgumentException("count must not be negative, got " + count);
            kidSubsets = kidSubsets <= 0 ? 100 : kidSubsets;
            kidSubsetSize = kidSubsetSize <= 0 ? 1000 : kidSubsetSize;
            threads = threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
            label = label == null || label.isBlank() ? null : label.strip();
        }

        /** A mode's metrics; miou only with a segmenter. */
        private static void defaults(Set<String> ms, Mode mode, Path segmenter) {
            for (String m : mode.metrics()) if (segmenter != null || !m.equals(MeanIou.ID)) ms.add(m);
        }

        /** Defaults for everything but the real data, the model (or fake folder) and the mode. */
        public static Options of(Path real, Path model, Path fake, Mode mode) {
            return new Options(real, null, null, null, model, fake, mode, null, null, 0, 1, 0, 0, 0, null, null);
        }

        public Options withCount(int n) {
            return new Options(real, realFormat, split, trainSplit, model, fake, mode, metrics, features, n, seed, kidSubsets, kidSubsetSize, threads, label, segmenter);
        }

        public Options withMetrics(Set<String> m) {
            return new Options(real, realFormat, split, trainSplit, model, fake, mode, m, features, count, seed, kidSubsets, kidSubsetSize, threads, label, segmenter);
        }

        public Options withLabel(String l) {
            return new Options(real, realFormat, split, trainSplit, model, fake, mode, metrics, features, count, seed, kidSubsets, kidSubsetSize, threads, l, segmenter);
        }

        public Options withSeed(long s) {
            return new Options(real, realFormat, split, trainSplit, model, fake, mode, metrics, features, count, s, kidSubsets, kidSubsetSize, threads, label, segmenter);
        }

        public Options withTrainSplit(String s) {
            return new Options(real, realFormat, split, s, model, fake, mode, metrics, features, count, seed, kidSubsets, kidSubsetSize, threads, label, segmenter);
        }

        public Options withSegmenter(Path seg) {
            return new Options(real, realFormat, split, trainSplit, model, fake, mode, metrics, features, count, seed, kidSubsets, kidSubsetSize, threads, label, seg);
        }

        /** The segmenter of {@code --features segmenter:SEG}, or null. */
        public Path featureSegmenter() {
            return features.startsWith(SEGMENTER_FEATURES) ? Path.of(features.substring(SEGMENTER_FEATURES.length())) : null;
        }

        public Options withThreads(int t) {
            return new Options(real, realFormat, split, trainSplit, model, fake, mode, metrics, features, count, seed, kidSubsets, kidSubsetSize, t, label, segmenter);
        }
    }

    /**
     * An evaluation's numbers and what they came from.
     *
     * @param metrics by key ({@link #FID}, {@link #KID_MEAN}, {@link #KID_STD}, {@link #SWD} (average over levels),
     *     {@link #CLASSFREQ_TV}, and layout mode's {@link LayoutMetrics#KEYS} with their {@link LayoutMetrics#realKey}
     *     counterparts); only those computed
     * @param swdLevels SWD ×10³ per pyramid level, finest first (empty when SWD was not computed)
     * @param trainSplit the training split the nearest-neighbour metric compared with (null when not computed)
     * @param trainCount its number of maps (0 when not computed)
     * @param presence per class name, {generated, real} presence rates ({@link LayoutMetrics#presence}); empty
     *     when not computed
     * @param notes metrics skipped and why, one line each
     * @param seconds wall time per phase (load_real, load_train, generate, features, metrics, total)
     */
    public record Result(String label, Mode mode, String features, String model, String fake, String kind, String preset,
                         String real, String realFormat, String split, long seed, int count, int realCount, int height, int width,
                         Map<String, Double> metrics, double[] swdLevels, int kidSubsets, int kidSubsetSize, String trainSplit, int trainCount,
                         Map<String, double[]> presence, List<String> notes, Map<String, Double> seconds) {
        public Result {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
            seconds = Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
            swdLevels = swdLevels.clone();
            Map<String, double[]> p = new LinkedHashMap<>();
            presence.forEach((c, v) -> {
                if (v.length != 2) throw new IllegalArgumentException("presence of " + c + ": expected {generated, real}");
                p.put(c, v.clone());
            });
            presence = Collections.unmodifiableMap(p);
            notes = List.copyOf(notes);
        }

        /** Per class name, {generated, real} presence rates (copies). */
        @Override
        public Map<String, double[]> presence() {
            Map<String, double[]> p = new LinkedHashMap<>();
            presence.forEach((c, v) -> p.put(c, v.clone()));
            return p;
        }

        @Override
        public double[] swdLevels() {
            return swdLevels.clone();
        }

        /** A metric's value, or NaN when it was not computed. */
        public double metric(String key) {
            return metrics.getOrDefault(key, Double.NaN);
        }

        /** True when the features are the built-in extractor's (not Inception, not comparable to published FID). */
        public boolean builtinFeatures() {
            return features.equals(BuiltinFeatures.NAME);
        }

        public ObjectNode toJson() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("label", label);
            o.put("mode", mode.id());
            o.put("features", features);
            if (model != null) o.put("model", model);
            else o.putNull("model");
            if (fake != null) o.put("fake", fake);
            o.put("kind", kind);
            o.put("preset", preset);
            o.put("real", real);
            o.put("real_format", realFormat);
            o.put("split", split);
            o.put("seed", seed);
            o.put("count", count);
            o.put("real_count", realCount);
            o.put("height", height);
            o.put("width", width);
            if (trainSplit != null) {
                o.put("train_split", trainSplit);
                o.put("train_count", trainCount);
            }
            ObjectNode m = o.putObject("metrics");
            metrics.forEach(m::put);
            if (!presence.isEmpty()) {
                ObjectNode p = m.putObject(LayoutMetrics.PRESENCE);
                presence.forEach((c, v) -> p.putObject(c).put("generated", v[0]).put("real", v[1]));
            }
            if (!notes.isEmpty()) {
                ArrayNode a = o.putArray("notes");
                notes.forEach(a::add);
            }
            if (swdLevels.length > 0) {
                ArrayNode a = o.putArray("swd_levels");
                for (double v : swdLevels) a.add(v);
            }
            if (metrics.containsKey(KID_MEAN)) o.putObject("kid").put("subsets", kidSubsets).put("subset_size", kidSubsetSize);
            ObjectNode s = o.putObject("seconds");
            seconds.forEach(s::put);
            return o;
        }
    }

    /** Runs an evaluation; progress lines go to {@code progress}. Errors are one line naming the file or folder. */
    public static Result run(Options o, Consumer<String> progress) throws IOException {
        long t0 = System.nanoTime();
        Map<String, Double> seconds = new LinkedHashMap<>();
        boolean imageFeatures = o.mode() != Mode.LAYOUT && (o.metrics().contains("fid") || o.metrics().contains("kid"));
        if (imageFeatures && o.featureSegmenter() != null) SegmenterBundle.locate(o.featureSegmenter());
        else if (imageFeatures && !o.features().equals(BUILTIN) && !Files.isRegularFile(Path.of(o.features()))) {
            throw new IllegalArgumentException(o.features() + ": Inception ONNX file not found");
        }
        if (o.segmenter() != null && o.metrics().contains(MeanIou.ID)) SegmenterBundle.locate(o.segmenter());
        // ---- what generates: kind, preset, size, label space ----
        String kind, preset = "";
        int h, w;
        LabelSpace space = null;
        ModelBundle bundle = null;
        ProganBundle progan = null;
        if (o.model() != null) {
            Bundle any = Bundle.read(o.model());
            kind = any.kind().id();
            preset = any.preset();
            if (any instanceof ProganBundle pb) {
                if (o.mode() != Mode.UNCOND) {
                    throw new IllegalArgumentException(o.model().resolve("model.json") + ": a \"" + kind + "\" bundle makes images without label maps; "
                            + o.mode().id() + " mode needs an \"sbgan\" bundle");
                }
                if (o.metrics().contains(MeanIou.ID)) {
                    throw new IllegalArgumentException(o.model().resolve("model.json") + ": a \"" + kind + "\" bundle makes images without label maps; "
                            + "metric miou needs an \"sbgan\" bundle");
                }
                progan = pb;
                h = pb.imageSize().height();
                w = pb.imageSize().width();
            } else {
                bundle = (ModelBundle) any;
                h = bundle.imageSize().height();
                w = bundle.imageSize().width();
                space = LabelSpaces.resolve(bundle.labelSpace().isEmpty() ? null : bundle.labelSpace(), bundle.numClasses());
                if (space.numClasses() != bundle.numClasses()) {
                    throw new IllegalArgumentException(o.model().resolve("model.json") + ": label space " + space.name() + " has "
                            + space.numClasses() + " classes, the model " + bundle.numClasses());
                }
            }
        } else {
            kind = "images";
            Path first = ImageSets.list(o.fake()).get(0);
            RgbImage im = Images.readRgb(first);
            h = im.height();
            w = im.width();
        }
        String label = o.label() != null ? o.label()
                : o.model() != null ? (kind + " " + preset.toLowerCase(Locale.ROOT)).strip()
                : "images " + o.fake().toAbsolutePath().normalize().getFileName();

        // ---- real data ----
        long t = System.nanoTime();
        Datasets.Content content = switch (o.mode()) {
            case UNCOND -> o.metrics().contains(MeanIou.ID) ? Datasets.Content.PAIRED : Datasets.Content.IMAGES_ONLY;
            case COND -> Datasets.Content.PAIRED;
            case LAYOUT -> Datasets.Content.LABELS_ONLY;
            case TSTR -> throw new IllegalArgumentException("tstr mode trains segmenters; it runs through Tstr.run");
        };
        FileSampleSource src = o.realFormat().open(o.real(), o.split(), space, content, BadSamplePolicy.FAIL);
        int realN = o.mode() == Mode.COND && o.count() > 0 ? Math.min(o.count(), src.size()) : src.size();
        if (realN < 2) throw new IllegalArgumentException(src.describe() + ": needs at least 2 samples to compare with, has " + realN);
        int count = o.mode() == Mode.COND ? realN : o.count() > 0 ? o.count() : realN;
        progress.accept("reading " + realN + " real samples of " + src.describe() + " at " + h + "×" + w);
        int plane = h * w;
        float[] realImages = o.mode() == Mode.LAYOUT ? null : new float[realN * 3 * plane];
        int[] realLabels = o.mode() == Mode.UNCOND && !o.metrics().contains(MeanIou.ID) ? null : new int[realN * plane];
        for (int i = 0; i < realN; i++) {
            Sample s = src.load(i);
            if (realImages != null) System.arraycopy(Resize.image(s, h, w), 0, realImages, i * 3 * plane, 3 * plane);
            if (realLabels != null) System.arraycopy(Transforms.resizeNearest(s.classes(), s.height(), s.width(), h, w), 0, realLabels, i * plane, plane);
        }
        seconds.put("load_real", secs(t));

        // ---- real training maps (layout mode's nearest-neighbour metric) ----
        List<String> notes = new ArrayList<>();
        int[] trainLabels = null;
        int trainN = 0;
        if (o.mode() == Mode.LAYOUT && o.metrics().contains("nn")) {
            t = System.nanoTime();
            FileSampleSource train = null;
            try {
                if (o.realFormat() == DataFormat.PAIRS) {
                    notes.add("nearest-neighbour disagreement skipped: paired folders have one split, so no training maps apart from these");
                    progress.accept("note: " + notes.get(notes.size() - 1));
                } else {
                    train = o.realFormat().open(o.real(), o.trainSplit(), space, Datasets.Content.LABELS_ONLY, BadSamplePolicy.FAIL);
                }
            } catch (BadSampleException e) {
                if (!e.problem().equals("no such directory")) throw e;
                notes.add("nearest-neighbour disagreement skipped: no training split '" + o.trainSplit() + "' (" + e.getMessage() + "); pass --train-split");
                progress.accept("note: " + notes.get(notes.size() - 1));
            }
            if (train != null) {
                trainN = train.size();
                progress.accept("reading " + trainN + " training label maps of " + train.describe() + " at " + h + "×" + w);
                trainLabels = new int[trainN * plane];
                for (int i = 0; i < trainN; i++) {
                    Sample s = train.load(i);
                    System.arraycopy(Transforms.resizeNearest(s.classes(), s.height(), s.width(), h, w), 0, trainLabels, i * plane, plane);
                }
            }
            seconds.put("load_train", secs(t));
        }

        // ---- generated data ----
        t = System.nanoTime();
        float[] fakeImages = null;
        int[] fakeLabels = null;
        int fakeN = count;
        if (o.fake() != null) {
            progress.accept("reading up to " + count + " images of " + o.fake());
            ImageSets.Loaded l = ImageSets.read(o.fake(), h, w, count);
            fakeImages = l.chw();
            fakeN = l.n();
            if (fakeN < 2) throw new IllegalArgumentException(o.fake() + ": needs at least 2 images to compare with, has " + fakeN);
        } else if (progan != null) {
            progress.accept("sampling " + count + " images from " + o.model() + " (" + kind + ", seed " + o.seed() + ")");
            try (ProganSampler g = ProganSampler.open(progan, o.threads())) {
                fakeImages = g.sample(count, o.seed());
            }
        } else {
            SceneGenerator.Options go = SceneGenerator.Options.defaults().withThreads(o.threads());
            try (SceneGenerator g = SceneGenerator.open(bundle, go)) {
                List<Scene> scenes;
                if (o.mode() == Mode.COND) {
                    progress.accept("rendering " + realN + " real layouts with " + o.model() + " (G_img)");
                    Classes classes = bundle.classes();
                    List<LabelMap> maps = new ArrayList<>(realN);
                    for (int i = 0; i < realN; i++) {
                        int[] idx = new int[plane];
                        System.arraycopy(realLabels, i * plane, idx, 0, plane);
                        maps.add(new LabelMap(w, h, idx, classes));
                    }
                    scenes = g.render(maps);
                } else {
                    progress.accept("generating " + count + " scenes with " + o.model() + " (seed " + o.seed() + ")");
                    scenes = g.generate(count, o.seed());
                }
                if (o.mode() == Mode.LAYOUT || o.mode() == Mode.UNCOND && o.metrics().contains(MeanIou.ID)) {
                    fakeLabels = new int[scenes.size() * plane];
                    for (int i = 0; i < scenes.size(); i++) System.arraycopy(scenes.get(i).labels().indices(), 0, fakeLabels, i * plane, plane);
                }
                if (o.mode() != Mode.LAYOUT) {
                    fakeImages = new float[scenes.size() * 3 * plane];
                    for (int i = 0; i < scenes.size(); i++) System.arraycopy(scenes.get(i).imageChw(), 0, fakeImages, i * 3 * plane, 3 * plane);
                }
            } catch (ai.onnxruntime.OrtException e) {
                throw new IllegalStateException(o.model() + ": ONNX Runtime failed (" + e.getMessage() + ")", e);
            }
        }
        seconds.put("generate", secs(t));

        // ---- metrics: each one the options ask for, in the registry's order ----
        List<Metric> chosen = Metric.ALL.stream().filter(m -> o.metrics().contains(m.id())).toList();
        float[][] fr = null, ff = null;
        String featuresName;
        t = System.nanoTime();
        if (o.mode() == Mode.LAYOUT) {
            featuresName = LAYOUT_FEATURES;
        } else if (chosen.stream().anyMatch(Metric::usesFeatures)) {
            try (FeatureExtractor fx = o.features().equals(BUILTIN) ? new BuiltinFeatures(h, w)
                    : o.featureSegmenter() != null ? SegmenterFeatures.open(o.featureSegmenter(), o.threads())
                    : new OnnxInceptionFeatures(Path.of(o.features()))) {
                featuresName = fx.name();
                progress.accept("features: " + fx.name());
                fr = fx.features(realImages, realN, h, w);
                ff = fx.features(fakeImages, fakeN, h, w);
            }
        } else {
            featuresName = "none (SWD only)";
        }
        seconds.put("features", o.mode() == Mode.LAYOUT ? 0.0 : secs(t));
        t = System.nanoTime();
        Metric.Data in = new Metric.Data(o, space, h, w, realImages, realLabels, realN, fakeImages, fakeLabels, fakeN, trainLabels, trainN, fr, ff,
                progress);
        Metric.Values values = new Metric.Values();
        for (Metric m : chosen) m.compute(in, values);
        Map<String, Double> metrics = values.scalars;
        Map<String, double[]> presence = values.presence;
        double[] swdLevels = values.swdLevels;
        int kidSize = values.kidSubsetSize;
        seconds.put("metrics", secs(t));
        seconds.put("total", secs(t0));
        return new Result(label, o.mode(), featuresName, o.model() == null ? null : o.model().toString(), o.fake() == null ? null : o.fake().toString(),
                kind, preset, o.real().toString(), o.realFormat().id(), o.split(), o.seed(), fakeN, realN, h, w, metrics, swdLevels,
                o.metrics().contains("kid") ? o.kidSubsets() : 0, kidSize, trainLabels == null ? null : o.trainSplit(), trainN, presence, notes, seconds);
    }

    /** Class frequencies (summing to 1) of label maps with k classes. */
    static double[] histogram(int[] labels, int k) {
        double[] hst = new double[k];
        for (int c : labels) hst[c]++;
        for (int c = 0; c < k; c++) hst[c] /= Math.max(1, labels.length);
        return hst;
    }

    /** Total-variation distance ½ Σ |p − q| of two distributions: 0 equal, 1 disjoint. */
    static double totalVariation(double[] p, double[] q) {
        double s = 0;
        for (int i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
        return s / 2;
    }

    /** {@code [n, k, h, w]} one-hot floats of n label maps of {@code plane} pixels. */
    static float[] oneHot(int[] labels, int n, int k, int plane) {
        float[] out = new float[n * k * plane];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < plane; p++) out[(i * k + labels[i * plane + p]) * plane + p] = 1f;
        }
        return out;
    }

    private static double secs(long since) {
        return Math.round((System.nanoTime() - since) / 1e6) / 1e3;
    }

    /** Reads an evaluation JSON written by {@link Result#toJson()}; one-line errors name the file. */
    public static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such evaluation JSON file");
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            if (n == null || !n.isObject() || !n.has("metrics")) throw new IllegalArgumentException(file + ": not an evaluation result (no \"metrics\" object)");
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + Messages.oneLine(e.getOriginalMessage()) + ")", e);
        }
    }
}
