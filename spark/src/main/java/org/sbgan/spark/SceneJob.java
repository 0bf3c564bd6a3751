package org.sbgan.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.sbgan.runtime.IndexRun;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.SceneFilter;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.bundle.ModelBundle;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.write.ContactSheet;
import org.sbgan.runtime.write.ScenePngs;

/**
 * Labelled scenes on Spark. The driver checks the bundle and the output before any task runs (one line each); every
 * task makes the scenes of its slice of the index range, so any partitioning and any retry of a task give the same
 * scenes. Parquet goes through Spark's writer and its commit protocol (a failed job leaves nothing that looks
 * finished; a rerun rewrites it whole); the Cityscapes tree is written scene by scene, each file atomically, and a rerun
 * skips finished scenes like {@code sbgan-cli generate}.
 */
public final class SceneJob {
    /** The marker a finished Parquet output carries: which job wrote it. */
    static final String MARKER = "_sbgan.json";
    /** What Spark's Parquet writer, its commit protocol and this job leave in an output folder, a killed run's temporaries included. */
    private static final Pattern SPARK_OUTPUT = Pattern.compile("\\..*\\.tmp|\\.*(part-.*|_SUCCESS(\\.crc)?|_temporary|_sbgan\\.json(\\.crc)?|_sbgan_probe\\..*|\\._SUCCESS\\.crc)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SceneJob() {}

    /**
     * What a job did.
     *
     * @param examined candidate indices generated in this run
     * @param kept     scenes in the output that this run wrote (after the filter)
     * @param present  scenes that were already there (a rerun), not generated again
     * @param seconds  wall time of the tasks
     */
    public record Result(long examined, long kept, long present, double seconds, String out) {}

    /** Checks, then runs the job; prints nothing. */
    public static Result run(SparkSession spark, JobOptions o) throws IOException {
        Plan plan = plan(spark, o);
        return o.format() == JobOptions.Format.PARQUET ? parquet(spark, plan, rows(spark, plan)) : cityscapes(spark, plan);
    }

    /**
     * The driver's checks, before any task: the bundle is readable and is a model bundle, the filter names its classes,
     * the output can be written and holds nothing this job would destroy.
     */
    static Plan plan(SparkSession spark, JobOptions o) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        java.nio.file.Path local;
        ModelBundle bundle;
        try {
            FileSystem mfs = new Path(o.model()).getFileSystem(conf);
            if (!mfs.exists(new Path(o.model()))) throw new IOException("no such folder");
            if (!mfs.exists(new Path(o.model(), "model.json"))) throw new IOException("no model.json: not a model bundle (train's RUN/model or export's folder)");
            local = HadoopFiles.local(o.model(), conf);
            bundle = ModelBundle.read(local);
        } catch (IOException | RuntimeException e) {
            throw new JobException("--model " + o.model() + ": " + Messages.oneLine(e), e);
        }
        try {
            SceneFilter.parse(o.minClassPixels(), bundle.classes());
        } catch (IllegalArgumentException e) {
            throw new JobException("--min-class-pixels: " + e.getMessage(), e);
        }
        Plan plan = new Plan(o, HadoopFiles.identity(local), HadoopFiles.Conf.of(conf));
        try {
            Generators.get(plan, bundle); // opens its networks: a bundle ONNX Runtime cannot run fails here, not in every task
        } catch (RuntimeException e) {
            throw new JobException("--model " + o.model() + ": " + Messages.oneLine(e), e);
        }
        checkOut(plan, conf);
        return plan;
    }

