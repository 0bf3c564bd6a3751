package org.sbgan.runtime.labels;

import java.nio.file.Path;
import org.sbgan.runtime.BadFileException;

/** A label mapping file that cannot be used. */
public final class LabelMappingException extends BadFileException {
    public LabelMappingException(Path file, String problem) {
        super(file, problem);
    }
}
