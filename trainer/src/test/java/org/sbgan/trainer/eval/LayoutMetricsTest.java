package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.Datasets;
import org.sbgan.trainer.data.FileSampleSource;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.loader.Transforms;

/** {@link LayoutMetrics} on hand-made maps with known answers, and on the bundled real maps. */
class LayoutMetricsTest {
    static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
    private static final int H = 32, W = 64, P = H * W;

    /** n maps of h×w, every pixel of map i set to fill[i]. */
    private static int[] filled(int h, int w, int... fill) {
        int[] out = new int[fill.length * h * w];
        for (int i = 0; i < fill.length; i++) java.util.Arrays.fill(out, i * h * w, (i + 1) * h * w, fill[i]);
        return out;
    }

    private static LayoutMetrics.Maps maps(int[] labels, int n, int k) {
        return LayoutMetrics.Maps.of(labels, n, H, W, k);
    }

    @Test
    void identicalMapsHaveNoDiversityAndFormOneCluster() {
        int[] one = new int[P];
        for (int p = 0; p < P; p++) one[p] = (p / W < H / 2) ? 5 : p % 3;
        int n = 6;
        int[] labels = new int[n * P];
        for (int i = 0; i < n; i++) System.arraycopy(one, 0, labels, i * P, P);
        LayoutMetrics.Pairwise r = LayoutMetrics.pairwise(maps(labels, n, 8));
        assertEquals(0, r.diversity(), 0);
        assertEquals(1, r.clusters());
        assertEquals(6, r.largest());
        assertEquals(1.0 / n, r.distinctFraction(), 1e-12);
        assertEquals(1, r.largestShare(), 0);
    }

    @Test
    void disjointMapsHaveDiversityOneAndAreAllDistinct() {
        LayoutMetrics.Pairwise r = LayoutMetrics.pairwise(maps(filled(H, W, 0, 1, 2, 7), 4, 8));
        assertEquals(1, r.diversity(), 0);
        assertEquals(4, r.clusters());
        assertEquals(1, r.distinctFraction(), 0);
        assertEquals(0.25, r.largestShare(), 0);
    }

    @Test
    void diversityIsTheMeanOverPairs() {
        // Map 0 all 0; map 1 left half 1; map 2 all 1: disagreements 0.5, 1, 0.5 → mean 2/3.
        int[] labels = filled(H, W, 0, 0, 1);
        for (int y = 0; y < H; y++) for (int x = 0; x < W / 2; x++) labels[P + y * W + x] = 1;
        LayoutMetrics.Maps m = maps(labels, 3, 8);
        assertEquals(0.5, m.disagreement(0, m, 1), 0);
        assertEquals(1, m.disagreement(0, m, 2), 0);
        assertEquals(2.0 / 3, LayoutMetrics.diversity(m), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> LayoutMetrics.diversity(maps(filled(H, W, 0), 1, 8)));
    }

    @Test
    void clustersJoinNearDuplicatesTransitively() {
        // b differs from a in 4 % of pixels, c from b in another 4 % (8 % from a): one cluster through b; d is apart.
        int step = (int) (0.04 * P);
        int[] labels = filled(H, W, 0, 0, 0, 3);
        for (int p = 0; p < step; p++) labels[P + p] = 1;
        for (int p = 0; p < 2 * step; p++) labels[2 * P + p] = 1;
        LayoutMetrics.Maps m = maps(labels, 4, 8);
        assertTrue(m.disagreement(0, m, 2) > LayoutMetrics.NEAR_DUPLICATE);
        LayoutMetrics.Pairwise r = LayoutMetrics.pairwise(m);
        assertEquals(2, r.clusters());
        assertEquals(0.5, r.distinctFraction(), 0);
        assertEquals(0.75, r.largestShare(), 0);
        // A stricter threshold separates them all.
        assertEquals(4, LayoutMetrics.pairwise(m, 0.01).clusters());
    }

