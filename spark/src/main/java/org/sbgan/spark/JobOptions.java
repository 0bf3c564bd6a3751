package org.sbgan.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * What one generation job makes: scenes {@code 0..count-1} of {@code seed} from the bundle at {@code model}, written to
 * {@code out} (both any Hadoop file-system URI: a local path, hdfs://, s3a://, ...).
 *
 * @param model          the model bundle's folder
 * @param count          candidate scene indices 0..count-1
 * @param seed           the seed; scene i of it is {@code sbgan-cli generate}'s scene i
 * @param out            the output folder
 * @param format         Parquet rows, or the Cityscapes tree {@code generate} writes
 * @param partitions     Spark partitions (tasks); 0 = the session's default parallelism
 * @param batch          scenes per ONNX Runtime run inside a task; bounds memory, does not change the scenes
 * @param threads        ONNX Runtime intra-op threads per task (Spark already runs one task per core)
 * @param colorMaps      whether Parquet rows carry the colour label map's PNG too
 * @param minClassPixels {@code CLASS=FRACTION} rules a kept scene meets (generate's --min-class-pixels)
 */
public record JobOptions(String model, long count, long seed, String out, Format format, int partitions, int batch, int threads,
        boolean colorMaps, List<String> minClassPixels) implements Serializable {
    public enum Format {
        PARQUET, CITYSCAPES;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public JobOptions {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("--model is required");
        if (out == null || out.isBlank()) throw new IllegalArgumentException("--out is required");
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, not " + count);
        if (partitions < 0) throw new IllegalArgumentException("--partitions must be at least 1, not " + partitions);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, not " + batch);
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, not " + threads);
        if (format == null) format = Format.PARQUET;
        minClassPixels = minClassPixels == null ? List.of() : List.copyOf(minClassPixels);
    }

    /** Defaults for the rest: Parquet, the session's parallelism, batch 16, 1 thread, no colour maps, no filter. */
    public static JobOptions of(String model, long count, long seed, String out) {
        return new JobOptions(model, count, seed, out, Format.PARQUET, 0, 16, 1, false, List.of());
    }

    public JobOptions withFormat(Format f) {
        return new JobOptions(model, count, seed, out, f, partitions, batch, threads, colorMaps, minClassPixels);
    }

    public JobOptions withPartitions(int p) {
        return new JobOptions(model, count, seed, out, format, p, batch, threads, colorMaps, minClassPixels);
    }

    public JobOptions withOut(String o) {
        return new JobOptions(model, count, seed, o, format, partitions, batch, threads, colorMaps, minClassPixels);
    }

    public JobOptions withMinClassPixels(List<String> rules) {
        return new JobOptions(model, count, seed, out, format, partitions, batch, threads, colorMaps, rules);
    }

    public JobOptions withColorMaps(boolean c) {
        return new JobOptions(model, count, seed, out, format, partitions, batch, threads, c, minClassPixels);
    }
}
