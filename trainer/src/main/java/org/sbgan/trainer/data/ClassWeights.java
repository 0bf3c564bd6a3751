package org.sbgan.trainer.data;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a per-pixel classification loss weights classes: equally, or by median-frequency balancing of the training
 * pixels (Eigen and Fergus), so that rare classes (people, poles) count as much as the frequent ones. Used by the
 * segmenter's training and by the segmenter loss of G_img.
 */
public enum ClassWeights {
    NONE, BALANCED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The weights over {@code data}'s label maps (k classes), or null for NONE (equal weights). */
    public float[] of(SampleSource data, int k) throws IOException {
        return this == NONE ? null : medianFrequency(data, k);
    }

    /**
     * w_c = median of the present classes' pixel frequencies / f_c, clipped to [0.1, 10]; a class with no pixels gets 1
     * (it never enters the loss).
     */
    static float[] medianFrequency(SampleSource data, int k) throws IOException {
        long[] counts = new long[k];
        for (int i = 0; i < data.size(); i++) {
            Sample s = data.load(i);
            for (int c : s.classes()) counts[c]++;
        }
        long total = 0;
        int present = 0;
        for (long c : counts) {
            total += c;
            if (c > 0) present++;
        }
        double[] freq = new double[present];
        for (int c = 0, j = 0; c < k; c++) if (counts[c] > 0) freq[j++] = (double) counts[c] / total;
        Arrays.sort(freq);
        double median = present % 2 == 1 ? freq[present / 2] : (freq[present / 2 - 1] + freq[present / 2]) / 2;
        float[] w = new float[k];
        for (int c = 0; c < k; c++) {
            w[c] = counts[c] == 0 ? 1f : (float) Math.min(10, Math.max(0.1, median / ((double) counts[c] / total)));
        }
        return w;
    }
}
