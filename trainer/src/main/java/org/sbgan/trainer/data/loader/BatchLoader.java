package org.sbgan.trainer.data.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;

/**
 * Prepares training batches ahead of the consumer on a background thread.
 *
 * <p>The stream is endless: epoch after epoch, each a permutation of the source (shuffled from (seed, epoch)
 * when {@link Config#shuffle}), cut into {@code size / batchSize} full batches (a last partial batch is
 * dropped, so every batch has the step graph's fixed shape). A source smaller than one batch is not refused:
 * its epochs are laid end to end and each batch takes the next {@code batchSize} of them ({@link #wraps()}), so
 * every sample is used, and a batch holds repeats from neighbouring epochs. Each sample goes through {@link Transforms} with
 * its own generator from (seed, epoch, sample index), so the same seed gives the same batches in the same
 * order whatever the thread timing or the number of workers.
 *
 * <p>A fixed set of {@code prefetch + 1} {@link Batch}es is allocated once (direct, native-order buffers) and
 * recycled: the producer fills free batches into a queue, {@link #take()} hands the next one over (blocking
 * only if the producer is behind), and {@link Batch#release()} returns it. With {@code workers > 1} the
 * samples of a batch are prepared in parallel by a small pool, each written to its fixed slot.
 *
 * <p>A failure in the producer (an IOException from {@link SampleSource#load}, a class outside the label
 * space, a sample without the needed labels or image) is rethrown by the next {@link #take()}, and by every
 * one after it: the original exception object, so its one-line message is unchanged. {@link #close()} stops
 * the producer promptly, also while it waits for a free batch or inside an interruptible {@code load}.
 */
public final class BatchLoader implements AutoCloseable {
    /** What each batch carries. */
    public enum Content {
        LABELS(true, false), IMAGES(false, true), BOTH(true, true);

        final boolean labels, images;

        Content(boolean labels, boolean images) {
            this.labels = labels;
            this.images = images;
        }
    }

    /**
     * Loader settings.
     *
     * @param numClasses K of the label space (ignored for {@link Content#IMAGES})
     * @param prefetch   batches prepared ahead (the queue bound), at least 1
     * @param workers    threads preparing the samples of one batch, at least 1 (1 = the producer thread alone)
     */
    public record Config(int batchSize, Transforms transforms, Content content, int numClasses, long seed, boolean shuffle,
                         int prefetch, int workers, long start) {
        public Config {
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
            if (transforms == null || content == null) throw new IllegalArgumentException("transforms and content are required");
            if (content.labels && numClasses < 1) throw new IllegalArgumentException("labels need K ≥ 1, not " + numClasses);
            if (prefetch < 1) throw new IllegalArgumentException("prefetch must be at least 1, not " + prefetch);
            if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, not " + workers);
            if (start < 0) throw new IllegalArgumentException("start must be >= 0, not " + start);
        }

        public Config(int batchSize, Transforms transforms, Content content, int numClasses, long seed, boolean shuffle,
                      int prefetch, int workers) {
            this(batchSize, transforms, content, numClasses, seed, shuffle, prefetch, workers, 0);
        }

        /** Shuffled, 3 batches ahead, one producer thread. */
        public static Config of(int batchSize, Transforms transforms, Content content, int numClasses, long seed) {
            return new Config(batchSize, transforms, content, numClasses, seed, true, 3, 1);
        }

        public Config withShuffle(boolean s) {
            return new Config(batchSize, transforms, content, numClasses, seed, s, prefetch, workers, start);
        }

        public Config withPrefetch(int p) {
            return new Config(batchSize, transforms, content, numClasses, seed, shuffle, p, workers, start);
        }

        public Config withWorkers(int w) {
            return new Config(batchSize, transforms, content, numClasses, seed, shuffle, prefetch, w, start);
        }

        /**
         * Starts at batch number {@code seq} of the infinite, deterministic stream (epoch seq / batchesPerEpoch),
         * so that a resumed run sees exactly the batches an uninterrupted one would.
         */
        public Config withStart(long seq) {
            return new Config(batchSize, transforms, content, numClasses, seed, shuffle, prefetch, workers, seq);
        }

        public Config withSeed(long s) {
            return new Config(batchSize, transforms, content, numClasses, s, shuffle, prefetch, workers, start);
        }
    }

