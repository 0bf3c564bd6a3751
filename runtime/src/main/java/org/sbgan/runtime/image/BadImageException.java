package org.sbgan.runtime.image;

import java.nio.file.Path;
import org.sbgan.runtime.BadFileException;

/** An image file that cannot be decoded or used. */
public final class BadImageException extends BadFileException {
    public BadImageException(Path file, String problem) {
        super(file, problem);
    }
}
