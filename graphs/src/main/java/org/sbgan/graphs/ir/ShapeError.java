package org.sbgan.graphs.ir;

/** Thrown by a shape rule; the graph turns it into a {@link GraphBuildException} naming op and layer. */
public final class ShapeError extends RuntimeException {
    public ShapeError(String message) {
        super(message);
    }
}
