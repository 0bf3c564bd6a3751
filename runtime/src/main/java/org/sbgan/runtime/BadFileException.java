package org.sbgan.runtime;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file (or folder) that cannot be used. The message is one line, {@code <file>: <problem>}, fit to print as
 * it is; callers need no stack trace. Subclasses say what kind of file it was.
 */
public class BadFileException extends IOException {
    private final Path file;
    private final String problem;

    public BadFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    public String problem() {
        return problem;
    }
}
