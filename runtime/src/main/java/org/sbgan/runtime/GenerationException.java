package org.sbgan.runtime;

/**
 * ONNX Runtime failed while running a network of an opened bundle. Unchecked, because after
 * {@link SceneGenerator#open} has checked the networks' inputs and outputs this means a broken runtime or
 * machine (out of memory, a CUDA error), not a mistake the caller can correct, and because scenes are also
 * handed out through {@link java.util.stream.Stream}s. The message is one line.
 */
public final class GenerationException extends RuntimeException {
    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
