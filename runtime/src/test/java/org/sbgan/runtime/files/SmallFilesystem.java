package org.sbgan.runtime.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real, small tmpfs mounted on a folder, for full-disk tests. Mounting needs root (or CAP_SYS_ADMIN);
 * {@link #mount} returns null where the machine does not allow it, and the test says so and is skipped.
 */
public final class SmallFilesystem implements AutoCloseable {
    private final Path dir;

    private SmallFilesystem(Path dir) {
        this.dir = dir;
    }

    public static SmallFilesystem mount(Path dir, long bytes) throws IOException, InterruptedException {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) return null;
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? new SmallFilesystem(dir) : null;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
