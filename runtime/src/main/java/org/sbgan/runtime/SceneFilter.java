package org.sbgan.runtime;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which generated scenes to keep: every rule "class c covers at least this fraction of the label map's pixels" must
 * hold. It only reads the label map, so a generator can reject a candidate before painting its image
 * ({@link SceneGenerator#scenes(long, long, int, Predicate)}).
 *
 * <p>Filtering keeps a subset of candidate indices, never renumbers them: a kept scene is written under its own
 * index, the same files as without a filter, so a filtered set is deterministic per (seed, index) and any split of the
 * index range (shards, Spark partitions) filters to the same scenes.
 *
 * @param rules all must hold; none keeps every scene
 */
public record SceneFilter(List<Rule> rules) implements Predicate<Scene> {
    /**
     * Class {@code classIndex} ({@code className}) covers at least {@code fraction} × width × height pixels.
     *
     * @param fraction in (0, 1]
     */
    public record Rule(int classIndex, String className, double fraction) {
        public Rule {
            if (classIndex < 0) throw new IllegalArgumentException("class index must not be negative, got " + classIndex);
            if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
        }

        boolean holds(long[] pixelCounts, long pixels) {
            return pixelCounts[classIndex] >= fraction * pixels;
        }

        /** e.g. "vehicle ≥ 1 %". */
        public String describe() {
            BigDecimal pct = BigDecimal.valueOf(fraction * 100).round(new MathContext(6)).stripTrailingZeros();
            return className + " ≥ " + pct.toPlainString() + " %";
        }
    }

    /** Keeps every scene. */
    public static final SceneFilter NONE = new SceneFilter(List.of());

    public SceneFilter {
        rules = List.copyOf(rules);
    }

    /**
     * Rules written {@code CLASS=FRACTION}, FRACTION in (0, 1] or a percentage ({@code vehicle=0.01},
     * {@code vehicle=1%}), CLASS one of {@code classes}' names in any case.
     *
     * @throws IllegalArgumentException one line naming the bad spec (an unknown class: with the model's class names)
     */
    public static SceneFilter parse(List<String> specs, Classes classes) {
        List<Rule> rules = new ArrayList<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("'" + spec + "' is not CLASS=FRACTION (e.g. vehicle=0.01 or vehicle=1%)");
            String name = spec.substring(0, eq).strip(), value = spec.substring(eq + 1).strip();
            int c = classes.indexOf(name);
            if (c < 0) {
                throw new IllegalArgumentException("'" + spec + "': the model has no class '" + name + "' (it has " + String.join(", ", classes.names()) + ")");
            }
            double f = fraction(spec, value);
            if (rules.stream().anyMatch(r -> r.classIndex() == c)) throw new IllegalArgumentException("'" + spec + "': " + classes.name(c) + " is given twice");
            rules.add(new Rule(c, classes.name(c), f));
        }
        return new SceneFilter(rules);
    }

    private static double fraction(String spec, String value) {
        boolean percent = value.endsWith("%");
        String number = percent ? value.substring(0, value.length() - 1).strip() : value;
        double f;
        try {
            f = Double.parseDouble(number) / (percent ? 100 : 1);
        } catch (NumberFormatException e) {
            f = Double.NaN;
        }
        if (!(f > 0 && f <= 1)) {
            throw new IllegalArgumentException("'" + spec + "': FRACTION must be in (0, 1] or a percentage in (0, 100] %, not '" + value + "'");
        }
        return f;
    }

    /** Whether this filter keeps everything (no rules). */
    public boolean keepsAll() {
        return rules.isEmpty();
    }

    /** Whether a scene with this label map passes every rule. */
    public boolean keeps(LabelMap labels) {
        if (rules.isEmpty()) return true;
        long[] n = labels.classPixelCounts();
        long pixels = (long) labels.width() * labels.height();
        for (Rule r : rules) {
            if (r.classIndex() >= n.length) throw new IllegalArgumentException("rule on " + r.className() + " (class " + r.classIndex()
                    + ") for a label map of " + n.length + " classes");
            if (!r.holds(n, pixels)) return false;
        }
        return true;
    }

    @Override
    public boolean test(Scene scene) {
        return keeps(scene.labels());
    }

    /** The rules for people, e.g. "vehicle ≥ 1 % and human ≥ 0.5 %"; "every scene" without rules. */
    public String describe() {
        return rules.isEmpty() ? "every scene" : rules.stream().map(Rule::describe).collect(Collectors.joining(" and "));
    }

    @Override
    public String toString() {
        return "SceneFilter[" + describe() + "]";
    }
}
