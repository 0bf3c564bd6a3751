package org.sbgan.runtime.write;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.files.AtomicFiles;

/**
 * Writes scenes as PNG files, one scene at a time, so a stream of any length needs memory for one scene only.
 *
 * <p>Two layouts:
 * <ul>
 *   <li>{@link Format#CITYSCAPES}: {@code leftImg8bit/<split>/<city>/<city>_<seq>_000019_leftImg8bit.png},
 *       {@code gtFine/<split>/<city>/<city>_<seq>_000019_gtFine_labelIds.png} (8-bit gray raw label ids) and
 *       {@code ..._gtFine_color.png}, with seq the scene index in six digits, so the output can be read by
 *       any Cityscapes loader (this project's trainer included).</li>
 *   <li>{@link Format#PLAIN}: {@code <index 6 digits>/image.png}, {@code label.png} (8-bit gray class indices)
 *       and {@code color.png}.</li>
 * </ul>
 * Every file is written to a temporary name and renamed into place ({@link AtomicFiles}), and the colour file goes
 * last, so {@link #isComplete} after a crash is true only for scenes whose three files are whole: a rerun can
 * skip them. Thread-safe (it holds no mutable state); scenes of different indices can be written concurrently.
 */
public final class SceneWriter {
    public enum Format {
        CITYSCAPES,
        PLAIN;

        /** {@code cityscapes} or {@code plain}, case-insensitive. */
        public static Format parse(String s) {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        }
    }

    public static final String DEFAULT_SPLIT = "train", DEFAULT_CITY = "sbgan";

    private final Path out;
    private final ScenePngs pngs;

    private SceneWriter(Path out, ScenePngs pngs) {
        this.out = Objects.requireNonNull(out, "out");
        this.pngs = pngs;
    }

    /** The Cityscapes layout, split {@value #DEFAULT_SPLIT}, city {@value #DEFAULT_CITY}. */
    public static SceneWriter cityscapes(Path out) {
        return cityscapes(out, DEFAULT_SPLIT, DEFAULT_CITY);
    }

    public static SceneWriter cityscapes(Path out, String split, String city) {
        return new SceneWriter(out, new ScenePngs(Format.CITYSCAPES, split, city));
    }

    public static SceneWriter plain(Path out) {
        return new SceneWriter(out, ScenePngs.of(Format.PLAIN));
    }

    public static SceneWriter of(Format format, Path out) {
        return format == Format.CITYSCAPES ? cityscapes(out) : plain(out);
    }

    public Path out() {
        return out;
    }

    public Format format() {
        return pngs.format();
    }

    /** The names and encoding of the files this writer writes. */
    public ScenePngs pngs() {
        return pngs;
    }

    /** The files of scene {@code index}: image, label map, colour label map. */
    public List<Path> files(long index) {
        return pngs.names(index).stream().map(out::resolve).toList();
    }

    /** Whether all files of scene {@code index} exist (each is written atomically, so each is whole). */
    public boolean isComplete(long index) {
        try {
            return pngs.complete(index, name -> Files.isRegularFile(out.resolve(name)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // Files.isRegularFile throws none
        }
    }

    /**
     * Removes the temporary files a killed writer left behind ({@link AtomicFiles}'s {@code .NAME.HEX.tmp}) for the
     * files of scenes {@code from..to-1}, and no others: processes writing other scenes into this folder at the same
     * time may have theirs in flight.
     *
     * @return how many were removed
     */
    public int removeStaleTemporaries(long from, long to) throws IOException {
        return removeTemporaries(f -> AtomicFiles.temporaryTarget(f.getFileName().toString()).map(target -> {
            long i = pngs.indexOf(out.relativize(f.resolveSibling(target)).toString().replace('\\', '/'));
            return i >= from && i < to;
        }).orElse(false));
    }

    /** Removes every temporary file under the folder (a scene's, the contact sheet's, any): for a run that owns it. */
    public int removeStaleTemporaries() throws IOException {
        return removeTemporaries(f -> AtomicFiles.isTemporary(f.getFileName().toString()));
    }

    /** Removes the regular files under the folder that {@code which} accepts. */
    private int removeTemporaries(java.util.function.Predicate<Path> which) throws IOException {
        if (!Files.isDirectory(out)) return 0;
        int[] removed = {0};
        Files.walkFileTree(out, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && which.test(f) && Files.deleteIfExists(f)) removed[0]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE; // another writer's file, renamed meanwhile
                throw e;
            }
        });
        return removed[0];
    }

    /**
     * Writes a scene under its index.
     *
     * @return the files written
     * @throws IllegalArgumentException for a rendered scene (no index), or a label that does not fit 8 bits
     */
    public List<Path> write(Scene scene) throws IOException {
        if (scene.index() < 0) throw new IllegalArgumentException("scene has no index (a rendered scene); use write(scene, index)");
        return write(scene, scene.index());
    }

    /** Writes a scene under {@code index}. */
    public List<Path> write(Scene scene, long index) throws IOException {
        List<Path> files = files(index);
        List<byte[]> bytes = pngs.encode(scene);
        for (int i = 0; i < files.size(); i++) AtomicFiles.write(files.get(i), bytes.get(i));
        return files;
    }

    @Override
    public String toString() {
        return "SceneWriter[" + pngs.format().name().toLowerCase(Locale.ROOT) + ", " + out + "]";
    }
}
