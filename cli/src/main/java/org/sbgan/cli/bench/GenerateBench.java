package org.sbgan.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import org.sbgan.graphs.models.Preset;
import org.sbgan.runtime.Device;
import org.sbgan.runtime.SceneGenerator;
import org.sbgan.trainer.train.BundleWriter;
import org.sbgan.runtime.labels.LabelSpaces;

/**
 * Scene generation speed through the runtime ({@code sbgan-cli bench generate}): a bundle of the preset with its
 * initial weights (speed does not depend on the weights), opened as a {@link SceneGenerator}, timed at batch 1 and
 * batch 16. One scene = G_seg, argmax, one-hot, G_img, and the copies to Java.
 */
public final class GenerateBench {
    private GenerateBench() {}

    public record Options(String preset, int scenes, int repeats, int threads, Device device) {}

    /** Per batch size: median over repeats of the time to generate {@code scenes} scenes. */
    public record Point(int batch, double msPerSceneMedian, double scenesPerS) {}

    public record Result(String preset, Device device, int threads, int scenes, Point batch1, Point batch16, double peakRssMb,
            double bundleMs) {}

    public static Result run(Options o, Consumer<String> progress) throws Exception {
        Preset p = Preset.byName(o.preset());
        Path dir = Files.createTempDirectory("sbgan-bench-generate");
        try {
            long t0 = System.nanoTime();
            Path bundle = dir.resolve("model");
            BundleWriter.writeInitial(bundle, p, 1, LabelSpaces.resolve(null, p.numClasses()));
            double bundleMs = (System.nanoTime() - t0) / 1e6;
            progress.accept(String.format(Locale.ROOT, "wrote a %s bundle with initial weights in %.0f ms", p.name(), bundleMs));
            Point b1 = point(bundle, o, 1, progress), b16 = point(bundle, o, 16, progress);
            return new Result(p.name(), o.device(), o.threads(), o.scenes(), b1, b16, TrainBench.peakRssMb(), bundleMs);
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            } catch (IOException e) {
                // a temporary folder left behind is harmless
            }
        }
    }

    private static Point point(Path bundle, Options o, int batch, Consumer<String> progress) throws Exception {
        try (SceneGenerator gen = SceneGenerator.open(bundle, new SceneGenerator.Options(o.device(), o.threads(), batch, 0))) {
            gen.generate(Math.max(batch, 4), 99); // warm-up: session initialisation, arena growth
            double[] ms = new double[o.repeats()];
            for (int r = 0; r < o.repeats(); r++) {
                long t = System.nanoTime();
                long[] sink = new long[1];
                gen.generate(o.scenes(), 1000 + r, s -> sink[0] += s.index());
                ms[r] = (System.nanoTime() - t) / 1e6 / o.scenes();
            }
            Arrays.sort(ms);
            double med = ms[ms.length / 2];
            progress.accept(String.format(Locale.ROOT, "batch %d: %.2f ms/scene (median of %d runs of %d scenes)", batch, med, o.repeats(), o.scenes()));
            return new Point(batch, med, 1000 / med);
        }
    }

    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "generate, preset %s, %s, %d threads, %d scenes per run%n", r.preset(), r.device().name().toLowerCase(Locale.ROOT),
                r.threads(), r.scenes()));
        sb.append(String.format(Locale.ROOT, "%-8s %14s %12s%n", "batch", "ms/scene", "scenes/s"));
        for (Point p : new Point[] {r.batch1(), r.batch16()}) {
            sb.append(String.format(Locale.ROOT, "%-8d %14.2f %12.1f%n", p.batch(), p.msPerSceneMedian(), p.scenesPerS()));
        }
        sb.append(String.format(Locale.ROOT, "peak RSS %.0f MB%n", r.peakRssMb()));
        return sb.toString();
    }

    public static String json(Result r) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("preset", r.preset());
        o.put("device", r.device().name().toLowerCase(Locale.ROOT));
        o.put("threads", r.threads());
        o.put("scenes_per_run", r.scenes());
        o.put("ms_per_scene_batch1", r.batch1().msPerSceneMedian());
        o.put("scenes_per_s_batch1", r.batch1().scenesPerS());
        o.put("ms_per_scene_batch16", r.batch16().msPerSceneMedian());
        o.put("scenes_per_s_batch16", r.batch16().scenesPerS());
        o.put("peak_rss_mb", r.peakRssMb());
        return o.toString();
    }
}
