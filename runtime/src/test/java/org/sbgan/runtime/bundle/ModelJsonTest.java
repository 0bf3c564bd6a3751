package org.sbgan.runtime.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.json written by the one definition reads back through both readers, and Bundle.read picks the kind. */
class ModelJsonTest {
    @TempDir
    Path tmp;

    @Test
    void anSbganBundleWrittenByModelJsonReadsBack() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("sbgan"));
        var trained = new ObjectMapper().createObjectNode().put("steps", 3);
        Files.write(dir.resolve(ModelJson.FILE), ModelJson.bytes(ModelJson.sbgan(new ModelJson.Sbgan("tiny", "test-2", List.of("road", "sky"),
                List.of("#808080", "#4682b4"), List.of(7, 23), new ModelBundle.Size(4, 8), new ModelBundle.Size(8, 16), 16, 2, null, trained))));
        Files.write(dir.resolve(ModelJson.SEG_GENERATOR), new byte[0]);
        Files.write(dir.resolve(ModelJson.IMAGE_GENERATOR), new byte[0]);
        Bundle any = Bundle.read(dir);
        ModelBundle b = assertInstanceOf(ModelBundle.class, any);
        assertEquals(BundleKind.SBGAN, b.kind());
        assertEquals(List.of("road", "sky"), b.classNames());
        assertEquals(new ModelBundle.Size(8, 16), b.imageSize());
        assertEquals(2, b.layoutScaling());
    }

    @Test
    void aProganBundleReadsBackAndIsNotAScene(@TempDir Path t) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("progan"));
        Files.write(dir.resolve(ModelJson.FILE), ModelJson.bytes(ModelJson.progan("tiny", new ModelBundle.Size(32, 64), 128, null, null)));
        Files.write(dir.resolve(ModelJson.GENERATOR), new byte[0]);
        ProganBundle p = assertInstanceOf(ProganBundle.class, Bundle.read(dir));
        assertEquals(128, p.zDim());
        assertEquals(dir.resolve(ModelJson.GENERATOR), p.generatorFile());
        BadBundleException e = assertThrows(BadBundleException.class, () -> ModelBundle.read(dir));
        assertTrue(e.getMessage().contains("is a \"progan-rgb\" bundle"), e.getMessage());
    }

    @Test
    void anUnknownKindNamesTheFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("odd"));
        Files.writeString(dir.resolve(ModelJson.FILE), "{\"format\": 1, \"kind\": \"diffusion\"}");
        BadBundleException e = assertThrows(BadBundleException.class, () -> Bundle.read(dir));
        assertEquals(dir.resolve(ModelJson.FILE) + ": unknown bundle kind \"diffusion\" (known: sbgan, progan-rgb)", e.getMessage());
    }
}
