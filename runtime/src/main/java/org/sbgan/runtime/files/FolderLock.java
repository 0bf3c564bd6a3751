package org.sbgan.runtime.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One process at a time in a folder (a run folder for {@code train} and {@code export}, an output folder for
 * {@code generate}): an exclusive operating-system lock on {@code FOLDER/.lock}, held until {@link #close()}.
 *
 * <p>The lock is the kernel's ({@link FileChannel#tryLock()}), not the file's existence, so a process killed with
 * {@code kill -9} releases it with its last breath and never blocks a rerun. The file stays (truncated when
 * released) and, while held, says who holds it: process id, command and start time, which a refused process
 * quotes. Within one JVM a second acquire of the same folder is refused too (the kernel would grant it, and
 * closing a second channel on the file would drop the first one's lock).
 *
 * <p>Processes that split one folder's work between them (the shards of {@code generate --shard K/N}) each lock a
 * file of their own ({@link #acquire(Path, String, String)}): they coexist, and two on the same part do not.
 */
public final class FolderLock implements AutoCloseable {
    /** The lock file's name inside the folder. */
    public static final String FILE = ".lock";

    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    /** Another process (or this one) holds the folder. */
    public static final class BusyException extends IOException {
        private final Path dir;

        BusyException(Path dir, String holder) {
            super(dir + ": in use by " + holder + "; wait for it to end, or use another folder");
            this.dir = dir;
        }

        public Path dir() {
            return dir;
        }
    }

    private final Path dir;
    /** The lock file, real path: what {@link #HELD_HERE} holds. */
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(Path dir, Path key, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code dir} if needed and locks it for {@code purpose} (e.g. "sbgan-cli train"). Fails at once
     * with a {@link BusyException} when the folder is held; other failures (a file where the folder should be, no
     * permission) name the folder.
     */
    public static FolderLock acquire(Path dir, String purpose) throws IOException {
        return acquire(dir, purpose, FILE);
    }

    /**
     * {@link #acquire(Path, String)} on the lock file {@code lockName} in {@code dir} instead of {@value #FILE}
     * (e.g. {@code .lock-shard-2-of-4}): only processes naming the same lock file exclude each other.
     */
    public static FolderLock acquire(Path dir, String purpose, String lockName) throws IOException {
        if (lockName.isEmpty() || lockName.equals(".") || lockName.equals("..") || lockName.contains("/") || lockName.contains("\\")) {
            throw new IllegalArgumentException("lock file name must be a plain file name, got '" + lockName + "'");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException(dir + ": exists and is not a folder");
        Path key;
        try {
            Files.createDirectories(dir);
            key = dir.toRealPath().resolve(lockName);
        } catch (IOException e) {
            throw AtomicFiles.failure(dir, e);
        }
        if (!HELD_HERE.add(key)) throw new BusyException(dir, "this process (" + ProcessHandle.current().pid() + ")");
        Path file = key;
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lk;
            try {
                lk = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lk = null;
            }
            if (lk == null) throw new BusyException(dir, holder(file));
            ch.truncate(0);
            String who = "process " + ProcessHandle.current().pid() + " (" + purpose + ", since "
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ")";
            ch.write(ByteBuffer.wrap((who + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new FolderLock(dir, key, ch, lk);
        } catch (IOException | RuntimeException e) {
            HELD_HERE.remove(key);
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // reporting the first failure
                }
            }
            if (e instanceof BusyException b) throw b;
            throw AtomicFiles.failure(file, e);
        }
    }

    /** What the lock file says about its holder, or "another process" when it says nothing readable. */
    private static String holder(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!s.isEmpty() && s.length() < 300 && s.lines().count() == 1) return s;
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        return "another process";
    }

    public Path dir() {
        return dir;
    }

    /** Releases the lock (the file stays, emptied). */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) return;
        try {
            channel.truncate(0);
            lock.release();
        } catch (IOException ignored) {
            // releasing matters, not the content: closing the channel drops the lock anyway
        } finally {
            HELD_HERE.remove(key);
            channel.close();
        }
    }
}
