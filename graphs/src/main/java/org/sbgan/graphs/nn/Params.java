package org.sbgan.graphs.nn;

import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Value;

/**
 * Where layers get their parameters and persistent state while a graph is built. Names are qualified by the
 * graph's current layer scope ("gseg.block3.conv1.weight"), and initial values come from (seed, name), so
 * every graph that builds a network — a G step, a D step, an inference graph — declares the same tensors
 * with the same initial values.
 */
public interface Params {
    Graph graph();

    /** A trainable tensor {@code layer.local}. */
    Value param(String local, Init init, long... shape);

    /** A persistent tensor that is not trained (running statistics, spectral-norm vectors). */
    Value buffer(String local, Init init, long... shape);

    /** The new value of a buffer after this graph runs; ignored where buffers are not updated (inference). */
    void update(Value buffer, Value next);

    /** Training graphs use batch statistics and update buffers; inference graphs use the stored buffers. */
    boolean training();
}
