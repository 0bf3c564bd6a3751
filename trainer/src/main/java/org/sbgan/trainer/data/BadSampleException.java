package org.sbgan.trainer.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file (or folder) that cannot be used. The message is one line, {@code <file>: <problem>}, fit to
 * print as it is; callers need no stack trace.
 */
public final class BadSampleException extends IOException {
    private final Path file;
    private final String problem;

    public BadSampleException(Path file, String problem) {
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
