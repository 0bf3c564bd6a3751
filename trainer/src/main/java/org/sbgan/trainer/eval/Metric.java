package org.sbgan.trainer.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.sbgan.runtime.labels.LabelSpace;

/**
 * One metric of {@code eval}: the modes that offer it, whether it needs image features, and how it turns the real and
 * generated data into values of the result. Each metric is one class, listed once in {@link #ALL}; the modes' metric
 * lists, {@code --metrics}, the computation, the CLI table and {@code report} go through that list.
 */
public interface Metric {
    /** The name on the command line ({@code --metrics fid,kid}). */
    String id();

    Set<Evaluation.Mode> modes();

    /** Whether it needs the feature extractor's features (FID, KID). */
    default boolean usesFeatures() {
        return false;
    }

    /** Computes the metric into {@code out}. */
    void compute(Data in, Values out);

    /**
     * The scalar keys it writes into the result's metrics, in display order (each layout-quality key also has the real
     * data's value under {@link LayoutMetrics#realKey}); empty for one that writes none (presence).
     */
    List<String> keys();

    /** A key's title in tables; {@code builtin} when FID/KID came from the built-in features (not Inception). */
    default String title(String key, boolean builtin) {
        return key;
    }

    /** Whether it is shown as generated beside real data (the layout-quality block) rather than as one value per run. */
    default boolean besideRealData() {
        return false;
    }

    /** The title of a key of any metric in {@link #ALL}, or the key itself. */
    static String titleOf(String key, boolean builtin) {
        for (Metric m : ALL) if (m.keys().contains(key)) return m.title(key, builtin);
        return key;
    }

    /** The keys of the metrics reported one value per run (not the layout-quality block), in {@link #ALL}'s order. */
    static List<String> perRunKeys() {
        return ALL.stream().filter(m -> !m.besideRealData()).flatMap(m -> m.keys().stream()).toList();
    }

    /** " (sbgan-randconv-v1, not Inception)" after FID and KID from the built-in features. */
    static String featureTagOf(boolean builtin) {
        return builtin ? " (sbgan-randconv-v1, not Inception)" : "";
    }

    /** Every metric, in the order they are computed and shown. */
    List<Metric> ALL = List.of(new ClassFrequency(), new Fid(), new Kid(), new SlicedWasserstein(), new MeanIou(), new Diversity(), new Presence(),
            new NearestNeighbours(), new Clusters());

    /** The ids of the metrics a mode offers, in {@link #ALL}'s order. */
    static List<String> ids(Evaluation.Mode mode) {
        return ALL.stream().filter(m -> m.modes().contains(mode)).map(Metric::id).toList();
    }

    /**
     * What metrics are computed from. Images are {@code [n, 3, h, w]} in [−1, 1], label maps {@code [n, h, w]} class
     * indices; what a mode does not have is null (images in layout mode, label maps in uncond mode, training maps
     * unless the nearest-neighbour metric asked for them, features unless a metric {@link #usesFeatures()}).
     */
    final class Data {
        final Evaluation.Options options;
        final LabelSpace space;
        final int height, width, realN, fakeN, trainN;
        final float[] realImages, fakeImages;
        final int[] realLabels, fakeLabels, trainLabels;
        final float[][] realFeatures, fakeFeatures;
        final Consumer<String> progress;
        private LayoutMetrics.Pairwise fakePairs, realPairs;

        Data(Evaluation.Options options, LabelSpace space, int height, int width, float[] realImages, int[] realLabels, int realN,
             float[] fakeImages, int[] fakeLabels, int fakeN, int[] trainLabels, int trainN, float[][] realFeatures, float[][] fakeFeatures,
             Consumer<String> progress) {
            this.options = options;
            this.space = space;
            this.height = height;
            this.width = width;
            this.realImages = realImages;
            this.realLabels = realLabels;
            this.realN = realN;
            this.fakeImages = fakeImages;
            this.fakeLabels = fakeLabels;
            this.fakeN = fakeN;
            this.trainLabels = trainLabels;
            this.trainN = trainN;
            this.realFeatures = realFeatures;
            this.fakeFeatures = fakeFeatures;
            this.progress = progress;
        }

        int classes() {
            return space.numClasses();
        }

        LayoutMetrics.Maps fakeMaps() {
            return LayoutMetrics.Maps.of(fakeLabels, fakeN, height, width, classes());
        }

        LayoutMetrics.Maps realMaps() {
            return LayoutMetrics.Maps.of(realLabels, realN, height, width, classes());
        }

        /** Pairwise disagreement of the generated and of the real maps, computed once for the metrics that share it. */
        LayoutMetrics.Pairwise[] pairwise() {
            if (fakePairs == null) {
                if (fakeN < 2) throw new IllegalArgumentException("diversity and clusters need at least 2 generated maps, got " + fakeN + " (raise --count)");
                progress.accept("pairwise disagreement of " + fakeN + " generated and " + realN + " real maps");
                fakePairs = LayoutMetrics.pairwise(fakeMaps());
                realPairs = LayoutMetrics.pairwise(realMaps());
            }
            return new LayoutMetrics.Pairwise[] {fakePairs, realPairs};
        }
    }

