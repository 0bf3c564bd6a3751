package org.sbgan.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.models.TrainingStage;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.models.Preset;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.Datasets;
import org.sbgan.trainer.data.FileSampleSource;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.loader.Transforms;
import org.sbgan.trainer.run.MetricsLog;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.runtime.bundle.ModelJson;

/** Training on the bundled testdata/ with the tiny preset: an effect on the generator, exact resume, NaN stop. */
class TrainerTest {
    static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
    private static final int FLAT = LabelSpaces.cityscapesCategories().indexOf("flat");

    static TrainConfig config(long maxSteps, int checkpointEvery) {
        TrainConfig d = TrainConfig.defaults("tiny", TESTDATA.toString());
        return d.toBuilder().maxSteps(maxSteps).checkpointEvery(checkpointEvery).sampleEvery(1000).cacheMb(256).build();
    }

    static Trainer.Result train(Path run, TrainConfig cfg, List<TrainingStage> stages, boolean resume, Trainer.Listener l)
            throws Exception {
        try (OrtSession.SessionOptions so = Sessions.cpu(2);
             Trainer t = new Trainer(new RunFolder(run), cfg, new Trainer.Options(2, so, "cpu"), l)) {
            return t.train(stages, resume);
        }
    }

    /** Class frequencies per row, [h][k], over label maps [n, h, w]. */
    static double[][] perRow(int[] labels, int n, int h, int w, int k) {
        double[][] f = new double[h][k];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) f[y][labels[(b * h + y) * w + x]]++;
        }
        for (double[] row : f) for (int c = 0; c < k; c++) row[c] /= (double) n * w;
        return f;
    }

    static double[] column(double[][] f, int c) {
        double[] r = new double[f.length];
        for (int y = 0; y < f.length; y++) r[y] = f[y][c];
        return r;
    }

    /** Mean over rows of the total-variation distance between two per-row class distributions. */
    static double rowDistance(double[][] a, double[][] b) {
        double d = 0;
        for (int y = 0; y < a.length; y++) {
            for (int c = 0; c < a[y].length; c++) d += Math.abs(a[y][c] - b[y][c]) / 2;
        }
        return d / a.length;
    }

    static double pearson(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i] / a.length;
            mb += b[i] / b.length;
        }
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }

    /** Label maps of a seg_generator ONNX file for n z's (seeded). */
    static int[] generate(Path model, int n, int zDim) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] z = new float[n * zDim];
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < z.length; i++) z[i] = (float) r.nextGaussian();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor zt = OnnxTensor.createTensor(env, FloatBuffer.wrap(z), new long[] {n, zDim});
             OrtSession.Result out = s.run(Map.of("z", zt))) {
            LongBuffer lb = ((OnnxTensor) out.get("labels").orElseThrow()).getLongBuffer();
            int[] labels = new int[lb.remaining()];
            for (int i = 0; i < labels.length; i++) labels[i] = (int) lb.get(i);
            return labels;
        }
    }

    @Test
    void theLayoutGanLearnsTheVerticalStructureOfScenes(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Trainer.Result r = train(run, config(30, 1000), List.of(TrainingStage.SEG), false, null);
        Preset p = Preset.TINY;
        Preset.Size s = p.segTop();
        int n = 64;

        FileSampleSource src = Datasets.cityscapes(TESTDATA, "train", LabelSpaces.cityscapesCategories(), Datasets.Content.LABELS_ONLY,
                BadSamplePolicy.FAIL);
        Transforms t = Transforms.eval(s.height(), s.width());
        int[] real = new int[src.size() * s.height() * s.width()];
        for (int i = 0; i < src.size(); i++) {
            Sample sm = src.load(i);
            t.labels(sm.classes(), t.plan(sm.height(), sm.width(), 1, 0, i), real, i * s.height() * s.width());
        }
        int k = p.numClasses(), h = s.height(), w = s.width();
        double[][] data = perRow(real, src.size(), h, w, k);
        double[][] trained = perRow(generate(r.modelDir().resolve(ModelJson.SEG_GENERATOR), n, p.zDim()), n, h, w, k);
        double[][] untrained = perRow(generate(run.resolve("graphs/inference/seg_generator.onnx"), n, p.zDim()), n, h, w, k);
        double dTrained = rowDistance(trained, data), dUntrained = rowDistance(untrained, data);
        double rTrained = pearson(column(trained, FLAT), column(data, FLAT)), rUntrained = pearson(column(untrained, FLAT), column(data, FLAT));
        System.out.printf("per-row class distribution distance to the data: trained %.3f, untrained %.3f; "
                + "road-per-row correlation: trained %.3f, untrained %.3f%n", dTrained, dUntrained, rTrained, rUntrained);
        assertTrue(rTrained > 0.8, "trained layouts put the road where the data has it: r = " + rTrained);
        assertTrue(rTrained > rUntrained + 0.3, "training improved it: " + rUntrained + " -> " + rTrained);
        assertTrue(dTrained < 0.6 * dUntrained, "rows' class mix closer to the data: " + dUntrained + " -> " + dTrained);

        // The run folder holds what the issue lists.
        List<String> expected = List.of("config.json", "metrics.jsonl", "graphs/manifest.json", "plots/seg.png", "model/model.json",
                "model/seg_generator.onnx", "model/image_generator.onnx", "model/sbgan.onnx", "samples/final_layouts.png");
        for (String f : expected) assertTrue(Files.isRegularFile(run.resolve(f)), f);
        assertEquals(r.globalStep(), MetricsLog.read(run.resolve("metrics.jsonl")).size(), "one metrics line per iteration");
    }

    @Test
    void aRunResumedAfterACrashEndsBitForBitLikeAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        TrainConfig cfg = config(2, 3);
        List<TrainingStage> all = Schedule.stages("all");
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        Trainer.Result ra = train(a, cfg, all, false, null);

        // Crash in the middle of the SPADE phase (step 15 of 20), after the checkpoint of step 14.
        Trainer.Listener crash = new Trainer.Listener() {
            @Override
            public void stepped(Trainer.Progress p) {
                if (p.globalStep() == 15) throw new IllegalStateException("simulated crash");
            }
        };
        assertThrows(IllegalStateException.class, () -> train(b, cfg, all, false, crash));
        assertThrows(IllegalStateException.class, () -> train(b, cfg, all, false, null), "without --resume the run is refused");
        Trainer.Result rb = train(b, cfg, all, true, null);
        assertEquals(ra.globalStep(), rb.globalStep());

        Map<String, Tensor> sa = new Checkpoints(a.resolve("checkpoints"), 2).latest().orElseThrow().state();
        Map<String, Tensor> sb = new Checkpoints(b.resolve("checkpoints"), 2).latest().orElseThrow().state();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) assertEquals(sa.get(k), sb.get(k), "state '" + k + "' after resume");
        // The last checkpoint of every stage is kept beyond the newest two (export --stage uses it).
        Checkpoints cps = new Checkpoints(b.resolve("checkpoints"), 2);
        assertEquals(14, cps.endOf("seg").orElseThrow().position().globalStep());
        assertEquals(16, cps.endOf("spade").orElseThrow().position().globalStep());
        assertEquals(20, cps.endOf("e2e").orElseThrow().position().globalStep());
        assertEquals(4, cps.list().size(), "steps 14, 16, 19 and 20");
        // The metrics log has each step once.
        List<Long> steps = MetricsLog.read(b.resolve("metrics.jsonl")).stream().map(o -> o.path("step").asLong()).toList();
        assertEquals(java.util.stream.LongStream.rangeClosed(1, rb.globalStep()).boxed().toList(), steps);
    }

    @Test
    void aNanLossStopsTheRunAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        TrainConfig d = config(5, 1);
        TrainConfig cfg = d.toBuilder().lrSegG(1e30f).lrSegD(1e30f).checkpointEvery(1).build();
        Path run = tmp.resolve("run");
        Trainer.DivergedException e = assertThrows(Trainer.DivergedException.class,
                () -> train(run, cfg, List.of(TrainingStage.SEG), false, null));
        assertTrue(e.getMessage().matches(".*(NaN|Infinity).*"), e.getMessage());
        assertTrue(e.getMessage().contains("last good checkpoint"), e.getMessage());
        Checkpoints.Checkpoint last = new Checkpoints(run.resolve("checkpoints"), 2).latest().orElseThrow();
        assertTrue(e.getMessage().contains(last.dir().toString()), e.getMessage());
        for (Map.Entry<String, Tensor> t : last.state().entrySet()) {
            if (t.getValue().dtype != org.sbgan.graphs.ir.DType.FLOAT) continue;
            for (float v : t.getValue().floats()) assertTrue(Float.isFinite(v), "checkpointed state is finite: " + t.getKey());
        }
        assertNotNull(last);
    }

    @Test
    void aMissingDatasetIsOneLineNamingTheFolder(@TempDir Path tmp) {
        TrainConfig d = config(1, 10);
        TrainConfig cfg = TrainConfig.builder(d.preset(), tmp.resolve("nothing").toString()).maxSteps(1).checkpointEvery(10).sampleEvery(10)
                .cacheMb(0).build();
        IOException e = assertThrows(IOException.class, () -> train(tmp.resolve("run"), cfg, List.of(TrainingStage.SEG), false, null));
        assertTrue(e.getMessage().contains(tmp.resolve("nothing").toString()), e.getMessage());
    }

    @Test
    void unlabeledImagesJoinD2sRealSide(@TempDir Path tmp) throws Exception {
        TrainConfig d = config(1, 10);
        Path extra = TESTDATA.resolve("leftImg8bit/val");
        TrainConfig cfg = d.toBuilder().maxSteps(1).checkpointEvery(10).sampleEvery(1000).unlabeledImages(extra.toString()).cacheMb(256).build();
        TrainData data = TrainData.open(cfg, line -> {});
        assertEquals(240, data.labelled().size());
        assertEquals(300, data.d2Images().size(), "labelled images plus the 60 unlabelled ones");
        assertTrue(data.d2Images().load(299).hasImage());

        Path run = tmp.resolve("run");
        Trainer.Result r = train(run, cfg, List.of(TrainingStage.E2E), false, null);
        assertEquals(2, r.globalStep(), "one D2 pre-training and one end-to-end iteration");
        List<String> phases = MetricsLog.read(run.resolve("metrics.jsonl")).stream().map(o -> o.path("phase").asText()).toList();
        assertEquals(List.of("e2e/d2_pretrain", "e2e"), phases);
    }

    @Test
    void theLayoutStageEndsWithGsegsMovingAverageInPlaceOfItsWeights(@TempDir Path tmp) throws Exception {
        TrainConfig cfg = config(3, 1000);
        assertTrue(cfg.presetRecord().layout().emaBeta() > 0, "the tiny preset keeps an EMA of G_seg");
        try (OrtSession.SessionOptions so = Sessions.cpu(2);
             Trainer t = new Trainer(new RunFolder(tmp.resolve("run")), cfg, new Trainer.Options(2, so, "cpu"), null)) {
            t.train(List.of(TrainingStage.SEG), false);
            int averaged = 0;
            for (String n : t.store().names()) {
                if (!n.startsWith("gseg.") || !n.endsWith(".ema")) continue;
                String weight = n.substring(0, n.length() - ".ema".length());
                assertEquals(t.store().get(n), t.store().get(weight), weight + " is its average after the stage");
                averaged++;
            }
            assertTrue(averaged >= 10, "every G_seg weight has an average, found " + averaged);
            assertTrue(t.store().names().stream().noneMatch(n -> n.startsWith("dseg.") && n.endsWith(".ema")), "D_seg keeps none");
        }
    }
}
