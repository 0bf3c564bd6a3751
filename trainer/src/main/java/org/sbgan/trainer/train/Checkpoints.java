package org.sbgan.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.trainer.step.StateFile;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.runtime.files.AtomicFiles;

/**
 * The {@code checkpoints/} folder of a run. A checkpoint is a folder {@code step-<global step>} holding
 * {@code state.onnx} (every state tensor, a {@link StateFile}) and {@code checkpoint.json} (where in the schedule it
 * was taken). It is written atomically: into a hidden temporary folder, every file fsynced, then renamed into place
 * and the parent fsynced; a failed write removes the temporary folder and leaves every earlier checkpoint as it was.
 * Only complete checkpoints are ever listed; the newest {@code keep} are kept, and the last one of every stage.
 */
public final class Checkpoints {
    public static final String STATE = "state.onnx", META = "checkpoint.json";
    /** A checkpoint.json field: the last checkpoint of a stage, kept beyond {@code keep} (export and eval use it). */
    public static final String STAGE_END = "stage_end";
    private static final String PREFIX = "step-", TMP = ".tmp-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int keep;
    private final StateWriter writer;

    /** How the state file is written; tests substitute one that fails midway, as a full disk does. */
    @FunctionalInterface
    interface StateWriter {
        void write(Path file, StateStore store, String doc) throws IOException;
    }

    /** Where in the schedule a checkpoint was taken: {@code iteration} iterations of {@code phaseId} are done. */
    public record Position(String phaseId, long iteration, long globalStep) {}

    /** A checkpoint on disk. */
    public record Checkpoint(Path dir, Position position, JsonNode meta) {
        public Map<String, Tensor> state() throws IOException {
            return StateFile.read(dir.resolve(STATE));
        }
    }

    public Checkpoints(Path dir, int keep) {
        this(dir, keep, StateFile::write);
    }

    Checkpoints(Path dir, int keep, StateWriter writer) {
        if (keep < 1) throw new IllegalArgumentException("keep at least one checkpoint");
        this.dir = dir;
        this.keep = keep;
        this.writer = writer;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes a checkpoint of the store's current state at {@code pos}, with {@code extra} fields in its JSON, then
     * removes the oldest beyond {@code keep}. An IOException's message names the checkpoints folder.
     */
    public Path write(StateStore store, Position pos, ObjectNode extra) throws IOException {
        String name = String.format("%s%010d", PREFIX, pos.globalStep());
        Path target = dir.resolve(name);
        Path tmp = dir.resolve(TMP + name + "-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(dir);
            Files.createDirectory(tmp);
            writer.write(tmp.resolve(STATE), store, "sbgan checkpoint at " + pos.phaseId() + " iteration " + pos.iteration());
            ObjectNode meta = JSON.createObjectNode();
            meta.put("format", 1);
            meta.put("phase", pos.phaseId());
            meta.put("iteration", pos.iteration());
            meta.put("step", pos.globalStep());
            meta.put("tensors", store.names().size());
            if (extra != null) meta.setAll(extra);
            AtomicFiles.write(tmp.resolve(META), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
            fsyncDir(tmp);
            if (Files.exists(target)) AtomicFiles.deleteTree(target);
            try {
                Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
            fsyncDir(dir);
        } catch (IOException | RuntimeException e) {
            try {
                AtomicFiles.deleteTree(tmp);
            } catch (IOException ignored) {
                // the original failure is the one to report
            }
            throw new IOException("cannot write a checkpoint in " + dir + " (" + describe(e) + "); the previous checkpoint is kept", e);
        }
        prune();
        return target;
    }

    /** The innermost reason ("No space left on device"), without the temporary paths it happened at. */
    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() instanceof IOException c) t = c;
        return AtomicFiles.reason(t);
    }

    /** Complete checkpoints, oldest first. Unreadable ones (a foreign folder, a damaged JSON) are skipped. */
    public List<Checkpoint> list() throws IOException {
        List<Checkpoint> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path p : ds) {
                Path meta = p.resolve(META);
                if (!Files.isRegularFile(meta) || !Files.isRegularFile(p.resolve(STATE))) continue;
                try {
                    JsonNode m = JSON.readTree(Files.readAllBytes(meta));
                    out.add(new Checkpoint(p, new Position(m.path("phase").asText(), m.path("iteration").asLong(), m.path("step").asLong()), m));
                } catch (IOException e) {
                    // not a complete checkpoint
                }
            }
        }
        out.sort(Comparator.comparingLong(c -> c.position().globalStep()));
        return out;
    }

    public Optional<Checkpoint> latest() throws IOException {
        List<Checkpoint> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Removes temporary folders left by a killed process, and checkpoints beyond {@code keep}. */
    public void prune() throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, TMP + "*")) {
            for (Path p : ds) AtomicFiles.deleteTree(p);
        }
        List<Checkpoint> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            if (!all.get(i).meta().path(STAGE_END).asBoolean(false)) AtomicFiles.deleteTree(all.get(i).dir());
        }
    }

    /** The newest checkpoint taken at the end of a stage ({@code seg}, {@code spade}, {@code e2e}, …), if any. */
    public Optional<Checkpoint> endOf(String stage) throws IOException {
        Checkpoint found = null;
        for (Checkpoint c : list()) {
            if (c.meta().path(STAGE_END).asBoolean(false) && stage.equals(c.meta().path("stage").asText())) found = c;
        }
        return Optional.ofNullable(found);
    }

    /**
     * Removes checkpoints taken after {@code globalStep} (a resumed run redoes those steps).
     */
    public void dropAfter(long globalStep) throws IOException {
        for (Checkpoint c : list()) if (c.position().globalStep() > globalStep) AtomicFiles.deleteTree(c.dir());
    }

    private static void fsyncDir(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every platform can open a folder for fsync; the rename is still atomic
        }
    }

}
