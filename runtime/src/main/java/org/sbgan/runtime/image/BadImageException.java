package org.sbgan.runtime.image;

import java.io.IOException;
import java.nio.file.Path;

/** An image file that cannot be used: the message is one line naming the file and the problem. */
public final class BadImageException extends IOException {
    private final Path file;

    public BadImageException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
