package org.sbgan.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Consecutive scene indices {@code from .. from+length-1}. A generator makes one network run per run of indices, so
 * whoever hands it indices with gaps (finished scenes skipped on a rerun, a partition's slice) groups them first.
 *
 * @param from   the first index
 * @param length how many, at least 1
 */
public record IndexRun(long from, long length) {
    public IndexRun {
        if (from < 0 || length < 1) throw new IllegalArgumentException("index run " + from + "+" + length + ": needs from ≥ 0 and length ≥ 1");
    }

    /** One past the last index. */
    public long end() {
        return from + length;
    }

    /** The runs of the indices {@code ascending} (strictly increasing), in order. */
    public static List<IndexRun> of(List<Long> ascending) {
        List<IndexRun> runs = new ArrayList<>();
        for (int a = 0; a < ascending.size(); ) {
            int b = a + 1;
            while (b < ascending.size() && ascending.get(b) == ascending.get(b - 1) + 1) b++;
            runs.add(new IndexRun(ascending.get(a), b - a));
            a = b;
        }
        return runs;
    }

    /** The runs of the indices in {@code from..to-1} that {@code test} accepts, in order. */
    public static List<IndexRun> where(long from, long to, LongPredicate test) {
        List<IndexRun> runs = new ArrayList<>();
        long start = -1;
        for (long i = from; i < to; i++) {
            boolean in = test.test(i);
            if (in && start < 0) start = i;
            if (!in && start >= 0) {
                runs.add(new IndexRun(start, i - start));
                start = -1;
            }
        }
        if (start >= 0) runs.add(new IndexRun(start, to - start));
        return runs;
    }
}