    /** The output is writable, and a folder that is there already holds only what this job writes there. */
    private static void checkOut(Plan plan, Configuration conf) {
        JobOptions o = plan.options();
        Path out = new Path(o.out());
        try {
            FileSystem fs = HadoopFiles.fs(out, conf);
            if (fs.exists(out)) {
                FileStatus st = fs.getFileStatus(out);
                if (!st.isDirectory()) throw new IOException("exists and is not a folder");
                if (o.format() == JobOptions.Format.PARQUET) {
                    List<String> foreign = new ArrayList<>();
                    for (FileStatus f : fs.listStatus(out)) if (!SPARK_OUTPUT.matcher(f.getPath().getName()).matches()) foreign.add(f.getPath().getName());
                    if (!foreign.isEmpty()) {
                        throw new IOException("holds files this job did not write (" + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                                + (foreign.size() > 3 ? ", …" : "") + "); choose an empty or new folder");
                    }
                    Path marker = new Path(out, MARKER);
                    if (fs.exists(marker)) {
                        JsonNode there = JSON.readTree(HadoopFiles.read(fs, marker));
                        if (!there.equals(JSON.readTree(JSON.writeValueAsBytes(marker(plan))))) {
                            throw new IOException("holds the scenes of another job (seed " + there.path("seed").asText() + ", " + there.path("count").asText()
                                    + " scenes, model " + there.path("model").asText().substring(0, Math.min(12, there.path("model").asText().length()))
                                    + "…); choose another folder");
                        }
                    }
                } else {
                    Path modelJson = new Path(out, "model.json");
                    if (fs.exists(modelJson) && !JSON.readTree(HadoopFiles.read(fs, modelJson)).equals(bundleJson(plan, conf))) {
                        throw new IOException("holds scenes of another model (its model.json differs); choose another folder");
                    }
                }
            }
            fs.mkdirs(out);
            Path probe = new Path(out, "._sbgan_probe." + java.util.UUID.randomUUID()); // a killed driver may leave it; a rerun ignores it
            HadoopFiles.writeAtomically(fs, probe, new byte[0]);
            fs.delete(probe, false);
        } catch (IOException | RuntimeException e) {
            throw new JobException("--out " + o.out() + ": " + Messages.oneLine(e), e);
        }
    }

    /** What the Parquet marker records: the bundle, the scenes, the row options. */
    static ObjectNode marker(Plan plan) {
        JobOptions o = plan.options();
        ObjectNode m = JSON.createObjectNode().put("format", o.format().id()).put("model", plan.identity()).put("seed", o.seed()).put("count", o.count())
                .put("color_maps", o.colorMaps());
        o.minClassPixels().forEach(m.putArray("min_class_pixels")::add);
        return m;
    }

    private static JsonNode bundleJson(Plan plan, Configuration conf) throws IOException {
        Path p = new Path(plan.options().model(), "model.json");
        return JSON.readTree(HadoopFiles.read(p.getFileSystem(conf), p));
    }

    /** The rows of the kept scenes, one task per partition of the index range. */
    static Dataset<Row> rows(SparkSession spark, Plan plan) {
        JobOptions o = plan.options();
        int parts = o.partitions() > 0 ? o.partitions() : spark.sparkContext().defaultParallelism();
        Dataset<Long> indices = spark.range(0, o.count(), 1, parts);
        return indices.mapPartitions((MapPartitionsFunction<Long, Row>) it -> SceneRows.partition(it, plan), Encoders.row(SceneRows.SCHEMA));
    }

    /** Writes {@code rows} as the job's Parquet output, unless a finished output of this same job is there. */
    static Result parquet(SparkSession spark, Plan plan, Dataset<Row> rows) throws IOException {
        Configuration conf = plan.conf().get();
        Path out = new Path(plan.options().out());
        FileSystem fs = HadoopFiles.fs(out, conf);
        Path marker = new Path(out, MARKER);
        if (fs.exists(marker) && fs.exists(new Path(out, "_SUCCESS"))) {
            long n = spark.read().parquet(plan.options().out()).count();
            return new Result(0, 0, n, 0, plan.options().out());
        }
        long t0 = System.nanoTime();
        rows.write().mode(SaveMode.Overwrite).parquet(plan.options().out());
        double s = (System.nanoTime() - t0) / 1e9;
        HadoopFiles.writeAtomically(fs, marker, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(marker(plan)));
        long kept = spark.read().parquet(plan.options().out()).count();
        return new Result(plan.options().count(), kept, 0, s, plan.options().out());
    }

