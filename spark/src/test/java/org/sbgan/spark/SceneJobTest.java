package org.sbgan.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.models.Preset;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.SceneFilter;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.runtime.write.ContactSheet;
import org.sbgan.runtime.write.SceneWriter;
import org.sbgan.trainer.train.BundleWriter;
import picocli.CommandLine;

/** The job on a real Spark in local mode (2 cores, up to 4 attempts per task), with a real (untrained) tiny bundle. */
class SceneJobTest {
    static final int COUNT = 200;
    static final long SEED = 5;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path model;
    /** Scene i's image and label-map PNGs as generate writes them (SceneWriter, batch 16). */
    static Map<Long, List<byte[]>> generated = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2,4]").appName("sbgan-test").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "localhost").config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        model = tmp.resolve("model");
        BundleWriter.writeInitial(model, Preset.TINY, 1, LabelSpaces.cityscapesCategories());
        Path ref = tmp.resolve("generate");
        SceneWriter w = SceneWriter.cityscapes(ref);
        try (SceneGenerator gen = SceneGenerator.open(model, SceneGenerator.Options.defaults().withThreads(2))) {
            gen.generate(COUNT, SEED, s -> {
                try {
                    List<Path> files = w.write(s);
                    generated.put(s.index(), List.of(Files.readAllBytes(files.get(0)), Files.readAllBytes(files.get(1)), Files.readAllBytes(files.get(2))));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static JobOptions options(String out) {
        return JobOptions.of(model.toString(), COUNT, SEED, out);
    }

    static TreeMap<Long, Row> read(Path out) {
        TreeMap<Long, Row> rows = new TreeMap<>();
        for (Row r : spark.read().parquet(out.toString()).collectAsList()) assertNull(rows.put(r.getLong(0), r), "index " + r.getLong(0) + " twice");
        return rows;
    }

    @Test
    void anyPartitioningGivesGeneratesScenesByteForByte() throws Exception {
        TreeMap<Long, Row> first = null;
        for (int p : new int[] {1, 3, 7}) {
            Path out = tmp.resolve("p" + p);
            SceneJob.Result r = SceneJob.run(spark, options(out.toString()).withPartitions(p).withColorMaps(true));
            assertEquals(COUNT, r.kept());
            assertEquals(p, Files.list(out).filter(f -> f.getFileName().toString().endsWith(".parquet")).count(), "one file per task");
            TreeMap<Long, Row> rows = read(out);
            assertEquals(COUNT, rows.size());
            assertEquals(0L, rows.firstKey());
            assertEquals(COUNT - 1L, rows.lastKey());
            for (Row row : rows.values()) {
                List<byte[]> g = generated.get(row.getLong(0));
                assertEquals(SEED, row.getLong(1));
                assertArrayEquals(g.get(0), (byte[]) row.get(4), "image of scene " + row.getLong(0));
                assertArrayEquals(g.get(1), (byte[]) row.get(5), "labels of scene " + row.getLong(0));
                assertArrayEquals(g.get(2), (byte[]) row.get(6), "colours of scene " + row.getLong(0));
                Map<String, Long> px = row.getJavaMap(7);
                assertEquals(java.util.Set.of("void", "flat", "construction", "object", "nature", "sky", "human", "vehicle"), px.keySet());
                assertEquals(32L * 64, px.values().stream().mapToLong(Long::longValue).sum());
            }
            if (first != null) {
                for (long i = 0; i < COUNT; i++) assertEquals(first.get(i), rows.get(i), "row " + i + " with " + p + " partitions");
            }
            first = rows;
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheOutputHoldsEverySceneOnce() throws Exception {
        Path out = tmp.resolve("retried");
        AtomicInteger failedTasks = new AtomicInteger();
        SparkListener l = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (!e.taskInfo().successful()) failedTasks.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(l);
        try {
            Plan plan = SceneJob.plan(spark, options(out.toString()).withPartitions(3));
            Dataset<Row> rows = SceneJob.rows(spark, plan);
            Dataset<Row> flaky = rows.map((MapFunction<Row, Row>) r -> {
                TaskContext t = TaskContext.get();
                if (t.partitionId() == 1 && t.attemptNumber() == 0 && r.getLong(0) % 66 == 10) throw new IllegalStateException("injected failure");
                return r;
            }, Encoders.row(SceneRows.SCHEMA));
            SceneJob.Result r = SceneJob.parquet(spark, plan, flaky);
            assertEquals(COUNT, r.kept());
        } finally {
            spark.sparkContext().removeSparkListener(l);
        }
        assertTrue(failedTasks.get() >= 1, "a task failed and was retried");
        TreeMap<Long, Row> rows = read(out);
        assertEquals(COUNT, rows.size());
        for (Row row : rows.values()) assertArrayEquals(generated.get(row.getLong(0)).get(0), (byte[]) row.get(4));
    }

    @Test
    void theParquetReadsBackWithAPlainParquetReader() throws Exception {
        Path out = tmp.resolve("plain");
        SceneJob.run(spark, options(out.toString()).withPartitions(2));
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
        }
        int n = 0;
        for (Path f : files) {
            try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(f.toUri())).withConf(new Configuration())
                    .build()) {
                for (Group g; (g = r.read()) != null; n++) {
                    long index = g.getLong("index", 0);
                    byte[] image = g.getBinary("image", 0).getBytes();
                    assertArrayEquals(generated.get(index).get(0), image);
                    var img = ImageIO.read(new ByteArrayInputStream(image));
                    assertEquals(64, img.getWidth());
                    assertEquals(32, img.getHeight());
                    assertEquals(0, g.getFieldRepetitionCount("color"), "no colour maps unless asked");
                }
            }
        }
        assertEquals(COUNT, n);
        assertTrue(Files.readString(out.resolve(SceneJob.MARKER)).contains("\"count\" : " + COUNT));

        // a rerun of the finished job finds it complete; another seed into the same folder is refused
        SceneJob.Result again = SceneJob.run(spark, options(out.toString()).withPartitions(2));
        assertEquals(0, again.examined());
        assertEquals(COUNT, again.present());
        var e = assertThrows(SceneJob.JobException.class,
                () -> SceneJob.run(spark, new JobOptions(model.toString(), COUNT, SEED + 1, out.toString(), null, 2, 16, 1, false, null)));
        assertTrue(e.getMessage().startsWith("--out " + out + ": holds the scenes of another job"), e.getMessage());
    }

    @Test
    void aRerunAfterAFailedParquetJobWritesItWhole() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("half"));
        // what a job killed mid-write leaves: Spark's staging folder and a truncated part file, no _SUCCESS, no marker
        Files.createDirectories(out.resolve("_temporary/0/task_1"));
        Files.writeString(out.resolve("part-00000-dead.snappy.parquet"), "PAR1 truncated");
        Files.writeString(out.resolve("._sbgan_probe.1234"), "");           // the driver's write check, killed
        Files.writeString(out.resolve("._sbgan.json.5678.tmp"), "{");       // the marker, killed while written
        SceneJob.Result r = SceneJob.run(spark, options(out.toString()).withPartitions(2));
        assertEquals(COUNT, r.kept());
        assertEquals(COUNT, read(out).size());
        assertFalse(Files.exists(out.resolve("part-00000-dead.snappy.parquet")), "the partial file is replaced");
    }

    @Test
    void aMissingBundleOrAnUnwritableOutputIsOneLineBeforeAnyTask() throws Exception {
        AtomicInteger jobs = new AtomicInteger();
        SparkListener l = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart e) {
                jobs.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(l);
        try {
            Path out = tmp.resolve("never");
            var missing = assertThrows(SceneJob.JobException.class,
                    () -> SceneJob.run(spark, JobOptions.of(tmp.resolve("nope").toString(), 10, 1, out.toString())));
            assertTrue(missing.getMessage().startsWith("--model " + tmp.resolve("nope") + ": no such folder"), missing.getMessage());
            assertFalse(Files.exists(out), "nothing written");

            Path file = Files.writeString(tmp.resolve("a-file"), "x");
            for (Path bad : new Path[] {file, file.resolve("below")}) {
                var unwritable = assertThrows(SceneJob.JobException.class, () -> SceneJob.run(spark, options(bad.toString())));
                assertTrue(unwritable.getMessage().startsWith("--out " + bad + ": "), unwritable.getMessage());
                assertEquals(1, unwritable.getMessage().lines().count());
            }
            Path foreign = Files.createDirectories(tmp.resolve("foreign"));
            Files.writeString(foreign.resolve("notes.txt"), "mine");
            var refused = assertThrows(SceneJob.JobException.class, () -> SceneJob.run(spark, options(foreign.toString())));
            assertTrue(refused.getMessage().contains("notes.txt"), refused.getMessage());
            assertEquals("mine", Files.readString(foreign.resolve("notes.txt")), "never loses data");

            var badFilter = assertThrows(SceneJob.JobException.class,
                    () -> SceneJob.run(spark, options(tmp.resolve("f").toString()).withMinClassPixels(List.of("people=0.1"))));
            assertTrue(badFilter.getMessage().startsWith("--min-class-pixels"), badFilter.getMessage());
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(l);
        }
        assertEquals(0, jobs.get(), "no Spark job started");
        assertEquals(2, new CommandLine(new GenerateJob()).execute("--model", model.toString(), "--count", "0", "--out", tmp.resolve("z").toString()));
    }

    @Test
    void theCityscapesTreeIsGeneratesAndARerunCompletesIt() throws Exception {
        int count = 40;
        Path out = tmp.resolve("tree"), ref = tmp.resolve("tree-ref");
        JobOptions o = new JobOptions(model.toString(), count, SEED, out.toString(), JobOptions.Format.CITYSCAPES, 3, 8, 1, false, null);
        SceneJob.Result r = SceneJob.run(spark, o);
        assertEquals(count, r.kept());
        SceneWriter w = SceneWriter.cityscapes(ref);
        try (SceneGenerator gen = SceneGenerator.open(model, SceneGenerator.Options.defaults())) {
            for (Scene s : gen.generate(count, SEED)) w.write(s);
            ContactSheet.write(ref.resolve("contact_sheet.png"), gen.generate(16, SEED), 4);
        }
        Files.copy(model.resolve("model.json"), ref.resolve("model.json"));
        assertEquals(tree(ref), tree(out));

        // a partial output (two scenes' files gone) is completed by a rerun
        Path img3 = out.resolve(SceneRows.PNGS.names(3).get(0)), lbl17 = out.resolve(SceneRows.PNGS.names(17).get(1));
        Files.delete(img3);
        Files.delete(lbl17);
        SceneJob.Result again = SceneJob.run(spark, o);
        assertEquals(2, again.kept());
        assertEquals(count - 2, again.present());
        assertEquals(tree(ref), tree(out));
    }

    @Test
    void theClassFilterKeepsWhatGeneratesFilterKeeps() throws Exception {
        Path out = tmp.resolve("filtered");
        List<Scene> all;
        try (SceneGenerator gen = SceneGenerator.open(model, SceneGenerator.Options.defaults())) {
            all = gen.generate(COUNT, SEED);
        }
        // a rule that keeps about half of these (untrained) scenes: a class's median share, where that is not 0
        String rule = null;
        double threshold = 0;
        for (int c = 0; c < 8 && rule == null; c++) {
            final int k = c;
            double[] f = all.stream().mapToDouble(sc -> sc.labels().classPixelCounts()[k] / (32.0 * 64)).sorted().toArray();
            if (f[COUNT / 2] > 0 && f[COUNT / 2] < f[COUNT - 1]) {
                threshold = f[COUNT / 2];
                rule = all.get(0).labels().classes().name(c) + "=" + threshold;
            }
        }
        assertNotNull(rule, "some class varies between scenes");
        SceneJob.Result r = SceneJob.run(spark, options(out.toString()).withPartitions(3).withMinClassPixels(List.of(rule)));
        TreeMap<Long, Row> rows = read(out);
        SceneFilter f = SceneFilter.parse(List.of(rule), all.get(0).labels().classes());
        List<Long> kept = new ArrayList<>();
        for (Scene s : all) if (f.test(s)) kept.add(s.index());
        assertEquals(kept, new ArrayList<>(rows.keySet()));
        assertTrue(kept.size() > 0 && kept.size() < COUNT, rule + " keeps some and drops some: " + kept.size());
        assertEquals(rows.size(), r.kept());
        String name = rule.substring(0, rule.indexOf('='));
        for (Row row : rows.values()) {
            assertTrue(row.<String, Long>getJavaMap(7).get(name) >= threshold * 32 * 64, "row " + row.getLong(0));
            assertArrayEquals(generated.get(row.getLong(0)).get(0), (byte[]) row.get(4), "a kept scene is the unfiltered scene");
        }
    }

    /** Every file under {@code root} (relative name → bytes as a list, for equality). */
    static Map<String, List<Byte>> tree(Path root) throws IOException {
        Map<String, List<Byte>> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                Byte[] boxed = new Byte[b.length];
                Arrays.setAll(boxed, i -> b[i]);
                m.put(root.relativize(p).toString(), Arrays.asList(boxed));
            }
        }
        return m;
    }
}
