package org.sbgan.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.trainer.data.loader.Batch;
import org.sbgan.trainer.data.loader.BatchLoader;
import org.sbgan.trainer.data.loader.Transforms;

/**
 * Throughput of the data path: a {@link BatchLoader} over any {@link SampleSource} with the training
 * transforms, consumed by a loop that copies each batch into step-input-sized direct buffers (what a training
 * step does with {@link Batch#copyTo}) and releases it. Nothing else runs, so the consumer waits on the
 * producer and the interval between batches is the loader's time per batch.
 */
public final class DataBench {
    private DataBench() {}

    /**
     * The forward of one N8 C64→64 64×64 3×3 convolution (2.4 GFLOP) through the StepRunner, median ms, from
     * docs/BENCHMARKS.md ("bench conv", stride 1): the unit a training step is compared with.
     */
    public static final double CONV_FORWARD_MS = 7.01;
    /** The same convolution's backward (dX + dW), median ms, from the same run. */
    public static final double CONV_BACKWARD_MS = 17.29;

    public record Options(String preset, int height, int width, int numClasses, int batchSize, int warmup, int batches,
                          int workers, int prefetch, long seed) {}

    public record Result(Options options, String source, int sourceHeight, int sourceWidth, double batchesPerSecond,
                         double medianMsPerBatch, double medianPrepareMs, double medianCopyMs, double medianWaitMs) {
        public double ratioToConvForward() {
            return medianMsPerBatch / CONV_FORWARD_MS;
        }
    }

    /** Runs the bench; {@code progress} gets a line before the timed loop. */
    public static Result run(SampleSource source, Options o, Consumer<String> progress) throws IOException, InterruptedException {
        Sample first = source.load(0);
        BatchLoader.Config cfg = new BatchLoader.Config(o.batchSize(), Transforms.training(o.height(), o.width()),
                BatchLoader.Content.BOTH, o.numClasses(), o.seed(), true, o.prefetch(), o.workers());
        FloatBuffer labelsIn = Batch.direct(o.batchSize() * o.numClasses() * o.height() * o.width());
        FloatBuffer imagesIn = Batch.direct(o.batchSize() * 3 * o.height() * o.width());
        double[] interval = new double[o.batches()], prepare = new double[o.batches()], copy = new double[o.batches()],
                wait = new double[o.batches()];
        long start;
        try (BatchLoader loader = new BatchLoader(source, cfg)) {
            for (int i = 0; i < o.warmup(); i++) {
                try (Batch b = loader.take()) {
                    b.copyLabelsTo(labelsIn);
                    b.copyImagesTo(imagesIn);
                }
            }
            progress.accept(String.format(Locale.ROOT, "timing %d batches of %d×%d, K=%d, N=%d from %s", o.batches(),
                    o.height(), o.width(), o.numClasses(), o.batchSize(), source.describe()));
            start = System.nanoTime();
            long prev = start;
            for (int i = 0; i < o.batches(); i++) {
                long t0 = System.nanoTime();
                Batch b = loader.take();
                long t1 = System.nanoTime();
                b.copyLabelsTo(labelsIn);
                b.copyImagesTo(imagesIn);
                long t2 = System.nanoTime();
                prepare[i] = b.prepareNanos() / 1e6;
                b.release();
                wait[i] = (t1 - t0) / 1e6;
                copy[i] = (t2 - t1) / 1e6;
                interval[i] = (t2 - prev) / 1e6;
                prev = t2;
            }
            double total = (prev - start) / 1e9;
            return new Result(o, source.describe(), first.height(), first.width(), o.batches() / total, median(interval),
                    median(prepare), median(copy), median(wait));
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    public static String table(Result r) {
        Options o = r.options();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "bench data, preset %s: batches of N=%d, labels one-hot [%d,%d,%d,%d] + images [%d,3,%d,%d]%n",
                o.preset(), o.batchSize(), o.batchSize(), o.numClasses(), o.height(), o.width(), o.batchSize(), o.height(), o.width()));
        sb.append(String.format(Locale.ROOT, "  source: %s (samples %d×%d), %d timed batches after %d warm-up, %d worker(s), prefetch %d%n",
                r.source(), r.sourceHeight(), r.sourceWidth(), o.batches(), o.warmup(), o.workers(), o.prefetch()));
        sb.append(String.format(Locale.ROOT, "  throughput        %10.1f batches/s%n", r.batchesPerSecond()));
        sb.append(String.format(Locale.ROOT, "  ms/batch (median) %10.3f  (interval between batches as seen by the consumer)%n", r.medianMsPerBatch()));
        sb.append(String.format(Locale.ROOT, "  prepare (median)  %10.3f ms  (producer: load + transforms + one-hot into the batch)%n", r.medianPrepareMs()));
        sb.append(String.format(Locale.ROOT, "  copy (median)     %10.3f ms  (consumer: batch into step-input buffers)%n", r.medianCopyMs()));
        sb.append(String.format(Locale.ROOT, "  wait (median)     %10.3f ms  (consumer blocked in take)%n", r.medianWaitMs()));
        sb.append(String.format(Locale.ROOT, "  vs one 2.4-GFLOP conv forward (%.2f ms, docs/BENCHMARKS.md): %.1f%% of it; "
                        + "vs that conv's forward + backward (%.2f ms): %.1f%%%n",
                CONV_FORWARD_MS, 100 * r.ratioToConvForward(), CONV_FORWARD_MS + CONV_BACKWARD_MS,
                100 * r.medianMsPerBatch() / (CONV_FORWARD_MS + CONV_BACKWARD_MS)));
        return sb.toString();
    }

