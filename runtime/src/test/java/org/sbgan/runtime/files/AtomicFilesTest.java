package org.sbgan.runtime.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic files and folders: complete or absent, the old version kept on failure, and the path in the one-line error. */
class AtomicFilesTest {
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFullDiskNamesTheFileAndKeepsTheOldOne(@TempDir Path tmp) throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        SmallFilesystem fs = SmallFilesystem.mount(mnt, 1 << 20);
        assumeTrue(fs != null, "mounting a tmpfs needs root; the failing-write test below covers the rest");
        try (fs) {
            Path f = mnt.resolve("state.bin");
            AtomicFiles.write(f, new byte[100_000]);
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, new byte[4 << 20]));
            assertEquals(f + ": cannot write (No space left on device)", e.getMessage());
            assertEquals(100_000, Files.size(f), "the old file is untouched");
            assertEquals(List.of("state.bin"), names(mnt), "no temporary file left");

            Path folder = mnt.resolve("bundle");
            IOException fe = assertThrows(IOException.class, () -> AtomicFiles.writeFolder(folder, d -> {
                AtomicFiles.write(d.resolve("a.json"), new byte[10]);
                AtomicFiles.write(d.resolve("weights.onnx"), new byte[4 << 20]);
            }));
            assertEquals(folder.resolve("weights.onnx") + ": cannot write (No space left on device)", fe.getMessage());
            assertEquals(List.of("state.bin"), names(mnt), "no partial folder left");
        }
    }

    @Test
    void aWriteThatFailsLeavesTheOldFileAndNamesIt(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("config.json");
        AtomicFiles.write(f, "old".getBytes());
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half of the new".getBytes());
            throw new IOException("No space left on device");
        }));
        assertEquals(f + ": cannot write (No space left on device)", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("config.json"), names(tmp));
    }

    @Test
    void aFolderIsSwappedInWholeOrNotAtAll(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("model");
        AtomicFiles.writeFolder(dir, d -> AtomicFiles.write(d.resolve("v"), "1".getBytes()));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeFolder(dir, d -> {
            AtomicFiles.write(d.resolve("v"), "2".getBytes());
            throw new IOException("Read-only file system");
        }));
        assertEquals(dir + ": cannot write (Read-only file system)", e.getMessage());
        assertEquals("1", Files.readString(dir.resolve("v")));
        assertEquals(List.of("model"), names(tmp));
        AtomicFiles.writeFolder(dir, d -> AtomicFiles.write(d.resolve("w"), "3".getBytes()));
        assertEquals(List.of("w"), names(dir), "the new folder replaces the old one whole");
        assertEquals(List.of("model"), names(tmp));
    }

    @Test
    void aFolderInPlaceOfAParentIsNamed(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("plots"), "a file where a folder should be");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(tmp.resolve("plots/loss.png"), new byte[1]));
        assertTrue(e.getMessage().startsWith(tmp.resolve("plots/loss.png") + ": cannot write ("), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aTemporaryFileNamesItsTarget() {
        assertEquals(Optional.of("sbgan_000001_000019_leftImg8bit.png"), AtomicFiles.temporaryTarget(".sbgan_000001_000019_leftImg8bit.png.1a2b3c.tmp"));
        assertEquals(Optional.of(".lock"), AtomicFiles.temporaryTarget("..lock.ff.tmp"));
        assertEquals(Optional.empty(), AtomicFiles.temporaryTarget("image.png"));
        assertEquals(Optional.empty(), AtomicFiles.temporaryTarget(".run.tmp-1a2b"), "a folder's");
        assertEquals(Optional.empty(), AtomicFiles.temporaryTarget(".x.png.notHex.tmp"));
    }
}
