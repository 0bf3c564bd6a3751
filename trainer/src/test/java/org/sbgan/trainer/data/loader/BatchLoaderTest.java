package org.sbgan.trainer.data.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;

class BatchLoaderTest {
    static final int K = 6;

    /** An in-memory source: sample i has a class map and an image that depend on i (sizes vary). */
    static final class MemorySource implements SampleSource {
        final List<Sample> samples = new ArrayList<>();
        final boolean labels, images;
        volatile int failAt = -1;

        MemorySource(int n, boolean labels, boolean images) {
            this.labels = labels;
            this.images = images;
            for (int i = 0; i < n; i++) {
                int h = 12 + (i % 3) * 4, w = 24 + (i % 5) * 8;
                int[] cls = labels ? new int[h * w] : null;
                float[] rgb = images ? new float[3 * h * w] : null;
                for (int p = 0; p < h * w; p++) {
                    if (cls != null) cls[p] = (p / 7 + i) % K;
                    if (rgb != null) for (int c = 0; c < 3; c++) rgb[c * h * w + p] = ((p * (c + 1) + 3 * i) % 17) / 16f;
                }
                samples.add(new Sample("s" + i, h, w, cls, rgb));
            }
        }

        @Override
        public int size() {
            return samples.size();
        }

        @Override
        public String describe() {
            return "memory";
        }

        @Override
        public Sample load(int index) throws IOException {
            if (index == failAt) throw new IOException("s" + index + ".png: bad PNG CRC in chunk IDAT");
            return samples.get(index);
        }
    }

    static BatchLoader.Config cfg(long seed) {
        return BatchLoader.Config.of(4, Transforms.training(8, 16), BatchLoader.Content.BOTH, K, seed);
    }

    static float[] contents(FloatBuffer b) {
        float[] a = new float[b.capacity()];
        b.duplicate().clear().get(a);
        return a;
    }

    record Snap(float[] labels, float[] images, String ids) {}

