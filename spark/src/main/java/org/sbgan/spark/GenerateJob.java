package org.sbgan.spark;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sbgan.runtime.Messages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The job's command line: {@code spark-submit --class org.sbgan.spark.GenerateJob sbgan-spark.jar --model URI --count N
 * --seed S --out URI}. The master, executors and memory are spark-submit's business.
 */
@Command(name = "sbgan-spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Labelled scenes from a model bundle on a Spark cluster: scene i of seed S is sbgan-cli generate's scene i, whatever "
                + "the partitioning or task retries. Parquet (one row per scene) or the Cityscapes tree generate writes."})
public final class GenerateJob implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "URI", description = "Model bundle folder (any Hadoop file-system URI).")
    String model;

    @Option(names = "--count", required = true, paramLabel = "N", description = "Scene indices 0..N-1 (candidates, with --min-class-pixels).")
    long count;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Output folder (any Hadoop file-system URI).")
    String out;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|cityscapes",
            description = "parquet (one row per scene: index, seed, width, height, image/labels[/color] PNG bytes, class_pixels, model) or "
                    + "cityscapes (generate's tree, model.json beside it) (default: ${DEFAULT-VALUE}).")
    JobOptions.Format format;

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "P", description = "Tasks (default: the cluster's default parallelism).")
    int partitions;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "Scenes per ONNX Runtime run in a task (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "T",
            description = "ONNX Runtime threads per task; Spark already runs one task per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--color-maps", description = "Parquet rows also carry the colour label map's PNG.")
    boolean colorMaps;

    @Option(names = "--min-class-pixels", paramLabel = "CLASS=FRACTION",
            description = "Keep only scenes whose label map has at least this fraction of CLASS (repeatable; e.g. vehicle=0.01).")
    List<String> minClassPixels;

    @Override
    public Integer call() throws Exception {
        JobOptions o;
        try {
            o = new JobOptions(model, count, seed, out, format, partitions, batch, threads, colorMaps, minClassPixels);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        SparkSession spark = SparkSession.builder().appName("sbgan generate " + count + " scenes").getOrCreate();
        try {
            SceneJob.Result r = SceneJob.run(spark, o);
            if (r.examined() == 0 && r.present() > 0) {
                System.out.printf(Locale.ROOT, "%s is complete already: %d scenes%n", r.out(), r.present());
            } else {
                System.out.printf(Locale.ROOT, "%d scenes written to %s (%s) in %.1f s (%.1f scenes/s)%s%s%n", r.kept(), r.out(), o.format().id(), r.seconds(),
                        r.examined() / Math.max(r.seconds(), 1e-9), r.present() > 0 ? ", " + r.present() + " were there already" : "",
                        o.minClassPixels().isEmpty() ? "" : String.format(Locale.ROOT, "; kept %d of %d (%.1f %%) with %s", r.kept(), r.examined(),
                                100.0 * r.kept() / Math.max(1, r.examined()), String.join(", ", o.minClassPixels())));
            }
            return 0;
        } catch (SceneJob.JobException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("error: " + Messages.oneLine(e));
            return 1;
        } finally {
            spark.stop();
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GenerateJob()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
