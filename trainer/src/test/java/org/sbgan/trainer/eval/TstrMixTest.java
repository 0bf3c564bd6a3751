package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;

/** The real + synthetic setting's sample stream: the share of generated samples, and every sample shown. */
class TstrMixTest {
    static SampleSource named(String prefix, int n) {
        Sample[] samples = new Sample[n];
        for (int i = 0; i < n; i++) samples[i] = new Sample(prefix + i, 1, 1, new int[] {0}, new float[3]);
        return SampleSource.of(prefix, samples);
    }

    @Test
    void halfAlternatesRealAndSynthetic() throws IOException {
        SampleSource mix = Tstr.interleaved(named("r", 3), named("s", 5), Tstr.Mixing.HALF);
        assertEquals(10, mix.size(), "twice the larger side, as real and synthetic alternate");
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < mix.size(); i++) ids.append(mix.load(i).id()).append(' ');
        assertEquals("r0 s0 r1 s1 r2 s2 r0 s3 r1 s4 ", ids.toString());
        assertTrue(mix.describe().endsWith("(half of each)"));
    }

    @Test
    void everyWindowHoldsTheShareAndEverySampleAppears() throws IOException {
        for (double share : new double[] {0.25, 0.3, 0.5, 0.75}) {
            for (int[] sizes : new int[][] {{240, 1000}, {1000, 240}, {7, 3}}) {
                SampleSource mix = Tstr.interleaved(named("r", sizes[0]), named("s", sizes[1]), share);
                Set<String> seen = new HashSet<>();
                int synthetic = 0;
                for (int i = 0; i < mix.size(); i++) {
                    String id = mix.load(i).id();
                    seen.add(id);
                    if (id.startsWith("s")) synthetic++;
                    // any prefix holds share·length synthetic samples to within one
                    assertTrue(Math.abs(synthetic - share * (i + 1)) <= 1, share + " at " + i + ": " + synthetic);
                }
                assertEquals(sizes[0] + sizes[1], seen.size(), "share " + share + ", sizes " + sizes[0] + "/" + sizes[1] + ": every sample shown");
            }
        }
        assertTrue(Tstr.interleaved(named("r", 4), named("s", 4), 0.25).describe().endsWith("(25 % synthetic)"));
    }
}
