package org.sbgan.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.models.TrainingStage;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.runtime.files.FolderLock;
import org.sbgan.runtime.files.SmallFilesystem;

/** A run folder on a disk that fills up, and one that another trainer holds. */
class RunFolderFailuresTest {
    /** Fills the file system of {@code dir} up to {@code leave} bytes. */
    private static void fill(Path dir, long leave) throws IOException {
        long n = Files.getFileStore(dir).getUsableSpace() - leave;
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(dir.resolve("filler"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < n; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), n - done));
                done += ch.write(chunk);
            }
        }
    }

    private static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> AtomicFiles.isTemporary(p.getFileName().toString())).toList();
        }
    }

    @Test
    void aFullDiskStopsTheRunInOneLineNamingThePathAndKeepsThePreviousCheckpoint(@TempDir Path tmp) throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        SmallFilesystem fs = SmallFilesystem.mount(mnt, 420L << 20);
        assumeTrue(fs != null, "mounting a tmpfs needs root; AtomicFilesTest and CheckpointsTest fail writes without one");
        try (fs) {
            Path run = mnt.resolve("run");
            TrainerTest.train(run, TrainerTest.config(1, 1000), List.of(TrainingStage.SEG), false, null);
            Checkpoints cps = new Checkpoints(run.resolve("checkpoints"), 2);
            Checkpoints.Checkpoint before = cps.latest().orElseThrow();

            fill(mnt, 2 << 20); // the config, metrics lines and sample grids fit; a checkpoint does not
            IOException e = assertThrows(IOException.class,
                    () -> TrainerTest.train(run, TrainerTest.config(1, 1000), List.of(TrainingStage.SPADE), true, null));
            assertEquals("cannot write a checkpoint in " + run.resolve("checkpoints") + " (No space left on device); the previous checkpoint is kept",
                    e.getMessage());
            Files.delete(mnt.resolve("filler"));

            Checkpoints.Checkpoint after = cps.latest().orElseThrow();
            assertEquals(before.dir(), after.dir(), "the previous checkpoint is still the latest");
            assertEquals(before.state().keySet(), after.state().keySet(), "and it loads");
            assertEquals(List.of(), temporaries(run), "no partial files");
            try (FolderLock l = FolderLock.acquire(run, "test")) {
                assertEquals(run, l.dir(), "the failed run released its folder");
            }
        }
    }

    @Test
    void aGraphSetLeftHalfWrittenIsBuiltAgain(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Path stray = run.resolve("graphs/steps/seg_g_L0.onnx");
        Files.createDirectories(stray.getParent());
        Files.writeString(stray, "half a graph");
        java.util.List<String> lines = new java.util.ArrayList<>();
        TrainerTest.train(run, TrainerTest.config(1, 1000), List.of(TrainingStage.SEG), false, new Trainer.Listener() {
            @Override
            public void message(String line) {
                lines.add(line);
            }
        });
        assertTrue(lines.stream().anyMatch(l -> l.contains("an interrupted build")), lines.toString());
        assertTrue(Files.isRegularFile(run.resolve("graphs/manifest.json")));
        assertTrue(Files.size(stray) > 1000, "the step graph was written anew");
    }

    @Test
    void aSecondTrainerOnTheSameFolderIsRefusedBeforeItWritesAnything(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        try (FolderLock held = FolderLock.acquire(run, "another trainer")) {
            FolderLock.BusyException e = assertThrows(FolderLock.BusyException.class,
                    () -> TrainerTest.train(run, TrainerTest.config(1, 1000), List.of(TrainingStage.SEG), false, null));
            assertTrue(e.getMessage().startsWith(run + ": in use by "), e.getMessage());
            try (Stream<Path> s = Files.list(run)) {
                assertEquals(List.of(FolderLock.FILE), s.map(p -> p.getFileName().toString()).toList());
            }
        }
        assertFalse(Files.exists(run.resolve("config.json")));
    }
}
