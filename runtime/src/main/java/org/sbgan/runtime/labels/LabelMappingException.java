package org.sbgan.runtime.labels;

import java.io.IOException;
import java.nio.file.Path;

/** A label mapping file that cannot be used: the message is one line naming the file and the problem. */
public final class LabelMappingException extends IOException {
    private final Path file;

    public LabelMappingException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
