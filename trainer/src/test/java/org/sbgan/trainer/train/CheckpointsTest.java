package org.sbgan.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.trainer.step.StateFile;
import org.sbgan.trainer.step.StateStore;

/** Checkpoints are all-or-nothing: a failed write leaves the previous one loadable and names the folder. */
class CheckpointsTest {
    private static StateStore store(float v) {
        StateStore s = new StateStore(OrtEnvironment.getEnvironment());
        s.put("w", Tensor.filled(v, 3, 4));
        s.put("opt.g.step", Tensor.longs(new long[] {7}, 1));
        return s;
    }

    @Test
    void roundTripAndKeepsTheNewest(@TempDir Path tmp) throws IOException {
        Checkpoints c = new Checkpoints(tmp.resolve("checkpoints"), 2);
        try (StateStore s = store(1.5f)) {
            for (long step = 1; step <= 3; step++) c.write(s, new Checkpoints.Position("seg/L0/stabilize", step, step), null);
        }
        assertEquals(2, c.list().size(), "only the newest two are kept");
        Checkpoints.Checkpoint last = c.latest().orElseThrow();
        assertEquals(3, last.position().globalStep());
        Map<String, Tensor> st = last.state();
        assertEquals(Tensor.filled(1.5f, 3, 4), st.get("w"));
        assertEquals(7L, st.get("opt.g.step").longs()[0]);
    }

    @Test
    void aWriteThatFailsMidwayKeepsThePreviousCheckpoint(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("checkpoints");
        try (StateStore s = store(2f)) {
            new Checkpoints(dir, 2).write(s, new Checkpoints.Position("spade", 10, 10), null);
            // A full disk: the state file gets half its bytes, then the write fails.
            Checkpoints full = new Checkpoints(dir, 2, (file, store, doc) -> {
                try (OutputStream out = Files.newOutputStream(file)) {
                    out.write(new byte[100]);
                }
                throw new IOException("No space left on device");
            });
            s.put("w", Tensor.filled(9f, 3, 4));
            IOException e = assertThrows(IOException.class, () -> full.write(s, new Checkpoints.Position("spade", 20, 20), null));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        Checkpoints c = new Checkpoints(dir, 2);
        assertEquals(1, c.list().size());
        Checkpoints.Checkpoint ck = c.latest().orElseThrow();
        assertEquals(10, ck.position().globalStep());
        assertEquals(Tensor.filled(2f, 3, 4), ck.state().get("w"), "the previous checkpoint is intact and loadable");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary folder is left behind");
        }
    }

    @Test
    void aFolderThatCannotBeCreatedIsNamed(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("checkpoints");
        Files.writeString(dir, "a file where the folder should be");
        try (StateStore s = store(1f)) {
            IOException e = assertThrows(IOException.class, () -> new Checkpoints(dir, 2).write(s, new Checkpoints.Position("e2e", 1, 1), null));
            assertTrue(e.getMessage().startsWith("cannot write a checkpoint in " + dir), e.getMessage());
        }
    }

    @Test
    void halfWrittenFoldersAreNeverListed(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("checkpoints");
        try (StateStore s = store(1f)) {
            new Checkpoints(dir, 3).write(s, new Checkpoints.Position("seg/L1/fade", 5, 5), null);
        }
        // What a killed process leaves: a temporary folder, and a step folder without its JSON.
        Files.createDirectories(dir.resolve(".tmp-step-0000000009-abc"));
        Path partial = Files.createDirectories(dir.resolve("step-0000000009"));
        Files.write(partial.resolve(Checkpoints.STATE), new byte[10]);
        Checkpoints c = new Checkpoints(dir, 3);
        assertEquals(5, c.latest().orElseThrow().position().globalStep());
        c.prune();
        assertFalse(Files.exists(dir.resolve(".tmp-step-0000000009-abc")));
        IOException e = assertThrows(IOException.class, () -> StateFile.read(partial.resolve(Checkpoints.STATE)));
        assertTrue(e.getMessage().startsWith(partial.resolve(Checkpoints.STATE).toString()), e.getMessage());
    }
}