    static List<Snap> take(BatchLoader l, int n) throws Exception {
        List<Snap> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (Batch b = l.take()) {
                StringBuilder ids = new StringBuilder();
                for (int j = 0; j < b.size(); j++) ids.append(b.sampleId(j)).append(',');
                out.add(new Snap(b.labels() == null ? null : contents(b.labels()), b.images() == null ? null : contents(b.images()),
                        ids.toString()));
            }
        }
        return out;
    }

    @Test
    void buffersAreDirectNativeOrderAndWellFormed() throws Exception {
        MemorySource src = new MemorySource(10, true, true);
        try (BatchLoader l = new BatchLoader(src, cfg(1))) {
            assertEquals(2, l.batchesPerEpoch());
            try (Batch b = l.take()) {
                FloatBuffer lab = b.labels(), img = b.images();
                assertTrue(lab.isDirect() && img.isDirect());
                assertEquals(ByteOrder.nativeOrder(), lab.order());
                assertEquals(ByteOrder.nativeOrder(), img.order());
                assertEquals(4 * K * 8 * 16, lab.capacity());
                assertEquals(4 * 3 * 8 * 16, img.capacity());
                int hw = 8 * 16;
                for (int n = 0; n < 4; n++) {
                    for (int p = 0; p < hw; p++) {
                        float sum = 0;
                        for (int c = 0; c < K; c++) sum += lab.get((n * K + c) * hw + p);
                        assertEquals(1f, sum);
                        assertEquals(1f, lab.get((n * K + b.classes()[n * hw + p]) * hw + p));
                    }
                }
                for (int i = 0; i < img.capacity(); i++) assertTrue(img.get(i) >= -1f && img.get(i) <= 1f);
                FloatBuffer dst = Batch.direct(img.capacity());
                b.copyImagesTo(dst);
                assertArrayEquals(contents(img), contents(dst));
            }
        }
    }

    @Test
    void sameSeedSameBatchesRegardlessOfThreadsDifferentSeedsOrEpochsDiffer() throws Exception {
        MemorySource src = new MemorySource(13, true, true); // 3 batches per epoch, one sample dropped
        List<Snap> a, b, c;
        try (BatchLoader l = new BatchLoader(src, cfg(7))) {
            a = take(l, 9);
        }
        try (BatchLoader l = new BatchLoader(src, cfg(7).withWorkers(3).withPrefetch(1))) {
            b = take(l, 9);
        }
        try (BatchLoader l = new BatchLoader(src, cfg(8))) {
            c = take(l, 9);
        }
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).ids(), b.get(i).ids());
            assertArrayEquals(a.get(i).labels(), b.get(i).labels(), "batch " + i);
            assertArrayEquals(a.get(i).images(), b.get(i).images(), "batch " + i);
        }
        boolean seedDiffers = false;
        for (int i = 0; i < a.size(); i++) seedDiffers |= !Arrays.equals(a.get(i).images(), c.get(i).images());
        assertTrue(seedDiffers);
        // epochs 0, 1, 2 have different orders; each epoch uses distinct samples
        String e0 = a.get(0).ids() + a.get(1).ids() + a.get(2).ids(), e1 = a.get(3).ids() + a.get(4).ids() + a.get(5).ids();
        assertFalse(e0.equals(e1));
        Set<String> seen = new HashSet<>(Arrays.asList(e0.split(",")));
        assertEquals(12, seen.size());
    }

    @Test
    void aSourceSmallerThanABatchUsesEverySampleInEveryEpochAcrossBatches() throws Exception {
        MemorySource src = new MemorySource(3, true, true);
        BatchLoader.Config c = cfg(5); // batch 4 > 3 samples
        List<Snap> a;
        try (BatchLoader l = new BatchLoader(src, c)) {
            assertTrue(l.wraps());
            assertEquals(1, l.batchesPerEpoch());
            a = take(l, 6);
        }
        // 6 batches of 4 = 24 positions = epochs 0..7 of 3 samples laid end to end: each epoch a permutation.
        List<String> stream = new ArrayList<>();
        for (Snap s : a) stream.addAll(Arrays.asList(s.ids().split(",")));
        assertEquals(24, stream.size());
        for (int e = 0; e < 8; e++) {
            assertEquals(Set.of("s0", "s1", "s2"), new HashSet<>(stream.subList(3 * e, 3 * e + 3)), "epoch " + e + " of " + stream);
        }
        try (BatchLoader l = new BatchLoader(src, c.withStart(3))) {
            List<Snap> resumed = take(l, 3);
            for (int i = 0; i < 3; i++) {
                assertEquals(a.get(3 + i).ids(), resumed.get(i).ids(), "a stream started at batch 3 matches");
                assertArrayEquals(a.get(3 + i).images(), resumed.get(i).images());
            }
        }
        try (BatchLoader l = new BatchLoader(new MemorySource(1, true, true), c)) {
            assertEquals("s0,s0,s0,s0,", take(l, 1).get(0).ids(), "one sample fills a batch");
        }
    }

    @Test
    void anEmptySourceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchLoader(new MemorySource(0, true, true), cfg(1)));
        assertEquals("memory has no samples", e.getMessage());
    }

    @Test
    void noShuffleKeepsSourceOrder() throws Exception {
        MemorySource src = new MemorySource(8, true, true);
        try (BatchLoader l = new BatchLoader(src, cfg(1).withShuffle(false))) {
            List<Snap> s = take(l, 3);
            assertEquals("s0,s1,s2,s3,", s.get(0).ids());
            assertEquals("s4,s5,s6,s7,", s.get(1).ids());
            assertEquals("s0,s1,s2,s3,", s.get(2).ids());
        }
    }

    @Test
    void labelOnlyAndImageOnlySources() throws Exception {
        Transforms t = Transforms.training(8, 16);
        try (BatchLoader l = new BatchLoader(new MemorySource(8, true, false), BatchLoader.Config.of(4, t, BatchLoader.Content.LABELS, K, 1));
             Batch b = l.take()) {
            assertNull(b.images());
            assertEquals(4 * K * 128, b.labels().capacity());
        }
        try (BatchLoader l = new BatchLoader(new MemorySource(8, false, true), BatchLoader.Config.of(4, t, BatchLoader.Content.IMAGES, 0, 1));
             Batch b = l.take()) {
            assertNull(b.labels());
            assertEquals(4 * 3 * 128, b.images().capacity());
        }
        // asking for images from a label-only source fails with a message naming the sample
        try (BatchLoader l = new BatchLoader(new MemorySource(8, true, false), BatchLoader.Config.of(4, t, BatchLoader.Content.BOTH, K, 1))) {
            IOException e = assertThrows(IOException.class, l::take);
            assertTrue(e.getMessage().matches("sample s\\d of memory has no image"), e.getMessage());
        }
    }

    @Test
    void producerErrorSurfacesWithTheSameMessageOnEveryTake() throws Exception {
        for (int workers : new int[] {1, 2}) {
            MemorySource src = new MemorySource(8, true, true);
            src.failAt = 5;
            try (BatchLoader l = new BatchLoader(src, cfg(3).withShuffle(false).withWorkers(workers))) {
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                    l.take().release(); // s0..s3
                    IOException e = assertThrows(IOException.class, l::take);
                    assertEquals("s5.png: bad PNG CRC in chunk IDAT", e.getMessage());
                    IOException again = assertThrows(IOException.class, l::take);
                    assertSame(e, again);
                });
            }
        }
    }

    @Test
    void closeStopsAProducerBlockedOnFreeBatchesOrInsideLoad() throws Exception {
        MemorySource src = new MemorySource(40, true, true);
        BatchLoader l = new BatchLoader(src, cfg(1).withPrefetch(2));
        Thread.sleep(100); // producer fills all 3 buffers and blocks
        long t0 = System.nanoTime();
        l.close();
        assertTrue((System.nanoTime() - t0) < 1_000_000_000L);
        assertFalse(l.producerAlive());
        assertThrows(IllegalStateException.class, l::take);

        CountDownLatch never = new CountDownLatch(1);
        SampleSource stuck = new SampleSource() {
            @Override
            public int size() {
                return 8;
            }

            @Override
            public String describe() {
                return "stuck";
            }

            @Override
            public Sample load(int index) throws IOException {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new IOException("interrupted");
                }
                return null;
            }
        };
        BatchLoader s = new BatchLoader(stuck, cfg(1));
        Thread consumer = new Thread(() -> {
            try {
                s.take();
            } catch (Exception expected) {
                // closed while waiting
            }
        });
        consumer.start();
        Thread.sleep(50);
        t0 = System.nanoTime();
        s.close();
        consumer.join(1000);
        assertTrue((System.nanoTime() - t0) < 1_500_000_000L);
        assertFalse(s.producerAlive());
        assertFalse(consumer.isAlive(), "a consumer blocked in take() is woken by close()");
    }

    @Test
    void batchesAreRecycledNotAllocated() throws Exception {
        MemorySource src = new MemorySource(8, true, true);
        try (BatchLoader l = new BatchLoader(src, cfg(1).withPrefetch(2))) {
            Set<Batch> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (int i = 0; i < 20; i++) {
                try (Batch b = l.take()) {
                    seen.add(b);
                }
            }
            assertEquals(3, seen.size());
            Batch x = l.take(), y = l.take(), z = l.take();
            assertThrows(IllegalStateException.class, l::take);
            x.release();
            x.release();
            y.release();
            z.release();
        }
    }
}
