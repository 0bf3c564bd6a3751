package org.sbgan.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedSampleSourceTest {
    /** A source that decodes a fresh sample of 2×2 pixels (48 bytes with labels and image) on every load. */
    static final class Counting implements SampleSource {
        final AtomicInteger loads = new AtomicInteger();

        @Override public int size() { return 4; }
        @Override public String describe() { return "counting"; }
        @Override public Sample load(int i) {
            loads.incrementAndGet();
            return new Sample("s" + i, 2, 2, new int[] {i, i, i, i}, new float[12]);
        }
    }

    @Test
    void decodesEachSampleOnceWithinBudget() throws IOException {
        Counting src = new Counting();
        CachedSampleSource cached = new CachedSampleSource(src, 1 << 20);
        for (int epoch = 0; epoch < 3; epoch++) for (int i = 0; i < 4; i++) assertEquals(i, cached.load(i).classes()[0]);
        assertEquals(4, src.loads.get());
        assertSame(cached.load(2), cached.load(2));
        assertEquals(4 * 64, cached.cachedBytes());
    }

    @Test
    void samplesBeyondTheBudgetAreDecodedEachTime() throws IOException {
        Counting src = new Counting();
        CachedSampleSource cached = new CachedSampleSource(src, 2 * 64);
        for (int epoch = 0; epoch < 3; epoch++) for (int i = 0; i < 4; i++) cached.load(i);
        assertEquals(2 + 3 * 2, src.loads.get(), "two samples cached, two decoded every epoch");
        assertEquals(2 * 64, cached.cachedBytes());
        assertNotSame(cached.load(3), cached.load(3));
    }
}
