package org.sbgan.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.runtime.Messages;

/**
 * The layout of a run folder:
 * <pre>
 * config.json      the {@link TrainConfig}: what the run computes; a resumed run reads it back
 * graphs/          the build-graphs output the run trains (steps/, inference/, state/, manifest.json)
 * checkpoints/     step-NNNNNNNNNN/{state.onnx, checkpoint.json}, written atomically
 * samples/         PNG grids with fixed inputs
 * metrics.jsonl    one line per iteration: losses, learning rates, step time, images/s
 * plots/           loss curves per stage (PNG)
 * model/           the model bundle of the last state (model.json + generator ONNX with the weights)
 * </pre>
 */
public record RunFolder(Path dir) {
    public static final String CONFIG = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Path config() {
        return dir.resolve(CONFIG);
    }

    public Path graphs() {
        return dir.resolve("graphs");
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    public Path samples() {
        return dir.resolve("samples");
    }

    public Path metrics() {
        return dir.resolve("metrics.jsonl");
    }

    public Path plots() {
        return dir.resolve("plots");
    }

    public Path model() {
        return dir.resolve("model");
    }

    /** Creates the folder if needed and writes config.json atomically. */
    public void writeConfig(TrainConfig cfg) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException("--run " + dir + " exists and is not a folder");
        byte[] bytes = JSON.writeValueAsBytes(cfg);
        AtomicFiles.write(config(), bytes);
    }

    /** The saved config, for {@code --resume}. */
    public TrainConfig readConfig() throws IOException {
        try {
            return JSON.readValue(Files.readAllBytes(config()), TrainConfig.class);
        } catch (NoSuchFileException e) {
            throw new IOException(config() + ": no such file; " + dir + " is not a run folder", e);
        } catch (IOException e) {
            throw new IOException(config() + ": not a run config (" + Messages.oneLine(e.getMessage()) + ")", e);
        }
    }

    public boolean hasConfig() {
        return Files.isRegularFile(config());
    }
}
