package org.sbgan.cli.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sbgan.trainer.data.SampleSource;

/** The data-path benchmark runs end to end on synthetic samples and reports in JSON. */
class DataBenchTest {
    @Test
    void syntheticBenchRunsQuickly() throws Exception {
        SampleSource s = DataBench.synthetic(20, 32, 64, 8, 1);
        DataBench.Result r = DataBench.run(s, new DataBench.Options("tiny", 16, 32, 8, 4, 2, 10, 1, 2, 1), line -> {});
        assertTrue(r.batchesPerSecond() > 0);
        assertTrue(DataBench.json(r).contains("\"medianMsPerBatch\""));
    }
}
