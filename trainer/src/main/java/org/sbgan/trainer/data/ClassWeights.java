package org.sbgan.trainer.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.sbgan.runtime.labels.LabelSpace;

/**
 * How a per-pixel classification loss weights classes: equally ({@code none}), by median-frequency balancing of the
 * training pixels ({@code balanced}, Eigen and Fergus), so that rare classes (people, poles) count as much as the
 * frequent ones, or by weights given per class name ({@code human=3,vehicle=2}; the others 1). Used by the
 * segmenter's training and by the segmenter loss of G_img.
 *
 * @param balanced whether the weights are median-frequency balanced
 * @param given    weights by class name, in the order given (empty unless explicit)
 */
public record ClassWeights(boolean balanced, Map<String, Float> given) {
    public static final ClassWeights NONE = new ClassWeights(false, Map.of());
    public static final ClassWeights BALANCED = new ClassWeights(true, Map.of());

    public ClassWeights {
        if (balanced && !given.isEmpty()) throw new IllegalArgumentException("class weights are balanced or given, not both");
        given = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(given));
    }

    /** {@code none}, {@code balanced}, or {@code CLASS=W[,CLASS=W...]} with each W > 0 (config files record this form). */
    @JsonCreator
    public static ClassWeights parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("none")) return NONE;
        if (v.equals("balanced")) return BALANCED;
        Map<String, Float> w = new LinkedHashMap<>();
        for (String part : v.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("class weights: expected none, balanced or CLASS=W[,CLASS=W...], not '" + s + "'");
            String name = part.substring(0, eq).trim();
            float x;
            try {
                x = Float.parseFloat(part.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("class weights: '" + part + "' has no number after '='");
            }
            if (!(x > 0) || !Float.isFinite(x)) throw new IllegalArgumentException("class weights: the weight of " + name + " must be > 0, not " + x);
            if (w.put(name, x) != null) throw new IllegalArgumentException("class weights: " + name + " given twice");
        }
        return new ClassWeights(false, w);
    }

    /** The form {@link #parse} reads: none, balanced, or the given weights. */
    @JsonValue
    public String id() {
        if (balanced) return "balanced";
        if (given.isEmpty()) return "none";
        return given.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return id();
    }

    /** Whether every class weighs the same (no weights need computing). */
    public boolean equal() {
        return !balanced && given.isEmpty();
    }

    /** Given weights naming a class that {@code space} lacks: one line naming it and the classes there are. */
    public void check(LabelSpace space) {
        for (String name : given.keySet()) {
            if (space.indexOf(name) < 0) {
                throw new IllegalArgumentException("class weights: label space " + space.name() + " has no class '" + name + "' (it has "
                        + String.join(", ", space.classNames()) + ")");
            }
        }
    }

    /**
     * The weights over the classes of {@code space}, or null when all are equal; {@code data}'s label maps are read only
     * for balanced weights.
     */
    public float[] of(SampleSource data, LabelSpace space) throws IOException {
        if (equal()) return null;
        if (balanced) return medianFrequency(data, space.numClasses());
        check(space);
        float[] w = new float[space.numClasses()];
        Arrays.fill(w, 1f);
        given.forEach((name, x) -> w[space.indexOf(name)] = x);
        return w;
    }

    /**
     * w_c = median of the present classes' pixel frequencies / f_c, clipped to [0.1, 10]; a class with no pixels gets 1
     * (it never enters the loss). Unlabelled pixels are not counted.
     */
    static float[] medianFrequency(SampleSource data, int k) throws IOException {
        long[] counts = new long[k];
        for (int i = 0; i < data.size(); i++) {
            Sample s = data.load(i);
            for (int c : s.classes()) if (c != Sample.UNLABELLED) counts[c]++;
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
