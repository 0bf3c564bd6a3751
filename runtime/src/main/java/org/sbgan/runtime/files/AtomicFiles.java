package org.sbgan.runtime.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sbgan.runtime.Messages;

/**
 * Writes that leave a complete file (or folder) or none, and fail with one line naming the path.
 *
 * <p>A file is written to a hidden temporary file beside it ({@code .NAME.HEX.tmp}), flushed to disk, then renamed
 * over the target; on any failure (a full disk, a read-only folder, a killed write) the temporary file is removed
 * and the old target, if any, is untouched. A folder is assembled in a hidden sibling ({@code .NAME.tmp-HEX}) and
 * swapped in the same way. Every IOException these methods throw reads {@code PATH: cannot write (REASON)}.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content of a file. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Fills a (temporary) folder. */
    @FunctionalInterface
    public interface Contents {
        void write(Path dir) throws IOException;
    }

    /** Suffix of the temporary files; a process killed mid-write leaves one behind, which {@link #isTemporary} recognises. */
    public static final String TMP_SUFFIX = ".tmp";
    private static final Pattern TMP_FILE = Pattern.compile("\\.(.+)\\.[0-9a-f]+" + Pattern.quote(TMP_SUFFIX));

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * Writes {@code file} atomically (parent folders are created). The file gets the process's normal permissions
     * (a temp file from {@code Files.createTempFile} would stay owner-only after the rename).
     */
    public static void write(Path file, Body body) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + TMP_SUFFIX);
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                body.write(new KeepOpen(out));
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw failure(file, e);
        }
    }

    /**
     * Fills a hidden sibling of {@code dir} and then puts it in {@code dir}'s place; the old {@code dir}, if any, is
     * removed only once the new one is complete. On failure the sibling is removed and {@code dir} is as it was.
     */
    public static void writeFolder(Path dir, Contents contents) throws IOException {
        Path abs = dir.toAbsolutePath();
        Path parent = abs.getParent();
        String stamp = Long.toHexString(System.nanoTime());
        Path tmp = parent.resolve("." + abs.getFileName() + ".tmp-" + stamp);
        Path old = parent.resolve("." + abs.getFileName() + ".old-" + stamp);
        try {
            Files.createDirectories(parent);
            Files.createDirectory(tmp);
            contents.write(tmp);
            if (Files.exists(abs)) Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTreeQuietly(tmp);
            if (!Files.exists(abs) && Files.exists(old)) {
                try {
                    Files.move(old, abs, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException ignored) {
                    // the original failure is the one to report; the old folder stays at its hidden name
                }
            }
            // A file's failure names it where it was going to be, not at its temporary place.
            String m = e.getMessage();
            if (e instanceof IOException && m != null && m.contains(tmp.toString())) throw new IOException(m.replace(tmp.toString(), abs.toString()), e);
            throw failure(dir, e);
        }
        deleteTreeQuietly(old);
    }

    /** Whether a file name is one of this class's temporary files or folders (left by a killed process). */
    public static boolean isTemporary(String name) {
        return name.startsWith(".") && (name.endsWith(TMP_SUFFIX) || name.contains(".tmp-") || name.contains(".old-"));
    }

    /**
     * The name of the file a temporary file ({@code .NAME.HEX.tmp}) was going to become, in the same folder; empty
     * for any other name. Lets a process remove only its own files' leftovers where others write beside it.
     */
    public static Optional<String> temporaryTarget(String name) {
        Matcher m = TMP_FILE.matcher(name);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * An IOException whose one-line message names {@code path}: {@code PATH: cannot write (REASON)}. A message
     * that already names a path (one of ours, or a {@link FileSystemException} with its file) is kept as it is.
     */
    public static IOException failure(Path path, Throwable e) {
        if (e instanceof IOException io && io.getMessage() != null && io.getMessage().contains(": cannot write (")) return io;
        return new IOException(path + ": cannot write (" + reason(e) + ")", e);
    }

    /** The reason of a failure without the path: "No space left on device", "Read-only file system", .... */
    public static String reason(Throwable e) {
        if (e instanceof FileSystemException f) return Messages.why(f) + (f.getFile() != null ? ": " + f.getFile() : "");
        return Messages.oneLine(e);
    }

    /** Removes a file tree if it exists; an IOException names the path that could not be removed. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }

    static void deleteTreeQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException | RuntimeException ignored) {
            // best effort: the failure being reported matters more
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Passes writes through and turns close() into flush(), so the file can be forced to disk afterwards. */
    private static final class KeepOpen extends java.io.FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