    /** What metrics write: scalars (generated, and the real data's own value under {@link LayoutMetrics#realKey}) and the rest. */
    final class Values {
        final Map<String, Double> scalars = new LinkedHashMap<>();
        final Map<String, double[]> presence = new LinkedHashMap<>();
        double[] swdLevels = new double[0];
        int kidSubsetSize;
    }

    // ---- the metrics ----

    /** Total-variation distance between the class frequencies of the real and the generated maps. */
    final class ClassFrequency implements Metric {
        public List<String> keys() {
            return List.of(Evaluation.CLASSFREQ_TV);
        }

        public String title(String key, boolean builtin) {
            return "class-frequency TV distance";
        }

        public String id() {
            return "classfreq";
        }

        public Set<Evaluation.Mode> modes() {
            return Set.of(Evaluation.Mode.LAYOUT);
        }

        public void compute(Data in, Values out) {
            int k = in.classes();
            in.progress.accept("class-frequency distance over " + k + " classes");
            out.scalars.put(Evaluation.CLASSFREQ_TV, Evaluation.totalVariation(Evaluation.histogram(in.realLabels, k),
                    Evaluation.histogram(in.fakeLabels, k)));
        }
    }

    /** Fréchet distance between Gaussians fitted to the real and generated features. */
    final class Fid implements Metric {
        public List<String> keys() {
            return List.of(Evaluation.FID);
        }

        public String title(String key, boolean builtin) {
            return "FID" + featureTagOf(builtin);
        }

        public String id() {
            return "fid";
        }

        public Set<Evaluation.Mode> modes() {
            return Set.of(Evaluation.Mode.UNCOND, Evaluation.Mode.COND);
        }

        public boolean usesFeatures() {
            return true;
        }

        public void compute(Data in, Values out) {
            in.progress.accept("FID");
            out.scalars.put(Evaluation.FID, FrechetDistance.distance(in.realFeatures, in.fakeFeatures));
        }
    }

    /** Kernel inception distance: the unbiased MMD² with a cubic polynomial kernel, over random subsets. */
    final class Kid implements Metric {
        public List<String> keys() {
            return List.of(Evaluation.KID_MEAN, Evaluation.KID_STD);
        }

        public String title(String key, boolean builtin) {
            return key.equals(Evaluation.KID_STD) ? "KID subset std" : "KID" + featureTagOf(builtin);
        }

        public String id() {
            return "kid";
        }

        public Set<Evaluation.Mode> modes() {
            return Set.of(Evaluation.Mode.UNCOND, Evaluation.Mode.COND);
        }

        public boolean usesFeatures() {
            return true;
        }

        public void compute(Data in, Values out) {
            Evaluation.Options o = in.options;
            in.progress.accept("KID (" + o.kidSubsets() + " subsets)");
            org.sbgan.trainer.eval.Kid.Result kr = org.sbgan.trainer.eval.Kid.compute(in.realFeatures, in.fakeFeatures, o.kidSubsets(),
                    o.kidSubsetSize(), o.seed());
            out.scalars.put(Evaluation.KID_MEAN, kr.mean());
            out.scalars.put(Evaluation.KID_STD, kr.std());
            out.kidSubsetSize = kr.subsetSize();
        }
    }

    /** Sliced Wasserstein distance on Laplacian-pyramid patches of images, or on one-hot label maps. */
    final class SlicedWasserstein implements Metric {
        public List<String> keys() {
            return List.of(Evaluation.SWD);
        }

        public String title(String key, boolean builtin) {
            return "SWD ×10³";
        }

        public String id() {
            return "swd";
        }

        public Set<Evaluation.Mode> modes() {
            return Set.of(Evaluation.Mode.UNCOND, Evaluation.Mode.COND, Evaluation.Mode.LAYOUT);
        }

        public void compute(Data in, Values out) {
            Swd.Result r;
            if (in.options.mode() == Evaluation.Mode.LAYOUT) {
                int k = in.classes(), plane = in.height * in.width;
                in.progress.accept("SWD on one-hot label maps (" + k + " channels)");
                r = new Swd(in.options.seed()).compute(Evaluation.oneHot(in.realLabels, in.realN, k, plane), in.realN,
                        Evaluation.oneHot(in.fakeLabels, in.fakeN, k, plane), in.fakeN, k, in.height, in.width);
            } else {
                in.progress.accept("SWD on Laplacian-pyramid patches");
                r = new Swd(in.options.seed()).compute(in.realImages, in.realN, in.fakeImages, in.fakeN, in.height, in.width);
            }
            out.scalars.put(Evaluation.SWD, r.average());
            out.swdLevels = r.perLevel();
        }
    }

