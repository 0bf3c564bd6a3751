package org.sbgan.graphs.ir;

/** A graph cannot be built as asked: the message is one line naming the op, its input shapes and the layer. */
public final class GraphBuildException extends RuntimeException {
    public GraphBuildException(String message) {
        super(message);
    }
}