    public static String json(Result r) {
        Options o = r.options();
        ObjectNode root = new ObjectMapper().createObjectNode().put("preset", o.preset()).put("height", o.height())
                .put("width", o.width()).put("numClasses", o.numClasses()).put("batchSize", o.batchSize())
                .put("warmup", o.warmup()).put("batches", o.batches()).put("workers", o.workers()).put("prefetch", o.prefetch())
                .put("source", r.source()).put("sourceHeight", r.sourceHeight()).put("sourceWidth", r.sourceWidth())
                .put("batchesPerSecond", r.batchesPerSecond()).put("medianMsPerBatch", r.medianMsPerBatch())
                .put("medianPrepareMs", r.medianPrepareMs()).put("medianCopyMs", r.medianCopyMs())
                .put("medianWaitMs", r.medianWaitMs()).put("convForwardMs", CONV_FORWARD_MS)
                .put("ratioToConvForward", r.ratioToConvForward());
        return root.toString();
    }

    /**
     * An in-memory source of {@code count} street-scene-sized samples: a label map of random axis-aligned
     * blocks over a sky/road layout with classes {@code 0..k-1}, and a smooth image with per-class colours plus
     * noise, in [0, 1]. Generated once; {@code load} returns the stored sample (no decoding).
     */
    public static SampleSource synthetic(int count, int height, int width, int k, long seed) {
        Sample[] samples = new Sample[count];
        for (int i = 0; i < count; i++) samples[i] = syntheticSample(i, height, width, k, Transforms.rng(seed, 0, i));
        return SampleSource.of("synthetic in-memory (" + count + " samples)", samples);
    }

    private static Sample syntheticSample(int id, int h, int w, int k, SplittableRandom r) {
        int[] cls = new int[h * w];
        for (int y = 0; y < h; y++) {
            int c = y < h / 3 ? Math.min(5, k - 1) : y > 2 * h / 3 ? Math.min(1, k - 1) : Math.min(2, k - 1);
            Arrays.fill(cls, y * w, (y + 1) * w, c);
        }
        for (int b = 0; b < 12; b++) {
            int bh = 1 + r.nextInt(Math.max(1, h / 3)), bw = 1 + r.nextInt(Math.max(1, w / 4));
            int y0 = r.nextInt(h - bh + 1), x0 = r.nextInt(w - bw + 1), c = r.nextInt(k);
            for (int y = y0; y < y0 + bh; y++) Arrays.fill(cls, y * w + x0, y * w + x0 + bw, c);
        }
        float[] rgb = new float[3 * h * w];
        for (int ch = 0; ch < 3; ch++) {
            for (int p = 0; p < h * w; p++) {
                float base = ((cls[p] * 37 + ch * 91) % 100) / 100f;
                rgb[ch * h * w + p] = Math.max(0f, Math.min(1f, base + 0.1f * (r.nextFloat() - 0.5f)));
            }
        }
        return new Sample("synthetic_" + id, h, w, cls, rgb);
    }
}
