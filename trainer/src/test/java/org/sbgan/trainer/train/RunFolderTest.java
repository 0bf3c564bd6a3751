package org.sbgan.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.models.LayoutRecipe;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.DataFormat;

/** config.json: written and read back whole, and the files older runs wrote still resume. */
class RunFolderTest {
    @Test
    void aConfigRoundTripsThroughConfigJson(@TempDir Path tmp) throws IOException {
        TrainConfig cfg = TrainConfig.builder("tiny", "/data/x").dataFormat(DataFormat.PAIRS).seed(7).segBatch(4).lrD2(3e-4f)
                .onBadSample(BadSamplePolicy.SKIP).layout(LayoutRecipe.TEXTBOOK).build();
        RunFolder run = new RunFolder(Files.createDirectories(tmp.resolve("run")));
        run.writeConfig(cfg);
        assertTrue(Files.readString(run.config()).contains("\"dataFormat\" : \"pairs\""), Files.readString(run.config()));
        // config.json records the batches SPADE and end to end resolve to (the preset's, here): the same run
        assertEquals(cfg.toBuilder().spadeBatch(cfg.spadeBatch()).e2eBatch(cfg.e2eBatch()).build(), run.readConfig());
    }

    @Test
    void aConfigWrittenBeforeTheFormatEnumStillReads(@TempDir Path tmp) throws IOException {
        RunFolder run = new RunFolder(Files.createDirectories(tmp.resolve("run")));
        Files.writeString(run.config(), """
                {"preset": "tiny", "data": "/work/main/testdata", "dataFormat": "cityscapes", "labels": null, "seed": 1,
                 "segBatch": 0, "spadeBatch": 8, "e2eBatch": 8, "segPhaseEpochs": 0.0, "spadeEpochs": 0.0, "d2Epochs": 0.0,
                 "e2eEpochs": 0.0, "lrSegG": 0.0, "lrSegD": 0.0, "lrSpadeG": 0.0, "lrSpadeD": 0.0, "lrPgan": 0.0, "lrD2": 0.0,
                 "maxSteps": 0, "checkpointEvery": 500, "sampleEvery": 200, "unlabeledImages": null, "onBadSample": "FAIL",
                 "cacheMb": 1024, "vgg": null}
                """);
        TrainConfig cfg = run.readConfig();
        assertEquals(DataFormat.CITYSCAPES, cfg.dataFormat());
        assertEquals(8, cfg.spadeBatch());
        assertEquals(cfg.presetRecord().layout(), cfg.layout(), "no recorded recipe: the preset's");
    }

    @Test
    void anUnknownFormatInConfigJsonNamesTheFile(@TempDir Path tmp) throws IOException {
        RunFolder run = new RunFolder(Files.createDirectories(tmp.resolve("run")));
        Files.writeString(run.config(), "{\"preset\": \"tiny\", \"data\": \"/d\", \"dataFormat\": \"coco\"}");
        IOException e = assertThrows(IOException.class, run::readConfig);
        assertTrue(e.getMessage().startsWith(run.config() + ": not a run config"), e.getMessage());
        assertTrue(e.getMessage().contains("coco"), e.getMessage());
    }
}
