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
import org.sbgan.runtime.IndexRun;
import org.sbgan.runtime.Scene;
import org.sbgan.runtime.SceneFilter;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.runtime.Shard;
import org.sbgan.runtime.bundle.ModelBundle;
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
 * crash skips the finished scenes and completes the set. {@code --shard K/N} writes slice K of the index range, so N
 * uncoordinated processes fill one folder with what one run would write; {@code --min-class-pixels} keeps a subset
 * of the candidate indices, each under its own index.
 */
@Prototype
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate labelled scenes (image + label map + colour map) from a model bundle (RUN/model from `train`, or "
                + "`export`). Memory stays bounded for any --count; a rerun with the same options completes a partial output "
                + "folder, skipping finished scenes. Also writes contact_sheet.png (the first 16 scenes; the first 16 kept ones with "
                + "--min-class-pixels)."})
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "runs/tiny/model", paramLabel = "DIR", description = "Model bundle (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--count", defaultValue = "16", paramLabel = "N",
            description = "Scenes to generate, indices 0..N-1; with --min-class-pixels, candidate indices (default: ${DEFAULT-VALUE}).")
    long count;

    @Mixin
    SharedOptions.Seed seed;

    @Option(names = "--out", defaultValue = "generated", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--format", defaultValue = "cityscapes",
            description = "cityscapes (leftImg8bit/ + gtFine/ labelIds and color) or plain (NNNNNN/image.png, label.png, color.png) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--shard", defaultValue = "0/1", paramLabel = "K/N",
            description = "Write only slice K of N (K from 0) of the indices 0..count-1, each scene under its own index, so N processes "
                    + "(a Kubernetes indexed job, a Slurm array) fill one --out folder without coordination and together write exactly "
                    + "what one run would. Each shard locks its own part; give all of them the same options but K (default: ${DEFAULT-VALUE}, all).")
    Shard shard;

    @Option(names = "--min-class-pixels", paramLabel = "CLASS=FRACTION",
            description = "Keep only scenes whose label map has at least FRACTION of its pixels in CLASS (0.01 or 1%%; a class name of the "
                    + "model); repeatable, all must hold. --count is then the number of candidates: a kept scene is written under its own "
                    + "index, the same files as without the filter, so the set is a subset of the unfiltered one and composes with --shard. "
                    + "The acceptance rate is reported; a rerun examines the rejected candidates again.")
    List<String> minClassPixels = new ArrayList<>();

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
        ModelBundle bundle = ModelBundle.read(model);
        SceneFilter filter;
        try {
            filter = SceneFilter.parse(minClassPixels, bundle.classes());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--min-class-pixels " + e.getMessage());
        }
        // Shards lock their own part of the folder: they run side by side, the same shard twice does not.
        String lockName = shard.all() ? FolderLock.FILE : FolderLock.FILE + "-shard-" + shard.index() + "-of-" + shard.count();
        try (FolderLock lock = FolderLock.acquire(out, "sbgan-cli generate" + (shard.all() ? "" : " --shard " + shard), lockName)) {
            return generate(bundle, fmt, filter, t);
        }
    }

    private int generate(ModelBundle bundle, SceneWriter.Format fmt, SceneFilter filter, int t) throws Exception {
        long first = shard.from(count), end = shard.to(count), range = end - first;
        SceneWriter writer = SceneWriter.of(fmt, out);
        // A shard removes only its own scenes' leftovers: the other shards' files may be in flight.
        if (shard.all()) writer.removeStaleTemporaries();
        else writer.removeStaleTemporaries(first, end);

        PrintStream err = System.err;
        long t0 = System.nanoTime();
        try (SceneGenerator gen = SceneGenerator.open(bundle, new SceneGenerator.Options(device.value, t, batch, truncation))) {
            List<IndexRun> todo = IndexRun.where(first, end, i -> !writer.isComplete(i));
            long missing = todo.stream().mapToLong(IndexRun::length).sum(), done = range - missing;
            if (done > 0) {
                err.println("found " + done + " finished scenes in " + out + "; " + (filter.keepsAll() ? "generating the other " + missing
                        : "examining the other " + missing + " candidates"));
            }
            boolean bar = progress.bar() && range > 0;
            ExecutorService io = Executors.newFixedThreadPool(2, r -> {
                Thread th = new Thread(r, "sbgan-scene-writer");
                th.setDaemon(true);
                return th;
            });
            long examined = 0, written = 0;
            try (ProgressOutput shown = new ProgressOutput(err, bar, "generate", " scenes", true)) {
                List<Future<?>> inFlight = new ArrayList<>();
                for (IndexRun run : todo) {
                    for (long from = run.from(); from < run.end(); from += batch) {
                        int n = (int) Math.min(batch, run.end() - from);
                        // Rejected candidates get no image: the filter reads the label map only.
                        List<Scene> scenes = gen.scenes(seed.value, from, n, filter::keeps);
                        // At most two batches are being written while the next one is generated: bounded memory.
                        while (inFlight.size() >= 2) inFlight.remove(0).get();
                        inFlight.add(io.submit(() -> {
                            for (Scene s : scenes) writer.write(s);
                            return null;
                        }));
                        examined += n;
                        written += scenes.size();
                        long at = done + examined, kept = done + written;
                        shown.step(at, range, null, false,
                                () -> String.format(Locale.ROOT, "%d/%d scenes%s", at, range, filter.keepsAll() ? "" : ", " + kept + " kept"));
                    }
                }
                for (Future<?> f : inFlight) f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            } finally {
                io.shutdownNow();
            }
            List<Scene> sheet = ContactSheet.firstScenes(gen, seed.value, count, filter);
            if (!sheet.isEmpty()) ContactSheet.write(out.resolve("contact_sheet.png"), sheet, ContactSheet.COLUMNS);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%s in %s (%s format): %d generated in %.1f s (%.1f scenes/s), %d already there%n", what(first, end, filter),
                    out, fmt.name().toLowerCase(Locale.ROOT), written, s, written / s, done);
            if (!filter.keepsAll()) {
                long kept = done + written; // finished scenes passed the filter when they were written
                System.out.println("kept " + kept + " of " + range + " scenes" + (range == 0 ? "" : String.format(Locale.ROOT, " (%.1f %%)", 100.0 * kept / range))
                        + " with " + filter.describe());
            }
            System.out.println(sheet.isEmpty() ? "no contact sheet: no scene of 0.." + (count - 1) + " has " + filter.describe()
                    : "contact sheet: " + out.resolve("contact_sheet.png"));
        }
        return 0;
    }

    /** "16 scenes", "shard 1/3 (scenes 5..9 of 16)", "16 candidate scenes", ...: what this run was to write. */
    private String what(long first, long end, SceneFilter filter) {
        String scenes = filter.keepsAll() ? "scenes" : "candidate scenes";
        if (shard.all()) return count + " " + scenes;
        return "shard " + shard + " (" + (first == end ? "no scenes" : scenes + " " + first + ".." + (end - 1)) + " of " + count + ")";
    }

    static boolean emptyDir(Path d) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            return !ds.iterator().hasNext();
        }
    }
}
