package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.runtime.files.FolderLock;
import org.sbgan.runtime.write.ContactSheet;
import org.sbgan.runtime.write.SceneWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

/**
 * {@code sbgan-cli generate}: labelled scenes from a model bundle, streamed to disk. Scene i of a seed is the same
 * whatever the batch, thread count or how many runs it took, and every file is written atomically, so a rerun after a
 * crash skips the finished scenes and completes the set.
 */
@Prototype
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate labelled scenes (image + label map + colour map) from a model bundle (RUN/model from `train`, or "
                + "`export`). Memory stays bounded for any --count; a rerun with the same options completes a partial output "
                + "folder, skipping finished scenes. Also writes contact_sheet.png (the first 16 scenes)."})
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "runs/tiny/model", paramLabel = "DIR", description = "Model bundle (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--count", defaultValue = "16", paramLabel = "N", description = "Scenes to generate (default: ${DEFAULT-VALUE}).")
    long count;

    @Mixin
    SharedOptions.Seed seed;

    @Option(names = "--out", defaultValue = "generated", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--format", defaultValue = "cityscapes",
            description = "cityscapes (leftImg8bit/ + gtFine/ labelIds and color) or plain (NNNNNN/image.png, label.png, color.png) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "Scenes per ONNX Runtime run (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    SharedOptions.OnDevice device;

    @Mixin
    SharedOptions.Threads threads;

    @Option(names = "--truncation", defaultValue = "0", paramLabel = "T",
            description = "Truncation trick: redraw latent components with |z| > T (0 = off) (default: ${DEFAULT-VALUE}).")
    float truncation;

    @Mixin
    SharedOptions.Progress progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (count < 1) throw new ParameterException(spec.commandLine(), "--count must be at least 1");
        if (batch < 1) throw new ParameterException(spec.commandLine(), "--batch must be at least 1");
        if (truncation < 0) throw new ParameterException(spec.commandLine(), "--truncation must be >= 0");
        SceneWriter.Format fmt;
        try {
            fmt = SceneWriter.Format.parse(format);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be cityscapes or plain, not '" + format + "'");
        }
        int t = threads.orCores();
        try (FolderLock lock = FolderLock.acquire(out, "sbgan-cli generate")) {
            return generate(fmt, t);
        }
    }

    private int generate(SceneWriter.Format fmt, int t) throws Exception {
        removeStaleTemporaries(out);
        SceneWriter writer = SceneWriter.of(fmt, out);

        PrintStream err = System.err;
        long t0 = System.nanoTime();
        try (SceneGenerator gen = SceneGenerator.open(model, new SceneGenerator.Options(device.value, t, batch, truncation))) {
            List<long[]> todo = missingRuns(writer);
            long missing = todo.stream().mapToLong(r -> r[1]).sum(), done = count - missing;
            if (done > 0) err.println("found " + done + " finished scenes in " + out + "; generating the other " + missing);
            boolean bar = progress.bar();
            ExecutorService io = Executors.newFixedThreadPool(2, r -> {
                Thread th = new Thread(r, "sbgan-scene-writer");
                th.setDaemon(true);
                return th;
            });
            long written = 0, lastLine = System.nanoTime();
            try (ProgressBar pb = bar ? new ProgressBarBuilder().setTaskName("generate").setInitialMax(count).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).showSpeed().setUnit(" scenes", 1).startsFrom(done, java.time.Duration.ZERO)
                    .build() : null) {
                List<Future<?>> inFlight = new ArrayList<>();
                for (long[] run : todo) {
                    for (long from = run[0]; from < run[0] + run[1]; from += batch) {
                        int n = (int) Math.min(batch, run[0] + run[1] - from);
                        List<Scene> scenes = gen.scenes(seed.value, from, n);
                        // At most two batches are being written while the next one is generated: bounded memory.
                        while (inFlight.size() >= 2) inFlight.remove(0).get();
                        inFlight.add(io.submit(() -> {
                            for (Scene s : scenes) writer.write(s);
                            return null;
                        }));
                        written += n;
                        if (pb != null) pb.stepTo(done + written);
                        else if (System.nanoTime() - lastLine > 10_000_000_000L) {
                            lastLine = System.nanoTime();
                            err.printf(Locale.ROOT, "%d/%d scenes%n", done + written, count);
                        }
                    }
                }
                for (Future<?> f : inFlight) f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            } finally {
                io.shutdownNow();
            }
            List<Scene> first = gen.scenes(seed.value, 0, (int) Math.min(16, count));
            ContactSheet.write(out.resolve("contact_sheet.png"), first, 4);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%d scenes in %s (%s format): %d generated in %.1f s (%.1f scenes/s), %d already there%n", count, out,
                    fmt.name().toLowerCase(Locale.ROOT), written, s, written / s, done);
            System.out.println("contact sheet: " + out.resolve("contact_sheet.png"));
        }
        return 0;
    }

    /** Index runs [from, length] of scenes not yet complete, in order. */
    private List<long[]> missingRuns(SceneWriter writer) {
        List<long[]> runs = new ArrayList<>();
        long start = -1;
        for (long i = 0; i < count; i++) {
            boolean missing = !writer.isComplete(i);
            if (missing && start < 0) start = i;
            if (!missing && start >= 0) {
                runs.add(new long[] {start, i - start});
                start = -1;
            }
        }
        if (start >= 0) runs.add(new long[] {start, count - start});
        return runs;
    }

    /** Temporary files a killed run left behind (".name.hex.tmp", the atomic writers' pattern). */
    private static void removeStaleTemporaries(Path out) throws IOException {
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(p -> {
                return AtomicFiles.isTemporary(p.getFileName().toString()) && Files.isRegularFile(p);
            }).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static boolean emptyDir(Path d) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            return !ds.iterator().hasNext();
        }
    }
}