    /** Writes the Cityscapes tree of generate --format cityscapes, model.json beside it, skipping finished scenes. */
    static Result cityscapes(SparkSession spark, Plan plan) throws IOException {
        JobOptions o = plan.options();
        Configuration conf = plan.conf().get();
        Path out = new Path(o.out());
        FileSystem fs = HadoopFiles.fs(out, conf);
        Path modelJson = new Path(out, "model.json");
        if (!fs.exists(modelJson)) {
            HadoopFiles.writeAtomically(fs, modelJson, HadoopFiles.read(new Path(o.model()).getFileSystem(conf), new Path(o.model(), "model.json")));
        }
        LongAccumulator examined = spark.sparkContext().longAccumulator("scenes examined");
        LongAccumulator kept = spark.sparkContext().longAccumulator("scenes written");
        LongAccumulator present = spark.sparkContext().longAccumulator("scenes already there");
        int parts = o.partitions() > 0 ? o.partitions() : spark.sparkContext().defaultParallelism();
        // A first run asks the file system nothing per scene (an object store answers every question over the network).
        String image = SceneRows.PNGS.names(0).get(0);
        boolean fresh = !fs.exists(new Path(out, image.substring(0, image.indexOf('/'))));
        long t0 = System.nanoTime();
        spark.range(0, o.count(), 1, parts).foreachPartition((ForeachPartitionFunction<Long>) it -> writePartition(it, plan, fresh, examined, kept, present));
        double s = (System.nanoTime() - t0) / 1e9;
        writeContactSheet(plan, fs, out);
        return new Result(examined.value(), kept.value(), present.value(), s, o.out());
    }

    private static void writePartition(java.util.Iterator<Long> it, Plan plan, boolean fresh, LongAccumulator examined, LongAccumulator kept,
            LongAccumulator present) throws IOException {
        JobOptions o = plan.options();
        FileSystem fs = HadoopFiles.fs(new Path(o.out()), plan.conf().get());
        SceneGenerator gen = Generators.get(plan);
        SceneFilter filter = SceneFilter.parse(o.minClassPixels(), gen.classes());
        ScenePngs pngs = SceneRows.PNGS;
        List<Long> todo = new ArrayList<>();
        while (it.hasNext() || !todo.isEmpty()) {
            if (it.hasNext()) {
                long i = it.next();
                if (!fresh && pngs.complete(i, name -> fs.exists(new Path(o.out(), name)))) present.add(1);
                else todo.add(i);
                if (todo.size() < o.batch() && it.hasNext()) continue;
            }
            for (IndexRun run : IndexRun.of(todo)) {
                examined.add(run.length());
                for (Scene scene : gen.scenes(o.seed(), run.from(), (int) run.length(), filter::keeps)) {
                    List<String> names = pngs.names(scene.index());
                    List<byte[]> bytes = pngs.encode(scene);
                    for (int f = 0; f < names.size(); f++) HadoopFiles.writeAtomically(fs, new Path(o.out(), names.get(f)), bytes.get(f));
                    kept.add(1);
                }
            }
            todo.clear();
        }
    }

    /** generate's contact sheet (the same scenes: {@link ContactSheet#firstScenes}). */
    private static void writeContactSheet(Plan plan, FileSystem fs, Path out) throws IOException {
        JobOptions o = plan.options();
        SceneGenerator gen = Generators.get(plan);
        List<Scene> first = ContactSheet.firstScenes(gen, o.seed(), o.count(), SceneFilter.parse(o.minClassPixels(), gen.classes()));
        if (!first.isEmpty()) {
            HadoopFiles.writeAtomically(fs, new Path(out, "contact_sheet.png"), Images.pngRgb(ContactSheet.of(first, ContactSheet.COLUMNS)));
        }
    }

    /** A problem found before any task ran: one line naming the option and the problem. */
    public static final class JobException extends RuntimeException {
        JobException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
