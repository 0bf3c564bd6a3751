package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench train}: the SPADE stage of the tiny preset as JSON, and one-line usage errors. */
class BenchTrainCommandTest {
    @Test
    void spadeOnTinyPrintsTheContractKeys() throws Exception {
        Cli.Run r = Cli.run("bench", "train", "--preset", "tiny", "--stage", "spade", "--steps", "2",
                "--warmup", "1", "--json");
        assertEquals(0, r.rc(), r.err());
        List<String> lines = r.out().lines().toList();
        JsonNode j = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        for (String k : List.of("step_ms_median", "images_per_s", "gflop_per_s", "peak_rss_mb", "host_device_bytes_per_step")) {
            assertTrue(j.has(k), k + " in " + j);
        }
        assertEquals("spade", j.get("stage").asText());
        assertEquals("cpu", j.get("device").asText());
        assertEquals(8, j.get("batch").asInt());
        assertEquals(0, j.get("host_device_bytes_per_step").asLong());
        assertTrue(j.get("step_ms_median").asDouble() > 0 && j.get("gflop_per_s").asDouble() > 0, j.toString());
        assertEquals(8 / (j.get("step_ms_median").asDouble() / 1e3), j.get("images_per_s").asDouble(), 1e-6);
        assertTrue(r.out().contains("images/s"), r.out());
    }

    @Test
    void badStageIsAUsageError() {
        Cli.Run r = Cli.run("bench", "train", "--stage", "gan");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("--stage"), r.err());
    }

    @Test
    void badPresetIsAUsageError() {
        Cli.Run r = Cli.run("bench", "train", "--stage", "seg", "--preset", "huge");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("tiny"), r.err());
    }

    @Test
    void cudaOnTheCpuBuildFailsInOneLine() {
        OrtEnvironment.getEnvironment();
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "the GPU ONNX Runtime jar is on the classpath");
        Cli.Run r = Cli.run("bench", "train", "--stage", "seg", "--device", "cuda", "--steps", "1", "--warmup", "0");
        assertEquals(1, r.rc(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.contains("error:")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).contains("--device cpu"), errors.get(0));
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}
