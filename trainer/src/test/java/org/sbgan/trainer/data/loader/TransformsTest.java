package org.sbgan.trainer.data.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransformsTest {
    @Test
    void nearestResizeKeepsExactLabelValues() {
        int h = 5, w = 7;
        int[] src = new int[h * w];
        for (int i = 0; i < src.length; i++) src[i] = (i * 13) % 34;
        Set<Integer> in = new HashSet<>();
        for (int v : src) in.add(v);
        for (int[] size : new int[][] {{10, 14}, {3, 4}, {13, 9}}) {
            int[] out = Transforms.resizeNearest(src, h, w, size[0], size[1]);
            for (int v : out) assertTrue(in.contains(v), "value " + v + " is not a source class");
        }
        // exact 2x upscale replicates each pixel into a 2x2 block
        int[] up = Transforms.resizeNearest(src, h, w, 2 * h, 2 * w);
        for (int y = 0; y < 2 * h; y++) {
            for (int x = 0; x < 2 * w; x++) assertEquals(src[(y / 2) * w + x / 2], up[y * 2 * w + x]);
        }
        assertArrayEquals(src, Transforms.resizeNearest(src, h, w, h, w));
    }

    @Test
    void bilinearOnAKnownGradient() {
        int h = 4, w = 8;
        float[] src = new float[h * w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) src[y * w + x] = x + 10f * y;
        // downscale by 2: each output is the mean of a 2x2 block (half-pixel centres)
        float[] down = Transforms.resizeBilinear(src, 1, h, w, h / 2, w / 2);
        for (int y = 0; y < h / 2; y++) {
            for (int x = 0; x < w / 2; x++) assertEquals((2 * x + 0.5f) + 10f * (2 * y + 0.5f), down[y * (w / 2) + x], 1e-5f);
        }
        // upscale by 2: interior outputs lie on the same linear ramp at source coordinate (i + 0.5) / 2 - 0.5
        float[] up = Transforms.resizeBilinear(src, 1, h, w, 2 * h, 2 * w);
        for (int y = 1; y < 2 * h - 1; y++) {
            for (int x = 1; x < 2 * w - 1; x++) {
                float sx = (x + 0.5f) / 2 - 0.5f, sy = (y + 0.5f) / 2 - 0.5f;
                assertEquals(sx + 10f * sy, up[y * 2 * w + x], 1e-5f);
            }
        }
        assertEquals(0f, up[0], 1e-6f); // clamped at the border
    }

    @Test
    void resizeCoversTheTargetAndMatchingAspectGivesExactSize() {
        Transforms t = Transforms.training(32, 64);
        Transforms.Plan p = t.plan(256, 512, 1, 0, 0);
        assertEquals(32, p.resizedHeight());
        assertEquals(64, p.resizedWidth());
        assertEquals(0, p.cropX());
        Transforms.Plan q = t.plan(100, 300, 1, 0, 0); // wider: short side (height) to 32
        assertEquals(32, q.resizedHeight());
        assertEquals(96, q.resizedWidth());
        Transforms sq = Transforms.training(16, 16);
        assertTrue(sq.randomCrop());
        Transforms.Plan r = sq.plan(20, 40, 1, 0, 0);
        assertEquals(16, r.resizedHeight());
        assertEquals(32, r.resizedWidth());
    }

    /** Label = column index of the source, image red = label / 100: so a consistent pair stays consistent. */
    private static int[] columnLabels(int h, int w) {
        int[] c = new int[h * w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) c[y * w + x] = x;
        return c;
    }

    private static float[] columnImage(int h, int w) {
        float[] rgb = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = x / 100f;
                rgb[h * w + y * w + x] = 0.5f;
                rgb[2 * h * w + y * w + x] = 1f - y / 100f;
            }
        }
        return rgb;
    }

    @Test
    void flipIsJointAndHappensAboutHalfTheTime() {
        int h = 4, w = 8;
        Transforms t = new Transforms(h, w, true, false);
        int[] cls = columnLabels(h, w);
        float[] rgb = columnImage(h, w);
        int flipped = 0;
        for (int i = 0; i < 200; i++) {
            Transforms.Plan p = t.plan(h, w, 42, 0, i);
            int[] l = t.labels(cls, p);
            float[] im = t.image(rgb, p);
            for (int x = 0; x < w; x++) {
                int expect = p.flipped() ? w - 1 - x : x;
                assertEquals(expect, l[x]);
                assertEquals(2f * (l[x] / 100f) - 1f, im[x], 1e-6f, "image flipped with the labels");
            }
            if (p.flipped()) flipped++;
        }
        assertTrue(flipped > 70 && flipped < 130, "flipped " + flipped + " of 200");
        Transforms off = new Transforms(h, w, false, false);
        for (int i = 0; i < 50; i++) assertFalse(off.plan(h, w, 42, 0, i).flipped());
    }

    @Test
    void randomSquareCropWindowIsSharedByLabelsAndImage() {
        int h = 8, w = 24; // already at target height: the crop is along the long edge only
        Transforms t = new Transforms(8, 8, true, true);
        int[] cls = columnLabels(h, w);
        float[] rgb = columnImage(h, w);
        Set<Integer> offsets = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Transforms.Plan p = t.plan(h, w, 7, 3, i);
            assertEquals(0, p.cropY());
            assertTrue(p.cropX() >= 0 && p.cropX() <= w - 8);
            offsets.add(p.cropX());
            int[] l = t.labels(cls, p);
            float[] im = t.image(rgb, p);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    int col = p.cropX() + (p.flipped() ? 7 - x : x);
                    assertEquals(col, l[y * 8 + x]);
                    assertEquals(2f * (col / 100f) - 1f, im[y * 8 + x], 1e-6f);
                    assertEquals(2f * (1f - y / 100f) - 1f, im[128 + y * 8 + x], 1e-6f);
                }
            }
        }
        assertTrue(offsets.size() > 8, "crop offsets vary: " + offsets);
        Transforms centred = new Transforms(8, 8, false, false);
        assertEquals(8, centred.plan(h, w, 7, 3, 0).cropX());
    }

    @Test
    void imagesAreScaledToMinusOneOne() {
        int h = 6, w = 12;
        float[] rgb = new float[3 * h * w];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (i % 11) / 10f;
        rgb[0] = 0f;
        rgb[1] = 1f;
        Transforms t = Transforms.eval(h, w);
        float[] im = t.image(rgb, t.plan(h, w, 1, 0, 0));
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int i = 0; i < im.length; i++) {
            assertEquals(2f * rgb[i] - 1f, im[i], 1e-6f);
            min = Math.min(min, im[i]);
            max = Math.max(max, im[i]);
        }
        assertEquals(-1f, min);
        assertEquals(1f, max);
    }

    @Test
    void oneHotSumsToOneAndRejectsClassesOutsideK() throws IOException {
        int k = 5, n = 30;
        int[] cls = new int[n];
        for (int i = 0; i < n; i++) cls[i] = (i * 7) % k;
        float[] dst = new float[k * n + 3];
        java.util.Arrays.fill(dst, 9f);
        Transforms.oneHot(cls, 0, n, k, dst, 0, "s");
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int c = 0; c < k; c++) sum += dst[c * n + i];
            assertEquals(1f, sum);
            assertEquals(1f, dst[cls[i] * n + i]);
        }
        assertEquals(9f, dst[k * n]); // nothing written past the planes
        cls[4] = 5;
        IOException e = assertThrows(IOException.class, () -> Transforms.oneHot(cls, 0, n, k, dst, 0, "aachen_000001"));
        assertEquals("sample aachen_000001: class 5 at pixel 4 is outside the label space 0..4", e.getMessage());
        cls[4] = -2;
        e = assertThrows(IOException.class, () -> Transforms.oneHot(cls, 0, n, k, dst, 0, "aachen_000001"));
        assertEquals("sample aachen_000001: class -2 at pixel 4 is outside the label space 0..4", e.getMessage());
    }

    @Test
    void anUnlabelledPixelHasAnAllZeroRow() throws IOException {
        int k = 3, n = 4;
        int[] cls = {2, org.sbgan.trainer.data.Sample.UNLABELLED, 0, 1};
        float[] dst = new float[k * n];
        java.util.Arrays.fill(dst, 9f);
        Transforms.oneHot(cls, 0, n, k, dst, 0, "s");
        assertArrayEquals(new float[] {0, 0, 1, 0, /**/ 0, 0, 0, 1, /**/ 1, 0, 0, 0}, dst);
    }

    @Test
    void sameSeedEpochIndexGivesSamePlanOthersDiffer() {
        Transforms t = Transforms.training(16, 16);
        assertEquals(t.plan(30, 90, 5, 2, 11), t.plan(30, 90, 5, 2, 11));
        Set<Transforms.Plan> plans = new HashSet<>();
        for (int s = 0; s < 20; s++) plans.add(t.plan(30, 90, s, 2, 11));
        assertTrue(plans.size() > 5);
    }
}
