package org.sbgan.trainer.step;

import ai.onnxruntime.OrtException;
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
}