    private record Failure(Throwable error) {}

    private static final Object CLOSED = new Object();

    private final SampleSource source;
    private final Config cfg;
    private final int sourceSize, batchesPerEpoch, pixels;
    private final boolean wraps;
    private final List<Batch> all = new ArrayList<>();
    private final ArrayBlockingQueue<Batch> free;
    private final LinkedBlockingQueue<Object> ready = new LinkedBlockingQueue<>();
    private final AtomicInteger held = new AtomicInteger();
    private final ThreadLocal<float[]> scratch;
    private final ExecutorService pool;
    private final Thread producer;
    private volatile boolean closed;
    private Throwable failure;

    public BatchLoader(SampleSource source, Config cfg) {
        this.source = source;
        this.cfg = cfg;
        this.sourceSize = source.size();
        if (sourceSize < 1) throw new IllegalArgumentException(source.describe() + " has no samples");
        this.wraps = sourceSize < cfg.batchSize();
        this.batchesPerEpoch = Math.max(1, sourceSize / cfg.batchSize());
        Transforms t = cfg.transforms();
        this.pixels = t.height() * t.width();
        int k = cfg.content().labels ? cfg.numClasses() : 0;
        int scratchFloats = Math.max(k * pixels, cfg.content().images ? 3 * pixels : 0);
        this.scratch = ThreadLocal.withInitial(() -> new float[scratchFloats]);
        int n = cfg.prefetch() + 1;
        this.free = new ArrayBlockingQueue<>(n);
        for (int i = 0; i < n; i++) {
            Batch b = new Batch(this, cfg.batchSize(), k, t.height(), t.width(), cfg.content().labels, cfg.content().images);
            all.add(b);
            free.add(b);
        }
        this.pool = cfg.workers() > 1 ? Executors.newFixedThreadPool(cfg.workers(), r -> {
            Thread th = new Thread(r, "sbgan-batch-worker");
            th.setDaemon(true);
            return th;
        }) : null;
        this.producer = new Thread(this::produce, "sbgan-batch-loader");
        producer.setDaemon(true);
        producer.start();
    }

    /** Full batches per epoch; 1 when the source is smaller than a batch (then an epoch is less than a batch). */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Whether the source has fewer samples than a batch, so that batches run across epoch boundaries. */
    public boolean wraps() {
        return wraps;
    }

    public Config config() {
        return cfg;
    }

    /** Number of recycled batches ({@code prefetch + 1}); the consumer may hold at most this many at once. */
    public int buffers() {
        return all.size();
    }

    /**
     * The next batch, blocking until the producer has it. Rethrows a producer failure; fails with
     * IllegalStateException after {@link #close()} or if the consumer already holds every batch.
     */
    public Batch take() throws IOException, InterruptedException {
        if (closed) throw new IllegalStateException("batch loader for " + source.describe() + " is closed");
        if (failure != null) rethrow(failure);
        if (held.get() >= all.size()) {
            throw new IllegalStateException("all " + all.size() + " batches are held by the consumer; release one before taking the next");
        }
        Object o = ready.take();
        if (o instanceof Batch b) {
            b.hold(true);
            held.incrementAndGet();
            return b;
        }
        if (o instanceof Failure f) {
            failure = f.error();
            rethrow(failure);
        }
        ready.offer(CLOSED);
        throw new IllegalStateException("batch loader for " + source.describe() + " is closed");
    }

    private static void rethrow(Throwable t) throws IOException {
        if (t instanceof IOException e) throw e;
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        throw new IOException(t.getMessage(), t);
    }

    void release(Batch b) {
        if (!b.hold(false)) return;
        held.decrementAndGet();
        if (!closed) free.offer(b);
    }

    /** Stops the producer (and workers) and waits briefly for them to end. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        producer.interrupt();
        if (pool != null) pool.shutdownNow();
        ready.offer(CLOSED);
        try {
            producer.join(2000);
            if (pool != null) pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the producer thread is still running (for tests and diagnostics). */
    boolean producerAlive() {
        return producer.isAlive();
    }

