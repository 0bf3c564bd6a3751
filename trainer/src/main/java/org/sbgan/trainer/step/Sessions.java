package org.sbgan.trainer.step;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.sbgan.runtime.Device;

/** Session options shared by everything that runs step graphs. */
public final class Sessions {
    private Sessions() {}

    /**
     * CPU options with {@code threads} intra-op threads and thread spinning off. Every session owns a thread
     * pool; with spinning on, the idle sessions of a G/D step pair keep the cores busy and halve the active
     * one's throughput on 2 cores (docs/BENCHMARKS.md, "Spinning").
     */
    public static OrtSession.SessionOptions cpu(int threads) throws OrtException {
        return Device.CPU.sessionOptions(threads);
    }

    /**
     * Options for {@code device} ({@link Device#sessionOptions}): for CUDA the CUDA execution provider on GPU 0,
     * nodes it lacks kernels for falling back to the CPU provider. The Java API has no IOBinding, so state and
     * inputs cross host↔device on every run ({@link StepRunner#inputBytesPerStep()},
     * {@link StepRunner#outputBytesPerStep()}).
     *
     * @throws IllegalStateException with a one-line message when CUDA was asked for but cannot be used
     */
    public static OrtSession.SessionOptions create(Device device, int threads) throws OrtException {
        return device.sessionOptions(threads);
    }
}
