package org.sbgan.trainer.segmenter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Pixel counts of (true class, predicted class) over label maps, and the segmentation scores read off them: per-class
 * IoU = TP / (TP + FP + FN), mean IoU over the classes that occur (in the truth or the prediction; a class absent from
 * both has no IoU and is left out, as in Cityscapes' and torchmetrics' convention) and pixel accuracy.
 */
public final class ConfusionMatrix {
    private final int k;
    private final long[] counts;

    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1) throw new IllegalArgumentException("need at least one class, not " + numClasses);
        this.k = numClasses;
        this.counts = new long[numClasses * numClasses];
    }

    public int numClasses() {
        return k;
    }

    /** Adds maps of class indices (the same length; any number of maps laid end to end). */
    public ConfusionMatrix add(int[] truth, int[] predicted) {
        return add(truth, 0, predicted, 0, truth.length);
    }

    /** Adds {@code n} pixels: truth from {@code truthAt}, predictions from {@code predAt}. */
    public ConfusionMatrix add(int[] truth, int truthAt, int[] predicted, int predAt, int n) {
        for (int i = 0; i < n; i++) {
            int t = truth[truthAt + i], p = predicted[predAt + i];
            if (t < 0 || t >= k || p < 0 || p >= k) throw new IllegalArgumentException("class index out of range 0.." + (k - 1) + ": truth " + t + ", predicted " + p);
            counts[t * k + p]++;
        }
        return this;
    }

    /** Pixels of true class t predicted as p. */
    public long count(int t, int p) {
        return counts[t * k + p];
    }

    public long total() {
        long s = 0;
        for (long c : counts) s += c;
        return s;
    }

    /** IoU of class c, or NaN when the class occurs neither in the truth nor in the prediction. */
    public double iou(int c) {
        long tp = count(c, c), fp = 0, fn = 0;
        for (int o = 0; o < k; o++) {
            if (o == c) continue;
            fp += count(o, c);
            fn += count(c, o);
        }
        long union = tp + fp + fn;
        return union == 0 ? Double.NaN : (double) tp / union;
    }

    /** Mean of the defined per-class IoUs (NaN when there are no pixels at all). */
    public double meanIou() {
        double s = 0;
        int n = 0;
        for (int c = 0; c < k; c++) {
            double v = iou(c);
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Share of pixels whose predicted class is the true one. */
    public double pixelAccuracy() {
        long hit = 0;
        for (int c = 0; c < k; c++) hit += count(c, c);
        long t = total();
        return t == 0 ? Double.NaN : (double) hit / t;
    }

    /** {"miou", "pixel_accuracy", "iou": {class: value|null}, "confusion": [[...]] (rows: truth)}. */
    public ObjectNode toJson(List<String> classNames) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("miou", meanIou());
        o.put("pixel_accuracy", pixelAccuracy());
        ObjectNode iou = o.putObject("iou");
        for (int c = 0; c < k; c++) {
            double v = iou(c);
            if (Double.isNaN(v)) iou.putNull(classNames.get(c));
            else iou.put(classNames.get(c), v);
        }
        ArrayNode rows = o.putArray("confusion");
        for (int t = 0; t < k; t++) {
            ArrayNode r = rows.addArray();
            for (int p = 0; p < k; p++) r.add(count(t, p));
        }
        return o;
    }
}
