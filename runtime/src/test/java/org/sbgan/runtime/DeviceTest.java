package org.sbgan.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

class DeviceTest {
    @Test
    void cpuOptionsCanBeMade() throws Exception {
        try (OrtSession.SessionOptions o = Device.CPU.sessionOptions(2)) {
            assertTrue(o.getConfigEntries().containsKey("session.intra_op.allow_spinning"));
        }
        assertThrows(IllegalArgumentException.class, () -> Device.CPU.sessionOptions(0));
    }

    /** On the CPU build of ONNX Runtime (the default), asking for CUDA fails in one line that says what to do. */
    @Test
    void cudaOnACpuBuildFailsInOneActionableLine() throws Exception {
        OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o;
        try {
            o = Device.CUDA.sessionOptions(1);
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().startsWith("CUDA was requested but is not available ("), e.getMessage());
            assertTrue(e.getMessage().endsWith("or --device cpu"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            return;
        }
        o.close(); // a GPU build on a CUDA machine
    }
}
