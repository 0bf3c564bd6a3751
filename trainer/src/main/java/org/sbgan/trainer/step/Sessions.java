package org.sbgan.trainer.step;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;

/** Session options shared by everything that runs step graphs. */
public final class Sessions {
    private Sessions() {}

    /**
     * CPU options with {@code threads} intra-op threads and thread spinning off. Every session owns a thread
     * pool; with spinning on, the idle sessions of a G/D step pair keep the cores busy and halve the active
     * one's throughput on 2 cores (docs/BENCHMARKS.md, "Spinning").
     */
    public static OrtSession.SessionOptions cpu(int threads) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
            return so;
        } catch (OrtException e) {
            so.close();
            throw e;
        }
    }

    /**
     * Options for {@code device}: {@link #cpu(int)} for CPU; for CUDA the same options plus the CUDA execution
     * provider on GPU 0 (nodes it lacks kernels for fall back to the CPU provider with {@code threads} threads).
     * The Java API has no IOBinding, so state and inputs cross host↔device on every run
     * ({@link StepRunner#inputBytesPerStep()}, {@link StepRunner#outputBytesPerStep()}).
     *
     * @throws IllegalStateException with a one-line message when CUDA was asked for but the provider cannot be
     *     added: the CPU ONNX Runtime jar is on the classpath (build with {@code mvn -Pcuda package}), or the GPU jar
     *     finds no usable GPU, driver, CUDA 12 or cuDNN 9
     */
    public static OrtSession.SessionOptions create(Device device, int threads) throws OrtException {
        OrtSession.SessionOptions so = cpu(threads);
        if (device == Device.CPU) return so;
        try {
            so.addCUDA(0);
            return so;
        } catch (OrtException | RuntimeException | LinkageError e) {
            so.close();
            throw new IllegalStateException(cudaUnavailable(e), e);
        }
    }

    /** The one-line message for a CUDA provider that could not be added. */
    static String cudaUnavailable(Throwable cause) {
        String why = oneLine(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        boolean gpuBuild;
        try {
            gpuBuild = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        } catch (RuntimeException | LinkageError e) {
            gpuBuild = false;
        }
        return "CUDA was requested but is not available (" + why + "); "
                + (gpuBuild ? "this build has the GPU ONNX Runtime, which needs an NVIDIA GPU with its driver, CUDA 12 and cuDNN 9"
                        : "this build uses the CPU ONNX Runtime: build with `mvn -Pcuda package` on a machine with CUDA 12 and cuDNN 9")
                + ", or use --device cpu";
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 300 ? t.substring(0, 297) + "..." : t;
    }
}
