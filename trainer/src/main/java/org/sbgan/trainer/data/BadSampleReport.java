package org.sbgan.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The samples a {@link BadSamplePolicy#SKIP} source left out, with the reason for each: problems found when
 * the dataset was scanned (unpaired files) and when a sample was decoded (corrupt, truncated, size mismatch,
 * label values outside the space). Thread-safe; meant for a run log:
 *
 * <pre>{@code
 * log.info(source.report().summary());
 * source.report().lines().forEach(log::info);
 * }</pre>
 */
public final class BadSampleReport {
    /** When a problem was found. */
    public enum Stage { SCAN, LOAD }

    /** One skipped file. */
    public record Skipped(Stage stage, Path file, String problem) {
        /** {@code <file>: <problem>}. */
        public String line() {
            return file + ": " + problem;
        }
    }

    private final List<Skipped> entries = new ArrayList<>();

    synchronized void add(Stage stage, Path file, String problem) {
        entries.add(new Skipped(stage, file, problem));
    }

    /** Number of samples skipped so far. */
    public synchronized int count() {
        return entries.size();
    }

    public synchronized int count(Stage stage) {
        return (int) entries.stream().filter(e -> e.stage() == stage).count();
    }

    /** The skipped files in the order they were found. */
    public synchronized List<Skipped> entries() {
        return List.copyOf(entries);
    }

    /** One {@code <file>: <problem>} line per skipped file. */
    public synchronized List<String> lines() {
        return entries.stream().map(Skipped::line).toList();
    }

    /** E.g. "skipped 3 bad samples (1 at scan, 2 at load)" or "no bad samples". */
    public synchronized String summary() {
        if (entries.isEmpty()) return "no bad samples";
        return "skipped " + entries.size() + " bad sample" + (entries.size() == 1 ? "" : "s")
            + " (" + count(Stage.SCAN) + " at scan, " + count(Stage.LOAD) + " at load)";
    }

    @Override
    public String toString() {
        return summary();
    }
}
