package org.sbgan.runtime;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Process {@code index} of {@code count} that split one index range between them with no coordination (a
 * Kubernetes indexed job, a Slurm array): each takes a contiguous slice, and the slices of {@code 0/N … N-1/N}
 * cover the range exactly once. Written {@code K/N}, K counted from 0.
 *
 * @param index K, 0..count-1
 * @param count N, at least 1
 */
public record Shard(int index, int count) {
    /** The whole range: 0/1. */
    public static final Shard ALL = new Shard(0, 1);

    private static final Pattern FORM = Pattern.compile("\\s*(-?\\d+)\\s*/\\s*(-?\\d+)\\s*");

    public Shard {
        if (count < 1) throw new IllegalArgumentException("shard " + index + "/" + count + ": N must be at least 1");
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + ": K must be 0.." + (count - 1) + " (counted from 0)");
        }
    }

    /** {@code K/N}, e.g. {@code 0/4} … {@code 3/4}; one-line IllegalArgumentException otherwise. */
    public static Shard parse(String s) {
        Matcher m = FORM.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("shard '" + s + "' is not K/N (process K of N, K from 0, e.g. 0/4)");
        try {
            return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shard '" + s + "': K and N must be below 2^31");
        }
    }

    /** Whether this is the whole range (0/1). */
    public boolean all() {
        return count == 1;
    }

    /** The first index of this slice of {@code 0..total-1}: floor(total · K / N). */
    public long from(long total) {
        return at(total, index);
    }

    /** One past the last index of this slice: floor(total · (K + 1) / N); equal to {@link #from} for an empty slice. */
    public long to(long total) {
        return at(total, index + 1L);
    }

    /** floor(total · k / N) without overflow: total = qN + r, so it is qk + floor(rk / N), and rk &lt; 2^62. */
    private long at(long total, long k) {
        if (total < 0) throw new IllegalArgumentException("total must not be negative, got " + total);
        return total / count * k + total % count * k / count;
    }

    /** {@code K/N}, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return index + "/" + count;
    }
}
