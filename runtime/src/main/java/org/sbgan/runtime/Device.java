package org.sbgan.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Where ONNX Runtime runs a model: the CPU execution provider, or the CUDA provider on GPU 0.
 *
 * <p>CUDA needs the {@code onnxruntime_gpu} jar instead of the CPU one (a build with {@code mvn -Pcuda package}),
 * CUDA 12 and cuDNN 9. Asking for it is checked when the session options are made, because
 * {@code OrtEnvironment.getAvailableProviders()} is not a reliable test (it lists what the build was compiled with,
 * not what this machine can load).
 */
public enum Device {
    CPU,
    CUDA;

    /**
     * Session options for this device: {@code threads} intra-op threads, one inter-op thread (the graphs are
     * chains, so parallel branches gain nothing), and no spinning, so idle ORT threads do not burn the cores
     * that other sessions or the caller's own threads need. The caller closes the options.
     *
     * @throws IllegalStateException for {@link #CUDA} when this ONNX Runtime build or machine cannot run it; the
     *     message is one line and says what to do
     */
    public OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (this == CUDA) {
                try {
                    options.addCUDA(0);
                } catch (OrtException | RuntimeException | LinkageError e) {
                    throw new IllegalStateException("CUDA was requested but is not available (" + Messages.oneLine(e)
                            + "); use a build with the GPU ONNX Runtime (mvn -Pcuda package) on a machine with CUDA 12 and cuDNN 9, or --device cpu", e);
                }
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

}
