package org.sbgan.graphs.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriteTest {
    @TempDir
    Path dir;

    @Test
    void writtenFilesGetNormalPermissions() throws IOException {
        Path f = dir.resolve("model.onnx");
        OnnxExport.writeAtomically(f, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Path ref = Files.createFile(dir.resolve("plain"));
            assertEquals(Files.getPosixFilePermissions(ref), Files.getPosixFilePermissions(f));
        }
    }

    @Test
    void aFailedWriteKeepsThePreviousFileAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("state.onnx");
        OnnxExport.writeAtomically(f, out -> out.write(new byte[] {7}));
        IOException e = assertThrows(IOException.class, () -> OnnxExport.writeAtomically(f, out -> {
            out.write(new byte[] {9, 9});
            throw new IOException("disk full");
        }));
        assertEquals(f + ": cannot write (disk full)", e.getMessage(), "one line naming the file");
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the previous file remains");
        }
    }
}
