package org.sbgan.trainer.eval;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Layout-quality metrics of a set of label maps ({@code sbgan-cli eval --mode layout}), each computed the same way
 * for the generated maps and for the real split's maps so the two can be read side by side. This class is the one
 * definition of each metric; {@link Evaluation} computes them, {@code EvalCommand} and {@link Report} show them.
 *
 * <p>All of them rest on the <em>pixel disagreement</em> of two maps of the same size: the fraction of pixels whose
 * class differs (0 = identical, 1 = no pixel in common).
 *
 * <ul>
 *   <li><b>diversity</b> ({@link #DIVERSITY}): the mean disagreement over all pairs of maps of a set. Identical
 *       maps score 0; real street scenes at 32×64 about 0.39.</li>
 *   <li><b>presence</b> ({@link #PRESENCE}): per class, the fraction of maps that contain it, a map containing a class
 *       when at least {@link #PRESENCE_MIN_PER_MILLE} ‰ (0.4 %) of its pixels are that class. Shows classes a generator
 *       drops or adds, which class-frequency histograms average away.</li>
 *   <li><b>nearest-neighbour disagreement</b> ({@link #NN_DISAGREEMENT}, memorisation): for each map, the smallest
 *       disagreement to any map of the real training split or to that map's horizontal mirror (training flips),
 *       averaged; {@link #NN_NEAR_COPIES} is the fraction of maps under {@link #NEAR_COPY} ("near copies"). A
 *       generator that copies its training maps scores near 0; the real validation maps show how close unseen real
 *       scenes come to the training set.</li>
 *   <li><b>near-duplicate clusters</b> ({@link #DISTINCT_FRACTION}, {@link #LARGEST_CLUSTER}): maps joined when their
 *       disagreement is below {@link #NEAR_DUPLICATE}, transitively (union-find); the number of clusters over the
 *       number of maps (1 = all distinct, 1/n = all one layout; shows mode collapse) and the largest cluster's share.</li>
 * </ul>
 *
 * <p>Maps are packed one class per byte (16 bits above 256 classes) into longs, and disagreements counted 8 (4)
 * pixels at a time, so all pairs of 200 maps of 32×64 take a few milliseconds.
 */
public final class LayoutMetrics {
    private LayoutMetrics() {}

    /** A map contains a class when at least this many per mille of its pixels are that class (4 ‰ = 0.4 %). */
    public static final int PRESENCE_MIN_PER_MILLE = 4;
    /** Two maps are near duplicates (same cluster) when their pixel disagreement is below this (5 % of pixels). */
    public static final double NEAR_DUPLICATE = 0.05;
    /** A map is a near copy of the training set when its nearest-neighbour disagreement is below this (2 %). */
    public static final double NEAR_COPY = 0.02;

    /** Scalar keys in the result's "metrics" object; each has a real-data counterpart {@link #realKey}. */
    public static final String DIVERSITY = "diversity", NN_DISAGREEMENT = "nn_disagreement", NN_NEAR_COPIES = "nn_near_copies",
            DISTINCT_FRACTION = "distinct_fraction", LARGEST_CLUSTER = "largest_cluster";
    /** The per-class presence object's key: {class: {generated, real}}. */
    public static final String PRESENCE = "presence";
    /** The scalar keys in table order. */
    public static final List<String> KEYS = List.of(DIVERSITY, NN_DISAGREEMENT, NN_NEAR_COPIES, DISTINCT_FRACTION, LARGEST_CLUSTER);

    /** The key of a metric's value on the real data: {@code diversity} → {@code diversity_real}. */
    public static String realKey(String key) {
        return key + "_real";
    }

    /** True for the scalar keys of this class and their real counterparts. */
    public static boolean isLayoutKey(String key) {
        for (String k : KEYS) if (key.equals(k) || key.equals(realKey(k))) return true;
        return false;
    }

    /** A row title for tables (CLI and report). */
    public static String title(String key) {
        return switch (key) {
            case DIVERSITY -> "diversity (mean pairwise disagreement)";
            case NN_DISAGREEMENT -> "NN disagreement to training maps";
            case NN_NEAR_COPIES -> String.format(java.util.Locale.ROOT, "near copies of training maps (NN < %.2f)", NEAR_COPY);
            case DISTINCT_FRACTION -> String.format(java.util.Locale.ROOT, "distinct fraction (clusters at < %.2f)", NEAR_DUPLICATE);
            case LARGEST_CLUSTER -> "largest near-duplicate cluster share";
            default -> key;
        };
    }

    /** The fewest pixels of a class, of {@code plane}, for a map to contain it: ⌈plane · 4 / 1000⌉. */
    public static int presenceMinPixels(int plane) {
        return (int) (((long) plane * PRESENCE_MIN_PER_MILLE + 999) / 1000);
    }

    /**
     * Label maps packed for fast comparison: n maps of h×w class indices in [0, k), one byte (k ≤ 256) or two
     * (k ≤ 65536) per pixel, 8 or 4 pixels a long; padding lanes are 0 in every map, so they never differ.
     */
    public static final class Maps {
        private final long[] words;
        private final int n, h, w, stride, bits;

        private Maps(long[] words, int n, int h, int w, int stride, int bits) {
            this.words = words;
            this.n = n;
            this.h = h;
            this.w = w;
            this.stride = stride;
            this.bits = bits;
        }

        /** Packs n maps stored one after another in {@code labels} ({@code [n, h, w]}), of classes in [0, k). */
        public static Maps of(int[] labels, int n, int h, int w, int k) {
            return pack(labels, n, h, w, k, false);
        }

        /** The same maps flipped left to right. */
        public static Maps mirrored(int[] labels, int n, int h, int w, int k) {
            return pack(labels, n, h, w, k, true);
        }

        private static Maps pack(int[] labels, int n, int h, int w, int k, boolean flip) {
            if (k < 1 || k > 65536) throw new IllegalArgumentException("number of classes must be in 1..65536, got " + k);
            int plane = h * w;
            if (labels.length < (long) n * plane) throw new IllegalArgumentException(labels.length + " labels for " + n + " maps of " + h + "×" + w);
            int bits = k <= 256 ? 8 : 16, lanes = 64 / bits;
            int stride = (plane + lanes - 1) / lanes;
            long[] words = new long[n * stride];
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int c = labels[i * plane + y * w + (flip ? w - 1 - x : x)];
                        if (c < 0 || c >= k) throw new IllegalArgumentException("class " + c + " outside [0, " + k + ") in map " + i);
                        int p = y * w + x;
                        words[i * stride + p / lanes] |= (long) c << (bits * (p % lanes));
                    }
                }
            }
            return new Maps(words, n, h, w, stride, bits);
        }

        public int size() {
            return n;
        }

        public int plane() {
            return h * w;
        }

        private void requireSameSize(Maps o) {
            if (o.h != h || o.w != w || o.bits != bits) {
                throw new IllegalArgumentException("maps of " + h + "×" + w + " compared with maps of " + o.h + "×" + o.w);
            }
        }

        /** Pixels where map i of these maps and map j of {@code o} differ. */
        public int differing(int i, Maps o, int j) {
            return differing(i, o, j, Integer.MAX_VALUE);
        }

        /** Pixels where they differ, or any count ≥ {@code bound} once the running count reaches it. */
        int differing(int i, Maps o, int j, int bound) {
            long[] a = words, b = o.words;
            int ia = i * stride, ib = j * o.stride, count = 0;
            long low = bits == 8 ? 0x7F7F7F7F7F7F7F7FL : 0x7FFF7FFF7FFF7FFFL, high = ~low;
            for (int q = 0; q < stride; q++) {
                long x = a[ia + q] ^ b[ib + q];
                // The high bit of each lane is set when the lane is non-zero (no carry crosses a lane boundary).
                count += Long.bitCount((((x & low) + low) | x) & high);
                if ((q & 15) == 15 && count >= bound) return count;
            }
            return count;
        }

        /** The fraction of pixels where map i of these maps and map j of {@code o} differ. */
        public double disagreement(int i, Maps o, int j) {
            requireSameSize(o);
            return (double) differing(i, o, j) / plane();
        }
    }

    /**
     * Diversity and near-duplicate clusters of one set of maps.
     *
     * @param diversity mean pixel disagreement over the n(n−1)/2 pairs
     * @param clusters connected components when maps closer than the threshold are joined
     * @param largest the largest cluster's size
     */
    public record Pairwise(int n, double diversity, int clusters, int largest) {
        /** Clusters per map: 1 = all distinct, 1/n = all near duplicates of each other. */
        public double distinctFraction() {
            return (double) clusters / n;
        }

        /** The largest cluster's share of the maps. */
        public double largestShare() {
            return (double) largest / n;
        }
    }

    /** {@link #pairwise(Maps, double)} with {@link #NEAR_DUPLICATE}. */
    public static Pairwise pairwise(Maps m) {
        return pairwise(m, NEAR_DUPLICATE);
    }

    /** Compares all pairs of maps once: their mean disagreement, and clusters of pairs with disagreement below threshold. */
    public static Pairwise pairwise(Maps m, double threshold) {
        int n = m.size(), plane = m.plane();
        if (n < 2) throw new IllegalArgumentException("diversity needs at least 2 maps, got " + n);
        long[] rowSums = new long[n];
        int[][] near = new int[n][];
        IntStream.range(0, n).parallel().forEach(i -> {
            long s = 0;
            int[] nb = new int[4];
            int nn = 0;
            for (int j = i + 1; j < n; j++) {
                int d = m.differing(i, m, j);
                s += d;
                if ((double) d / plane < threshold) {
                    if (nn == nb.length) nb = Arrays.copyOf(nb, nn * 2);
                    nb[nn++] = j;
                }
            }
            rowSums[i] = s;
            near[i] = Arrays.copyOf(nb, nn);
        });
        long total = 0;
        for (long s : rowSums) total += s;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        int clusters = n;
        for (int i = 0; i < n; i++) {
            for (int j : near[i]) {
                int a = find(parent, i), b = find(parent, j);
                if (a != b) {
                    parent[Math.max(a, b)] = Math.min(a, b);
                    clusters--;
                }
            }
        }
        int[] size = new int[n];
        int largest = 0;
        for (int i = 0; i < n; i++) largest = Math.max(largest, ++size[find(parent, i)]);
        double pairs = (double) n * (n - 1) / 2;
        return new Pairwise(n, total / pairs / plane, clusters, largest);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** Mean pixel disagreement over all pairs of maps. */
    public static double diversity(Maps m) {
        return pairwise(m).diversity();
    }

    /**
     * Per class, the fraction of the n maps ({@code [n, plane]} class indices in [0, k)) in which at least
     * {@link #presenceMinPixels} pixels are that class.
     */
    public static double[] presence(int[] labels, int n, int plane, int k) {
        if (n < 1) throw new IllegalArgumentException("presence needs at least 1 map");
        int min = presenceMinPixels(plane);
        int[] count = new int[k], maps = new int[k];
        for (int i = 0; i < n; i++) {
            Arrays.fill(count, 0);
            for (int p = i * plane, end = p + plane; p < end; p++) count[labels[p]]++;
            for (int c = 0; c < k; c++) if (count[c] >= min) maps[c]++;
        }
        double[] rate = new double[k];
        for (int c = 0; c < k; c++) rate[c] = (double) maps[c] / n;
        return rate;
    }

    /**
     * Nearest-neighbour disagreements of query maps to reference maps.
     *
     * @param perMap each query map's smallest disagreement
     * @param mean their mean
     * @param nearCopies the fraction under {@link #NEAR_COPY}
     */
    public record Nearest(double[] perMap, double mean, double nearCopies) {
        public Nearest {
            perMap = perMap.clone();
        }

        @Override
        public double[] perMap() {
            return perMap.clone();
        }
    }

    /**
     * For each query map, the smallest disagreement to any reference map or to its mirror ({@code mirrors}, the
     * reference maps flipped left to right, index for index; null to compare with the references only). With
     * {@code skipSameIndex} query i is not compared with reference i or its mirror (the query set is the reference
     * set: leave-one-out).
     */
    public static Nearest nearest(Maps queries, Maps reference, Maps mirrors, boolean skipSameIndex) {
        queries.requireSameSize(reference);
        if (mirrors != null) {
            reference.requireSameSize(mirrors);
            if (mirrors.size() != reference.size()) throw new IllegalArgumentException(mirrors.size() + " mirrors of " + reference.size() + " reference maps");
        }
        int n = queries.size(), r = reference.size(), plane = queries.plane();
        if (n < 1) throw new IllegalArgumentException("nearest neighbours need at least 1 query map");
        if (r < (skipSameIndex ? 2 : 1)) throw new IllegalArgumentException("nearest neighbours need reference maps, got " + r);
        double[] per = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            int best = plane + 1;
            for (int j = 0; j < r && best > 0; j++) {
                if (skipSameIndex && i == j) continue;
                best = Math.min(best, queries.differing(i, reference, j, best));
                if (mirrors != null && best > 0) best = Math.min(best, queries.differing(i, mirrors, j, best));
            }
            per[i] = (double) best / plane;
        });
        double sum = 0;
        int copies = 0;
        for (double d : per) {
            sum += d;
            if (d < NEAR_COPY) copies++;
        }
        return new Nearest(per, sum / n, (double) copies / n);
    }
}
