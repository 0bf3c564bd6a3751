package org.sbgan.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.files.AtomicFiles;

/** Files on any Hadoop file system: atomic writes, a bundle's local copy and its identity. */
final class HadoopFiles {
    private HadoopFiles() {}

    /** A Hadoop configuration that travels to executors (Configuration is Writable, not Serializable). */
    record Conf(byte[] bytes) implements Serializable {
        static Conf of(Configuration c) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(b)) {
                c.write(out);
            } catch (IOException e) {
                throw new IllegalStateException("cannot serialise the Hadoop configuration", e);
            }
            return new Conf(b.toByteArray());
        }

        Configuration get() {
            Configuration c = new Configuration(false);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                c.readFields(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the Hadoop configuration", e);
            }
            return c;
        }
    }

    /**
     * The file system of {@code p}; for local paths the raw one, without checksum side files (so a tree matches
     * generate's) and without their extra calls per file.
     */
    static FileSystem fs(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    /**
     * Writes {@code file} under a temporary name in its folder and renames it into place, so a reader (or a rerun
     * checking what is finished) never sees a partial file. When the rename loses to another attempt of the same task
     * that finished the file first, that file (the same bytes) stays.
     */
    static void writeAtomically(FileSystem fs, Path file, byte[] bytes) throws IOException {
        if (fs instanceof RawLocalFileSystem) {
            // Hadoop's local file system forks a process per created folder to set its permissions: java.nio instead
            AtomicFiles.write(java.nio.file.Path.of(fs.makeQualified(file).toUri()), bytes);
            return;
        }
        Path tmp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
        try (OutputStream out = fs.create(tmp, false)) {
            out.write(bytes);
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw new IOException(file + ": cannot write (" + Messages.oneLine(e) + ")", e);
        }
        if (!fs.rename(tmp, file)) {
            fs.delete(tmp, false);
            if (!fs.exists(file)) throw new IOException(file + ": cannot rename " + tmp.getName() + " into place");
        }
    }

    static byte[] read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }

    /**
     * The bundle folder as a local folder: itself for a local URI, else a copy in a temporary folder (removed when the
     * JVM exits).
     */
    static java.nio.file.Path local(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(conf);
        if (fs instanceof LocalFileSystem) return java.nio.file.Path.of(fs.makeQualified(p).toUri());
        java.nio.file.Path tmp = Files.createTempDirectory("sbgan-model-");
        java.nio.file.Path dst = tmp.resolve("model");
        fs.copyToLocalFile(false, p, new Path(dst.toUri()), true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(tmp)));
        return dst;
    }

    /** SHA-256 (hex) over a bundle's files: each one's relative name and bytes, in name order. */
    static String identity(java.nio.file.Path dir) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<java.nio.file.Path> files;
        try (Stream<java.nio.file.Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        }
        for (java.nio.file.Path f : files) {
            md.update(dir.relativize(f).toString().replace('\\', '/').getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update((byte) 0);
            try (InputStream in = Files.newInputStream(f)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void deleteTree(java.nio.file.Path root) {
        try (Stream<java.nio.file.Path> s = Files.walk(root)) {
            for (java.nio.file.Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary folder; the OS cleans it eventually
        }
    }
}