    @Test
    void presenceCountsAClassFromPointFourPercentOfPixels() {
        assertEquals(4, LayoutMetrics.presenceMinPixels(1000));
        assertEquals(9, LayoutMetrics.presenceMinPixels(2048)); // 8.192 pixels → 9
        // Maps of 10×100 = 1000 pixels: class 1 on exactly 4 pixels (0.4 %) is present, on 3 (0.3 %) it is not.
        int plane = 1000;
        int[] labels = new int[3 * plane];
        for (int p = 0; p < 4; p++) labels[p] = 1;
        for (int p = 0; p < 3; p++) labels[plane + p] = 1;
        for (int p = 0; p < plane; p++) labels[2 * plane + p] = 2;
        double[] rate = LayoutMetrics.presence(labels, 3, plane, 4);
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3, 1.0 / 3, 0}, rate, 1e-12);
        // At 32×64: 9 pixels count, 8 do not.
        int[] small = new int[2 * P];
        for (int p = 0; p < 9; p++) small[p] = 1;
        for (int p = 0; p < 8; p++) small[P + p] = 1;
        assertEquals(0.5, LayoutMetrics.presence(small, 2, P, 2)[1], 0);
    }

    @Test
    void nearestNeighbourIsZeroForAMirroredTrainingMap() {
        // Training maps: a left/right split scene and a top/bottom one; the generated map is the first one mirrored.
        int[] train = new int[2 * P];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                train[y * W + x] = x < W / 4 ? 2 : 6;
                train[P + y * W + x] = y < H / 2 ? 5 : 1;
            }
        }
        int[] gen = new int[2 * P];
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) gen[y * W + x] = train[y * W + (W - 1 - x)];
        java.util.Arrays.fill(gen, P, 2 * P, 7); // a map unlike any training map
        LayoutMetrics.Maps g = maps(gen, 2, 8), t = maps(train, 2, 8), mirrors = LayoutMetrics.Maps.mirrored(train, 2, H, W, 8);
        LayoutMetrics.Nearest withMirrors = LayoutMetrics.nearest(g, t, mirrors, false);
        assertEquals(0, withMirrors.perMap()[0], 0);
        assertEquals(1, withMirrors.perMap()[1], 0);
        assertEquals(0.5, withMirrors.mean(), 0);
        assertEquals(0.5, withMirrors.nearCopies(), 0);
        LayoutMetrics.Nearest without = LayoutMetrics.nearest(g, t, null, false);
        assertEquals(0.5, without.perMap()[0], 0); // half the columns differ from the unmirrored map
        // Leave-one-out: the training maps against themselves are not their own neighbours.
        LayoutMetrics.Nearest self = LayoutMetrics.nearest(t, t, mirrors, true);
        assertTrue(self.perMap()[0] > 0 && self.perMap()[1] > 0);
        assertEquals(0, LayoutMetrics.nearest(t, t, mirrors, false).mean(), 0);
    }

    @Test
    void packedCountsMatchAPlainLoopForByteAndShortLanes() {
        Random rng = new Random(3);
        int h = 7, w = 13, plane = h * w; // 91 pixels: padding lanes in the last word
        for (int k : new int[] {2, 130, 256, 300, 65536}) {
            int n = 5;
            int[] labels = new int[n * plane];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = rng.nextInt(4) == 0 ? rng.nextInt(k) : (k - 1) & 0x180; // high-bit-only differences too
            }
            LayoutMetrics.Maps m = LayoutMetrics.Maps.of(labels, n, h, w, k);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int plain = 0;
                    for (int p = 0; p < plane; p++) if (labels[i * plane + p] != labels[j * plane + p]) plain++;
                    assertEquals(plain, m.differing(i, m, j), "k=" + k + " maps " + i + ", " + j);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> LayoutMetrics.Maps.of(new int[] {3}, 1, 1, 1, 3));
    }

    @Test
    void twoHundredMapsInWellUnderASecond() {
        Random rng = new Random(1);
        int n = 200;
        int[] labels = new int[n * P];
        for (int i = 0; i < n; i++) {
            int horizon = 8 + rng.nextInt(16);
            for (int p = 0; p < P; p++) labels[i * P + p] = p / W < horizon ? 5 : rng.nextInt(10) == 0 ? rng.nextInt(8) : 1;
        }
        LayoutMetrics.Maps m = maps(labels, n, 8);
        LayoutMetrics.pairwise(m); // warm-up
        long t0 = System.nanoTime();
        LayoutMetrics.Pairwise r = LayoutMetrics.pairwise(m);
        LayoutMetrics.Nearest nn = LayoutMetrics.nearest(m, m, LayoutMetrics.Maps.mirrored(labels, n, H, W, 8), true);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("200 maps of 32×64: pairwise + nearest in %.3f s (diversity %.4f, NN %.4f)%n", s, r.diversity(), nn.mean());
        assertTrue(s < 1, s + " s");
        assertTrue(r.diversity() > 0 && r.diversity() < 1);
    }

    /** The bundled validation maps at 32×64, as layout mode reads them. */
    static int[] realMaps(String split, LabelSpace space, int[] count) throws Exception {
        FileSampleSource src = Datasets.cityscapes(TESTDATA, split, space, Datasets.Content.LABELS_ONLY, BadSamplePolicy.FAIL);
        int n = src.size();
        int[] labels = new int[n * P];
        for (int i = 0; i < n; i++) {
            Sample s = src.load(i);
            System.arraycopy(Transforms.resizeNearest(s.classes(), s.height(), s.width(), H, W), 0, labels, i * P, P);
        }
        count[0] = n;
        return labels;
    }

    @Test
    void realValidationMapsAreDiverseAndNotCopiesOfTheTrainingMaps() throws Exception {
        LabelSpace space = LabelSpaces.cityscapesCategories();
        int k = space.numClasses();
        int[] nv = new int[1], nt = new int[1];
        int[] val = realMaps("val", space, nv), train = realMaps("train", space, nt);
        LayoutMetrics.Maps v = maps(val, nv[0], k);
        LayoutMetrics.Pairwise r = LayoutMetrics.pairwise(v);
        LayoutMetrics.Nearest nn = LayoutMetrics.nearest(v, maps(train, nt[0], k), LayoutMetrics.Maps.mirrored(train, nt[0], H, W, k), false);
        double[] presence = LayoutMetrics.presence(val, nv[0], P, k);
        System.out.printf("testdata val, %d maps at 32×64: diversity %.4f, distinct %.3f, largest cluster %.3f, NN to %d train maps %.4f "
                + "(near copies %.3f), presence %s%n", nv[0], r.diversity(), r.distinctFraction(), r.largestShare(), nt[0], nn.mean(),
                nn.nearCopies(), java.util.Arrays.toString(presence));
        // Street scenes share sky, road and buildings but differ in their layout: well between "all the same" and "disjoint".
        assertTrue(r.diversity() > 0.2 && r.diversity() < 0.6, "diversity " + r.diversity());
        assertTrue(r.distinctFraction() > 0.9, "distinct " + r.distinctFraction());
        // Unseen real scenes are closer to some training scene than to a typical one, but not copies.
        assertTrue(nn.mean() > 0.02 && nn.mean() < r.diversity(), "NN " + nn.mean());
        assertEquals(1, presence[space.indexOf("sky")], 0.2);
        assertEquals(1, presence[space.indexOf("flat")], 0.2);
    }
}
