package org.sbgan.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The K classes of a model: names, palette colours ({@code 0xRRGGBB}) and the raw label id written for each
 * class in Cityscapes-layout label files. Shared by every {@link LabelMap} and {@link Scene} of a model, so
 * scenes carry their meaning without copying it. Immutable.
 */
public final class Classes {
    /** The largest raw label id: label files are at most 16-bit. */
    public static final int MAX_LABEL_ID = 65535;

    private final List<String> names;
    private final int[] palette;
    private final int[] labelIds;

    /**
     * @param labelIds the raw id of each class, 0..65535 (label files are 8- or 16-bit), or {@code null} for
     *     "the class index", as bundles written before label ids existed mean
     */
    public Classes(List<String> names, int[] palette, int[] labelIds) {
        int k = names.size();
        if (k < 2) throw new IllegalArgumentException("a model needs at least 2 classes, got " + k);
        if (palette.length != k) throw new IllegalArgumentException("palette has " + palette.length + " colours for " + k + " classes");
        int[] ids = labelIds == null ? indices(k) : labelIds.clone();
        if (ids.length != k) throw new IllegalArgumentException("label_ids has " + ids.length + " entries for " + k + " classes");
        for (int c = 0; c < k; c++) {
            if (ids[c] < 0 || ids[c] > MAX_LABEL_ID) {
                throw new IllegalArgumentException("label id " + ids[c] + " of class " + c + " is outside 0.." + MAX_LABEL_ID);
            }
            Objects.requireNonNull(names.get(c), "class name");
        }
        this.names = List.copyOf(names);
        this.palette = palette.clone();
        for (int c = 0; c < k; c++) this.palette[c] &= 0xFFFFFF;
        this.labelIds = ids;
    }

    private static int[] indices(int k) {
        int[] ids = new int[k];
        Arrays.setAll(ids, i -> i);
        return ids;
    }

    /** K. */
    public int count() {
        return names.size();
    }

    public List<String> names() {
        return names;
    }

    public String name(int c) {
        return names.get(c);
    }

    /** The class named {@code name} (case-insensitive), or -1. */
    public int indexOf(String name) {
        return indexOf(names, name);
    }

    /** The index of {@code name} in {@code names}, compared as class names are (case-insensitive), or -1. */
    public static int indexOf(List<String> names, String name) {
        for (int c = 0; c < names.size(); c++) {
            if (names.get(c).equalsIgnoreCase(name)) return c;
        }
        return -1;
    }

    /** The colour of class {@code c}, {@code 0xRRGGBB}. */
    public int color(int c) {
        return palette[Objects.checkIndex(c, palette.length)];
    }

    /** The raw label id of class {@code c}. */
    public int labelId(int c) {
        return labelIds[Objects.checkIndex(c, labelIds.length)];
    }

    public int[] palette() {
        return palette.clone();
    }

    public int[] labelIds() {
        return labelIds.clone();
    }

    /** The largest raw label id of any class: above 255, label ids need 16-bit files. */
    public int maxLabelId() {
        int max = 0;
        for (int id : labelIds) max = Math.max(max, id);
        return max;
    }

    /** The class whose raw label id is {@code id}, or -1 (the first one if two classes share an id). */
    public int classOfLabelId(int id) {
        for (int c = 0; c < labelIds.length; c++) {
            if (labelIds[c] == id) return c;
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Classes c && names.equals(c.names) && Arrays.equals(palette, c.palette) && Arrays.equals(labelIds, c.labelIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, Arrays.hashCode(palette), Arrays.hashCode(labelIds));
    }

    @Override
    public String toString() {
        return "Classes" + names;
    }
}
