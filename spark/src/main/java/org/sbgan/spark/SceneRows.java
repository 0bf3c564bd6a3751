package org.sbgan.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sbgan.runtime.IndexRun;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.SceneFilter;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.write.ScenePngs;
import org.sbgan.runtime.write.SceneWriter;

/**
 * The Parquet rows: one per kept scene, its files as {@code generate --format cityscapes} writes them (PNG bytes; the
 * label map holds the label space's raw ids), so any Parquet reader gets the images without our code.
 */
final class SceneRows {
    private SceneRows() {}

    static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.LongType, false)
            .add("seed", DataTypes.LongType, false)
            .add("width", DataTypes.IntegerType, false)
            .add("height", DataTypes.IntegerType, false)
            .add("image", DataTypes.BinaryType, false)
            .add("labels", DataTypes.BinaryType, false)
            .add("color", DataTypes.BinaryType, true)
            .add("class_pixels", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType, false), false)
            .add("model", DataTypes.StringType, false);

    static final ScenePngs PNGS = ScenePngs.of(SceneWriter.Format.CITYSCAPES);

    static Row row(Scene s, Plan plan) throws IOException {
        List<byte[]> png = PNGS.encode(s);
        long[] counts = s.labels().classPixelCounts();
        Map<String, Object> pixels = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) pixels.put(s.labels().classes().name(c), counts[c]);
        return RowFactory.create(s.index(), s.seed(), s.width(), s.height(), png.get(0), png.get(1), plan.options().colorMaps() ? png.get(2) : null,
                scala.jdk.javaapi.CollectionConverters.asScala(pixels), plan.identity());
    }

    /**
     * The kept scenes of a partition's indices, made {@link JobOptions#batch} at a time as the writer pulls them, so a
     * partition of any size needs memory for one batch.
     */
    static Iterator<Row> partition(Iterator<Long> indices, Plan plan) {
        SceneGenerator gen = Generators.get(plan);
        SceneFilter filter = SceneFilter.parse(plan.options().minClassPixels(), gen.classes());
        int b = plan.options().batch();
        long seed = plan.options().seed();
        return new Iterator<>() {
            private final List<Row> ready = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                while (next == ready.size() && indices.hasNext()) fill();
                return next < ready.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.get(next++);
            }

            /** The next batch of indices, one network run per run of consecutive ones (Spark's range partitions are). */
            private void fill() {
                ready.clear();
                next = 0;
                List<Long> batch = new ArrayList<>(b);
                while (batch.size() < b && indices.hasNext()) batch.add(indices.next());
                for (IndexRun run : IndexRun.of(batch)) emit(run.from(), (int) run.length());
            }

            private void emit(long from, int n) {
                for (Scene s : gen.scenes(seed, from, n, filter::keeps)) {
                    try {
                        ready.add(row(s, plan));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        };
    }
}
