package org.sbgan.runtime.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;

/** A model bundle of either kind: what {@code eval} and tools that take "any bundle" read. */
public sealed interface Bundle permits ModelBundle, ProganBundle {
    Path dir();

    String preset();

    BundleKind kind();

    /** Reads the bundle in {@code dir}, whichever its kind; problems are one line naming the file at fault. */
    static Bundle read(Path dir) throws IOException {
        JsonNode m = ModelJson.read(dir);
        return switch (ModelJson.kind(dir, m)) {
            case SBGAN -> ModelBundle.read(dir);
            case PROGAN_RGB -> ProganBundle.of(dir, m);
        };
    }
}
