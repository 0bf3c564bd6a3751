package org.sbgan.runtime.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process per folder: a second is refused in one line naming the folder and the holder; kill -9 frees it. */
class FolderLockTest {
    @Test
    void aSecondAcquireIsRefusedUntilTheFirstIsClosed(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        try (FolderLock first = FolderLock.acquire(dir, "test")) {
            assertTrue(Files.isDirectory(dir), "the folder is created");
            FolderLock.BusyException e = assertThrows(FolderLock.BusyException.class, () -> FolderLock.acquire(dir, "test"));
            assertEquals(dir + ": in use by this process (" + ProcessHandle.current().pid() + "); wait for it to end, or use another folder",
                    e.getMessage());
            assertThrows(FolderLock.BusyException.class, () -> FolderLock.acquire(tmp.resolve("run/../run"), "test"), "same folder, other spelling");
        }
        try (FolderLock again = FolderLock.acquire(dir, "test")) {
            assertEquals(dir, again.dir());
        }
    }

    @Test
    void anotherProcessIsNamedAndItsLockDiesWithIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-cp", cp, LockHolder.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
            assertEquals("locked", r.readLine());
            FolderLock.BusyException e = assertThrows(FolderLock.BusyException.class, () -> FolderLock.acquire(dir, "test"));
            assertTrue(e.getMessage().startsWith(dir + ": in use by process " + p.pid() + " (lock holder, since "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        } finally {
            p.destroyForcibly(); // SIGKILL: no chance to release anything
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        try (FolderLock mine = FolderLock.acquire(dir, "test")) {
            assertTrue(Files.readString(dir.resolve(FolderLock.FILE)).startsWith("process " + ProcessHandle.current().pid()));
        }
    }

    @Test
    void namedLocksShareAFolderButNotALockFile(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-cp", cp, LockHolder.class.getName(), dir.toString(), ".lock-shard-0-of-2").redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
            assertEquals("locked", r.readLine());
            try (FolderLock other = FolderLock.acquire(dir, "test", ".lock-shard-1-of-2")) {
                FolderLock.BusyException e = assertThrows(FolderLock.BusyException.class, () -> FolderLock.acquire(dir, "test", ".lock-shard-0-of-2"));
                assertTrue(e.getMessage().startsWith(dir + ": in use by process " + p.pid() + " (lock holder, since "), e.getMessage());
                assertThrows(FolderLock.BusyException.class, () -> FolderLock.acquire(dir, "test", ".lock-shard-1-of-2"), "held in this process");
                try (FolderLock plain = FolderLock.acquire(dir, "test")) {
                    assertTrue(Files.readString(dir.resolve(".lock-shard-1-of-2")).startsWith("process " + ProcessHandle.current().pid() + " (test"));
                }
            }
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        try (FolderLock mine = FolderLock.acquire(dir, "test", ".lock-shard-0-of-2")) {
            assertEquals(dir, mine.dir());
        }
        assertThrows(IllegalArgumentException.class, () -> FolderLock.acquire(dir, "test", "../x"));
    }

    @Test
    void aFolderThatCannotBeCreatedIsNamed(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        Exception taken = assertThrows(Exception.class, () -> FolderLock.acquire(file, "test"));
        assertEquals(file + ": exists and is not a folder", taken.getMessage());
        Exception e = assertThrows(Exception.class, () -> FolderLock.acquire(file.resolve("run"), "test"));
        assertTrue(e.getMessage().startsWith(file.resolve("run") + ": cannot write ("), e.getMessage());
    }
}