    /** The sample order of an epoch: a permutation from (seed, epoch) when shuffling, else 0..size-1. */
    public static int[] order(int size, long seed, int epoch, boolean shuffle) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) order[i] = i;
        if (shuffle) {
            SplittableRandom r = Transforms.rng(seed ^ 0x3C6EF372FE94F82BL, epoch, -1);
            for (int i = size - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    private void produce() {
        Orders orders = new Orders();
        try {
            for (long seq = cfg.start(); !closed; seq++) {
                Batch b = free.take();
                long t0 = System.nanoTime();
                int[] epochs = new int[cfg.batchSize()], indices = new int[cfg.batchSize()];
                for (int i = 0; i < epochs.length; i++) {
                    long p = position(seq, i);
                    epochs[i] = (int) (p / sourceSize);
                    indices[i] = orders.of(epochs[i])[(int) (p % sourceSize)];
                }
                fill(b, indices, epochs);
                b.stamp(seq, epochs[0], System.nanoTime() - t0);
                if (closed) return;
                ready.put(b);
            }
        } catch (InterruptedException e) {
            if (!closed) ready.offer(new Failure(new IOException("batch loader for " + source.describe() + " was interrupted")));
        } catch (Throwable t) {
            if (!closed) ready.offer(new Failure(t));
        }
    }

    /**
     * Where slot {@code i} of batch {@code seq} falls in the stream of epochs laid end to end ({@code epoch * size +
     * offset}): full batches within an epoch, or, when the source is smaller than a batch, straight through.
     */
    private long position(long seq, int i) {
        if (wraps) return seq * cfg.batchSize() + i;
        long epoch = seq / batchesPerEpoch;
        return epoch * sourceSize + (seq % batchesPerEpoch) * cfg.batchSize() + i;
    }

    /** The orders of the last few epochs a batch touched (a wrapping batch spans several). */
    private final class Orders {
        private final java.util.Map<Integer, int[]> recent = new java.util.LinkedHashMap<>(8, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<Integer, int[]> e) {
                return size() > 4;
            }
        };

        int[] of(int epoch) {
            return recent.computeIfAbsent(epoch, e -> order(sourceSize, cfg.seed(), e, cfg.shuffle()));
        }
    }

    private void fill(Batch b, int[] indices, int[] epochs) throws IOException, InterruptedException {
        int n = cfg.batchSize();
        if (pool == null) {
            for (int i = 0; i < n; i++) fillOne(b, i, indices[i], epochs[i]);
            return;
        }
        List<Future<?>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int slot = i, index = indices[i], epoch = epochs[i];
            fs.add(pool.submit(() -> {
                try {
                    fillOne(b, slot, index, epoch);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            }));
        }
        Throwable first = null;
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof UncheckedIOException u) c = u.getCause();
                if (first == null) first = c;
            }
        }
        if (first != null) rethrow(first);
    }

    private void fillOne(Batch b, int slot, int index, int epoch) throws IOException {
        Sample s = source.load(index);
        Content c = cfg.content();
        if (c.labels && !s.hasLabels()) throw new IOException("sample " + s.id() + " of " + source.describe() + " has no label map");
        if (c.images && !s.hasImage()) throw new IOException("sample " + s.id() + " of " + source.describe() + " has no image");
        Transforms t = cfg.transforms();
        Transforms.Plan plan = t.plan(s.height(), s.width(), cfg.seed(), epoch, index);
        float[] tmp = scratch.get();
        if (c.labels) {
            int k = cfg.numClasses();
            int[] classes = b.classes();
            t.labels(s.classes(), plan, classes, slot * pixels);
            Transforms.oneHot(classes, slot * pixels, pixels, k, tmp, 0, s.id());
            b.rawLabels().put(slot * k * pixels, tmp, 0, k * pixels);
        }
        if (c.images) {
            t.image(s.rgb(), plan, tmp, 0);
            b.rawImages().put(slot * 3 * pixels, tmp, 0, 3 * pixels);
        }
        b.ids()[slot] = s.id();
    }
}
