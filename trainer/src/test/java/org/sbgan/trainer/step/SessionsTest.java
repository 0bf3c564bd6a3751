package org.sbgan.trainer.step;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.sbgan.runtime.Device;

/** Device selection: CPU options always; CUDA fails with one actionable line on the CPU ONNX Runtime jar. */
class SessionsTest {
    @Test
    void cpuOptionsAreCreated() throws OrtException {
        try (OrtSession.SessionOptions so = Sessions.create(Device.CPU, 1)) {
            assertNotNull(so);
        }
    }

    @Test
    void cudaOnTheCpuBuildFailsWithOneLine() {
        OrtEnvironment.getEnvironment();
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "the GPU ONNX Runtime jar is on the classpath");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Sessions.create(Device.CUDA, 1).close());
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        assertTrue(m.contains("CUDA"), m);
        assertTrue(m.contains("--device cpu"), m);
        assertTrue(m.contains("mvn -Pcuda package"), m);
    }
}
