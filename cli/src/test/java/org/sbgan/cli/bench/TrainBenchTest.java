package org.sbgan.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.models.TrainingStage;
import org.sbgan.runtime.Device;

/** The training-step bench on the tiny preset: 1 warm-up + 2 timed iterations of a stage's G and D steps. */
class TrainBenchTest {
    static void checkConsistent(TrainBench.Result r) {
        for (double v : List.of(r.stepMsMedian(), r.stepMsP10(), r.stepMsP90(), r.gStepMsMedian(), r.dStepMsMedian(), r.imagesPerS(),
                r.gflopPerS(), r.buildMs(), r.sessionMs())) {
            assertTrue(Double.isFinite(v) && v > 0, "finite and positive: " + r);
        }
        assertTrue(r.stepMsP10() <= r.stepMsMedian() && r.stepMsMedian() <= r.stepMsP90(), r.toString());
        assertTrue(r.gFlops() > 0 && r.dFlops() > 0, r.toString());
        assertEquals(r.batch() / (r.stepMsMedian() / 1e3), r.imagesPerS(), 1e-9 * r.imagesPerS());
        assertEquals((r.gFlops() + r.dFlops()) / (r.stepMsMedian() / 1e3) / 1e9, r.gflopPerS(), 1e-9 * r.gflopPerS());
        assertTrue(r.peakRssMb() > 0 || r.peakRssMb() == -1, r.toString());
        assertEquals(0, r.hostDeviceBytesPerStep(), "nothing crosses to a device on CPU");
        assertTrue(r.stateIoBytesPerStep() > 2 * r.stateBytes() / 3, "a step pair reads and writes most state: " + r);
    }

    @Test
    void spadeOnTinyGivesConsistentNumbers() throws Exception {
        TrainBench.Result r = TrainBench.run(new TrainBench.Options("tiny", TrainingStage.SPADE, 1, 2, 2, Device.CPU), s -> {});
        checkConsistent(r);
        assertEquals(Preset.TINY.batches().spade(), r.batch());
        TrainBench.Pair pair = TrainBench.build(Preset.TINY, TrainingStage.SPADE, 1);
        assertEquals(pair.g().manifest().flops() + pair.d().manifest().flops(), r.flopsPerStep());
        JsonNode j = new ObjectMapper().readTree(TrainBench.json(r));
        for (String k : List.of("step_ms_median", "images_per_s", "gflop_per_s", "peak_rss_mb", "host_device_bytes_per_step", "state_io_bytes_per_step")) {
            assertTrue(j.has(k), k);
        }
        assertEquals(r.stepMsMedian(), j.get("step_ms_median").asDouble());
        assertTrue(TrainBench.table(r).contains("images/s"));
    }

    @Test
    void segOnTinyRunsAtTheTopLevel() throws OrtException {
        TrainBench.Result r = TrainBench.run(new TrainBench.Options("tiny", TrainingStage.SEG, 1, 2, 2, Device.CPU), s -> {});
        checkConsistent(r);
        assertEquals(Preset.TINY.segBatch(Preset.TINY.levels() - 1), r.batch());
        assertEquals("seg_g_" + (Preset.TINY.levels() - 1), r.gStep());
    }

    @Test
    void layoutsAreOneHot() {
        float[] v = TrainBench.oneHot(new java.util.Random(3), new long[] {2, 5, 4, 6});
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 24; i++) {
                float sum = 0;
                for (int c = 0; c < 5; c++) sum += v[(b * 5 + c) * 24 + i];
                assertEquals(1f, sum);
            }
        }
    }

    @Test
    void percentilesInterpolate() {
        double[] v = {4, 1, 3, 2, 5};
        assertEquals(3, TrainBench.percentile(v, 50));
        assertEquals(1.4, TrainBench.percentile(v, 10), 1e-12);
        assertEquals(4.6, TrainBench.percentile(v, 90), 1e-12);
    }

    @Test
    void badOptionsFailInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainBench.Options("huge", TrainingStage.SEG, 0, 1, 1, Device.CPU));
        assertTrue(e.getMessage().contains("tiny"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TrainBench.Options("tiny", TrainingStage.SEG, 0, 0, 1, Device.CPU));
    }
}
