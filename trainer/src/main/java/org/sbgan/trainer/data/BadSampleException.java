package org.sbgan.trainer.data;

import java.nio.file.Path;
import org.sbgan.runtime.BadFileException;

/** A dataset file (or folder) that cannot be used as a sample. */
public final class BadSampleException extends BadFileException {
    public BadSampleException(Path file, String problem) {
        super(file, problem);
    }
}
