package org.sbgan.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.labels.LabelSpaces;

/** The one list of dataset layouts: read off a folder, named in lower case, and opened the same way everywhere. */
class DataFormatTest {
    static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");

    @Test
    void theLayoutIsReadOffTheFolder(@TempDir Path tmp) throws IOException {
        assertEquals(DataFormat.CITYSCAPES, DataFormat.detect(TESTDATA));
        Files.createDirectories(tmp.resolve("ade/images/training"));
        Files.createDirectories(tmp.resolve("ade/annotations/training"));
        assertEquals(DataFormat.ADE20K, DataFormat.detect(tmp.resolve("ade")));
        Files.createDirectories(tmp.resolve("pairs/images"));
        Files.createDirectories(tmp.resolve("pairs/labels"));
        assertEquals(DataFormat.PAIRS, DataFormat.detect(tmp.resolve("pairs")));
        Files.createDirectories(tmp.resolve("imgs/a"));
        Files.copy(TESTDATA.resolve("leftImg8bit/val/synthville").toFile().listFiles()[0].toPath(), tmp.resolve("imgs/a/x.png"));
        assertEquals(DataFormat.FOLDER, DataFormat.detect(tmp.resolve("imgs")));
        Files.createDirectories(tmp.resolve("hidden/.cache"));
        Files.writeString(tmp.resolve("hidden/.cache/x.png"), "hidden files do not count");
        IOException e = assertThrows(IOException.class, () -> DataFormat.detect(tmp.resolve("hidden")));
        assertTrue(e.getMessage().startsWith(tmp.resolve("hidden") + ": not a dataset folder"), e.getMessage());
    }

    @Test
    void idsAreLowerCaseInJsonAndErrorsListTheKnownOnes() throws IOException {
        ObjectMapper json = new ObjectMapper();
        assertEquals("\"ade20k\"", json.writeValueAsString(DataFormat.ADE20K));
        assertEquals(DataFormat.PAIRS, json.readValue("\"pairs\"", DataFormat.class));
        assertEquals(DataFormat.CITYSCAPES, DataFormat.of("Cityscapes"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataFormat.of("coco"));
        assertEquals("data format must be one of cityscapes, ade20k, pairs, folder, not 'coco'", e.getMessage());
    }

    @Test
    void openReadsEachLayout() throws IOException {
        FileSampleSource cs = DataFormat.CITYSCAPES.open(TESTDATA, "val", LabelSpaces.cityscapesCategories(), Datasets.Content.PAIRED,
                BadSamplePolicy.FAIL);
        assertEquals(60, cs.size());
        FileSampleSource images = DataFormat.FOLDER.open(TESTDATA.resolve("leftImg8bit/val"), "ignored", null, Datasets.Content.IMAGES_ONLY,
                BadSamplePolicy.FAIL);
        assertEquals(60, images.size());
        assertThrows(IllegalArgumentException.class, () -> DataFormat.FOLDER.open(TESTDATA, "val", null, Datasets.Content.PAIRED, BadSamplePolicy.FAIL));
    }
}