    /** Mean pairwise disagreement of the generated maps, beside the real maps' own. */
    final class Diversity implements Metric {
        public List<String> keys() {
            return List.of(LayoutMetrics.DIVERSITY);
        }

        public String title(String key, boolean builtin) {
            return LayoutMetrics.title(key);
        }

        public boolean besideRealData() {
            return true;
        }

        public String id() {
            return "diversity";
        }

        public Set<Evaluation.Mode> modes() {
            return Set.of(Evaluation.Mode.LAYOUT);
        }

        public void compute(Data in, Values out) {
            LayoutMetrics.Pairwise[] p = in.pairwise();
            out.scalars.put(LayoutMetrics.DIVERSITY, p[0].diversity());
            out.scalars.put(LayoutMetrics.realKey(LayoutMetrics.DIVERSITY), p[1].diversity());
        }
    }

    /** Per class, the share of maps where it covers at least {@link LayoutMetrics#PRESENCE_MIN_PER_MILLE}. */
    final class Presence implements Metric {
        public List<String> keys() {
            return List.of();
        }

        public String title(String key, boolean builtin) {
            return key;
        }

        public boolean besideRealData() {
            return true;
        }

        public String id() {
            return "presence";
        }

        public Set<Evaluation.Mode> modes() {
            return Set.of(Evaluation.Mode.LAYOUT);
        }

        public void compute(Data in, Values out) {
            int k = in.classes(), plane = in.height * in.width;
            double[] pf = LayoutMetrics.presence(in.fakeLabels, in.fakeN, plane, k), pr = LayoutMetrics.presence(in.realLabels, in.realN, plane, k);
            for (int c = 0; c < k; c++) out.presence.put(in.space.className(c), new double[] {pf[c], pr[c]});
        }
    }

    /** Disagreement of each map with its nearest training map (or mirror): memorisation, beside the real maps' own. */
    final class NearestNeighbours implements Metric {
        public List<String> keys() {
            return List.of(LayoutMetrics.NN_DISAGREEMENT, LayoutMetrics.NN_NEAR_COPIES);
        }

        public String title(String key, boolean builtin) {
            return LayoutMetrics.title(key);
        }

        public boolean besideRealData() {
            return true;
        }

        public String id() {
            return "nn";
        }

        public Set<Evaluation.Mode> modes() {
            return Set.of(Evaluation.Mode.LAYOUT);
        }

        public void compute(Data in, Values out) {
            if (in.trainLabels == null) return; // skipped with a note: no training split
            in.progress.accept("nearest neighbours among " + in.trainN + " training maps and their mirrors");
            int k = in.classes();
            LayoutMetrics.Maps train = LayoutMetrics.Maps.of(in.trainLabels, in.trainN, in.height, in.width, k);
            LayoutMetrics.Maps mirrors = LayoutMetrics.Maps.mirrored(in.trainLabels, in.trainN, in.height, in.width, k);
            LayoutMetrics.Nearest nf = LayoutMetrics.nearest(in.fakeMaps(), train, mirrors, false);
            // Evaluating on the training split itself: each real map is left out of its own neighbours.
            LayoutMetrics.Nearest nr = LayoutMetrics.nearest(in.realMaps(), train, mirrors, in.options.split().equals(in.options.trainSplit()));
            out.scalars.put(LayoutMetrics.NN_DISAGREEMENT, nf.mean());
            out.scalars.put(LayoutMetrics.realKey(LayoutMetrics.NN_DISAGREEMENT), nr.mean());
            out.scalars.put(LayoutMetrics.NN_NEAR_COPIES, nf.nearCopies());
            out.scalars.put(LayoutMetrics.realKey(LayoutMetrics.NN_NEAR_COPIES), nr.nearCopies());
        }
    }

    /** Near-duplicate clusters among the generated maps: the distinct fraction and the largest cluster's share. */
    final class Clusters implements Metric {
        public List<String> keys() {
            return List.of(LayoutMetrics.DISTINCT_FRACTION, LayoutMetrics.LARGEST_CLUSTER);
        }

        public String title(String key, boolean builtin) {
            return LayoutMetrics.title(key);
        }

        public boolean besideRealData() {
            return true;
        }

        public String id() {
            return "clusters";
        }

        public Set<Evaluation.Mode> modes() {
            return Set.of(Evaluation.Mode.LAYOUT);
        }

        public void compute(Data in, Values out) {
            LayoutMetrics.Pairwise[] p = in.pairwise();
            out.scalars.put(LayoutMetrics.DISTINCT_FRACTION, p[0].distinctFraction());
            out.scalars.put(LayoutMetrics.realKey(LayoutMetrics.DISTINCT_FRACTION), p[1].distinctFraction());
            out.scalars.put(LayoutMetrics.LARGEST_CLUSTER, p[0].largestShare());
            out.scalars.put(LayoutMetrics.realKey(LayoutMetrics.LARGEST_CLUSTER), p[1].largestShare());
        }
    }
}
