package org.sbgan.runtime.labels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.sbgan.runtime.Classes;

/**
 * A set of K semantic classes (names and an RGB palette) and the lookup from the raw values stored in a
 * dataset's label maps to class indices {@code 0..K-1}.
 *
 * <p>Raw values are the unsigned samples of 8- or 16-bit label images, {@code 0..65535}. A raw value the
 * space does not map is <em>invalid</em>: {@link #classOf} returns {@link #INVALID} for it, and a dataset
 * reader rejects a label map containing it. "Ignore" or "unknown" pixels are never invalid in the built-in
 * spaces: they map to an ordinary class (Cityscapes 255 → "unknown" / "don't care" / "void").
 *
 * <p>Immutable and thread-safe. Built-in spaces are in {@link LabelSpaces}; user spaces come from
 * {@link LabelMappingFile}.
 */
public final class LabelSpace {
    /** {@link #classOf} for a raw value the space does not map. */
    public static final int INVALID = -1;
    /** The largest raw value a label map can hold (16-bit). */
    public static final int MAX_RAW = 65535;

    private final String name;
    private final List<String> classNames;
    private final int[] palette;
    /** raw value → class index, or INVALID; length = largest mapped raw value + 1. */
    private final int[] lookup;
    private final int defaultClass;

    private LabelSpace(String name, List<String> classNames, int[] palette, int[] lookup, int defaultClass) {
        this.name = name;
        this.classNames = classNames;
        this.palette = palette;
        this.lookup = lookup;
        this.defaultClass = defaultClass;
    }

    /** The space's name, e.g. {@code cityscapes-35}. */
    public String name() {
        return name;
    }

    /** K, the number of classes. */
    public int numClasses() {
        return classNames.size();
    }

    public List<String> classNames() {
        return classNames;
    }

    public String className(int index) {
        return classNames.get(index);
    }

    /** The class with this name (case-insensitive), or -1. */
    public int indexOf(String className) {
        return Classes.indexOf(classNames, className);
    }

    /** The colour of a class as {@code 0xRRGGBB}. */
    public int color(int index) {
        Objects.checkIndex(index, palette.length);
        return palette[index];
    }

    /** A copy of the palette, one {@code 0xRRGGBB} per class. */
    public int[] palette() {
        return palette.clone();
    }

    /** The class index of a raw label value, or {@link #INVALID}. */
    public int classOf(int raw) {
        if (raw < 0 || raw > MAX_RAW) return INVALID;
        int c = raw < lookup.length ? lookup[raw] : INVALID;
        return c != INVALID ? c : defaultClass;
    }

    /**
     * The raw value that stands for a class when label files are written (the smallest one mapped to it, e.g.
     * road's 7 for Cityscapes' "flat" category); a class reached only through the catch-all gets the smallest raw
     * value not mapped explicitly; a class with no raw value at all, its index.
     */
    public int rawValueOf(int index) {
        Objects.checkIndex(index, palette.length);
        for (int r = 0; r < lookup.length; r++) if (lookup[r] == index) return r;
        if (index == defaultClass) {
            for (int r = 0; r <= MAX_RAW; r++) if (r >= lookup.length || lookup[r] == INVALID) return r;
        }
        return index;
    }

    public boolean isValid(int raw) {
        return classOf(raw) != INVALID;
    }

    /**
     * Maps raw values to class indices (a new array); invalid values become {@link #INVALID}. Puts the number
     * of invalid values in {@code invalidCount[0]} when {@code invalidCount} is non-null.
     */
    public int[] map(int[] raw, int[] invalidCount) {
        int[] out = new int[raw.length];
        int bad = 0;
        for (int i = 0; i < raw.length; i++) {
            int c = classOf(raw[i]);
            out[i] = c;
            if (c == INVALID) bad++;
        }
        if (invalidCount != null) invalidCount[0] = bad;
        return out;
    }

    /** The sorted distinct raw values in {@code raw} that this space does not map (at most {@code limit}). */
    public int[] invalidValues(int[] raw, int limit) {
        return Arrays.stream(raw).filter(v -> !isValid(v)).distinct().sorted().limit(limit).toArray();
    }

    /** Whether the two spaces have the same classes (names and colours), whatever their raw lookups. */
    public boolean sameClassesAs(LabelSpace other) {
        return classNames.equals(other.classNames) && Arrays.equals(palette, other.palette);
    }

    @Override
    public String toString() {
        return name + " (K=" + numClasses() + ")";
    }

    /** "#rrggbb". */
    public static String hex(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
    }

    public static int rgb(int r, int g, int b) {
        if ((r | g | b) < 0 || r > 255 || g > 255 || b > 255) throw new IllegalArgumentException("colour " + r + "," + g + "," + b + " is outside 0..255");
        return (r << 16) | (g << 8) | b;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a space: classes in index order, then the raw → class mappings. Checks are IllegalArgumentExceptions. */
    public static final class Builder {
        private final String name;
        private final List<String> names = new ArrayList<>();
        private final List<Integer> colors = new ArrayList<>();
        private final int[] lookup = new int[MAX_RAW + 1];
        private int maxRaw = -1;
        private int defaultClass = INVALID;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name);
            Arrays.fill(lookup, INVALID);
        }

        /** Adds the next class (index = number of classes added before). */
        public Builder addClass(String className, int rgb) {
            if (className == null || className.isBlank()) throw new IllegalArgumentException("class " + names.size() + " has no name");
            names.add(className.strip());
            colors.add(rgb & 0xFFFFFF);
            return this;
        }

        public int numClasses() {
            return names.size();
        }

        /** Maps a raw label value to a class. */
        public Builder map(int raw, int classIndex) {
            if (raw < 0 || raw > MAX_RAW) throw new IllegalArgumentException("raw label value " + raw + " is outside 0.." + MAX_RAW);
            if (lookup[raw] != INVALID) throw new IllegalArgumentException("raw label value " + raw + " is mapped twice");
            lookup[raw] = classIndex;
            maxRaw = Math.max(maxRaw, raw);
            return this;
        }

        /** Maps every raw value not mapped explicitly to this class (otherwise such values are invalid). */
        public Builder mapOthers(int classIndex) {
            defaultClass = classIndex;
            return this;
        }

        public LabelSpace build() {
            int k = names.size();
            if (k == 0) throw new IllegalArgumentException("label space '" + name + "' has no classes");
            for (int i = 0; i <= maxRaw; i++) {
                if (lookup[i] != INVALID && (lookup[i] < 0 || lookup[i] >= k)) {
                    throw new IllegalArgumentException("raw label value " + i + " maps to class " + lookup[i] + ", outside 0.." + (k - 1));
                }
            }
            if (defaultClass != INVALID && (defaultClass < 0 || defaultClass >= k)) {
                throw new IllegalArgumentException("unmapped values map to class " + defaultClass + ", outside 0.." + (k - 1));
            }
            if (maxRaw < 0 && defaultClass == INVALID) throw new IllegalArgumentException("label space '" + name + "' maps no raw values");
            int[] table = Arrays.copyOf(lookup, maxRaw + 1);
            int[] palette = colors.stream().mapToInt(Integer::intValue).toArray();
            return new LabelSpace(name, Collections.unmodifiableList(new ArrayList<>(names)), palette, table, defaultClass);
        }
    }
}
