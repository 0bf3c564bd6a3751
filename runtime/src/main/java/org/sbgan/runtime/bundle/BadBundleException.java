package org.sbgan.runtime.bundle;

import java.nio.file.Path;
import org.sbgan.runtime.BadFileException;

/** A model bundle, or one of its files, that cannot be used; the message is {@code <file>: <problem>}. */
public final class BadBundleException extends BadFileException {
    public BadBundleException(Path file, String problem) {
        super(file, problem);
    }
}
