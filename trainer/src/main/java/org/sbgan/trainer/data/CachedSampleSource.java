package org.sbgan.trainer.data;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Keeps decoded samples in memory up to a byte budget, so every epoch after the first skips PNG decoding
 * (the dominant cost of loading: docs/BENCHMARKS.md). Samples beyond the budget are decoded each time.
 * Thread-safe; samples are shared, so consumers must not modify their arrays.
 */
public final class CachedSampleSource implements SampleSource {
    private final SampleSource source;
    private final long budgetBytes;
    private final AtomicReferenceArray<Sample> cache;
    private final AtomicLong cachedBytes = new AtomicLong();

    public CachedSampleSource(SampleSource source, long budgetBytes) {
        this(source, budgetBytes, null);
    }

    /**
     * A cache that starts with {@code decoded} (index-aligned with the source, nulls for samples not yet decoded;
     * e.g. what {@link FileSampleSource#validate} kept), as far as the budget allows.
     */
    public CachedSampleSource(SampleSource source, long budgetBytes, Sample[] decoded) {
        this.source = source;
        this.budgetBytes = budgetBytes;
        this.cache = new AtomicReferenceArray<>(source.size());
        if (decoded != null) {
            if (decoded.length != source.size()) {
                throw new IllegalArgumentException(decoded.length + " decoded samples for " + source.size() + " in " + source.describe());
            }
            for (int i = 0; i < decoded.length; i++) {
                Sample s = decoded[i];
                if (s == null) continue;
                long b = bytes(s);
                if (cachedBytes.get() + b > budgetBytes) continue;
                cachedBytes.addAndGet(b);
                cache.set(i, s);
            }
        }
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public Sample load(int index) throws IOException {
        Sample s = cache.get(index);
        if (s != null) return s;
        s = source.load(index);
        long bytes = bytes(s);
        if (cachedBytes.addAndGet(bytes) <= budgetBytes) {
            if (!cache.compareAndSet(index, null, s)) cachedBytes.addAndGet(-bytes);
        } else {
            cachedBytes.addAndGet(-bytes);
        }
        return s;
    }

    /** Bytes held by the cache now. */
    public long cachedBytes() {
        return cachedBytes.get();
    }

    static long bytes(Sample s) {
        return 4L * ((s.hasLabels() ? s.classes().length : 0) + (s.hasImage() ? s.rgb().length : 0));
    }
}
