package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.models.TrainingStage;
import org.sbgan.runtime.bundle.Bundle;
import org.sbgan.runtime.bundle.ModelBundle;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.CheckedSplits;
import org.sbgan.trainer.data.ClassWeights;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.trainer.data.loader.Resize;
import org.sbgan.trainer.segmenter.SegmenterModel;
import org.sbgan.trainer.segmenter.SegmenterTraining;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.trainer.train.BundleWriter;
import org.sbgan.trainer.train.RunFolder;
import org.sbgan.trainer.train.TrainConfig;
import org.sbgan.trainer.train.Trainer;

/**
 * The evaluations that rest on a segmenter trained by sbgan: layout→image mIoU (cond: G_img on the real val layouts)
 * rises when G_img is trained, FID on the segmenter's features falls, and train-on-synthetic scores an untrained
 * generator's scenes below the real training split.
 */
class SegmenterMetricsTest {
    static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
    static final LabelSpace SPACE = LabelSpaces.cityscapesCategories();
    @TempDir
    static Path tmp;
    static Path segmenter, untrained;

    @BeforeAll
    static void models() throws Exception {
        var train = CheckedSplits.labelled(TESTDATA, DataFormat.CITYSCAPES, "train", SPACE, BadSamplePolicy.FAIL, 256, s -> {});
        segmenter = tmp.resolve("seg");
        SegmenterTraining.train(train, SPACE, SegmenterTraining.Options.of(32, 64, 1).withIterations(150), segmenter, false, null, 2, null);
        untrained = tmp.resolve("untrained/model");
        BundleWriter.writeInitial(untrained, Preset.TINY, 1, SPACE);
    }

    static Evaluation.Options cond(Path model) {
        return Evaluation.Options.of(TESTDATA, model, null, Evaluation.Mode.COND).withThreads(2).withSegmenter(segmenter)
                .withMetrics(Set.of("miou", "fid"));
    }

    /** G_img and D1 trained 120 SPADE iterations into {@code tmp/name}, with the config's image losses. */
    static Path spadeRun(String name, TrainConfig.SegmenterLossOption segmenterLoss) throws Exception {
        TrainConfig cfg = TrainConfig.defaults("tiny", TESTDATA.toString()).toBuilder().maxSteps(120).checkpointEvery(1000).sampleEvery(1000)
                .cacheMb(256).segmenterLoss(segmenterLoss).build();
        Path run = tmp.resolve(name);
        try (OrtSession.SessionOptions so = Sessions.cpu(2);
             Trainer t = new Trainer(new RunFolder(run), cfg, new Trainer.Options(2, so, "cpu"), null)) {
            t.train(List.of(TrainingStage.SPADE), false);
        }
        return run;
    }

    static Path plainSpade;

    static synchronized Path plainSpade() throws Exception {
        if (plainSpade == null) plainSpade = spadeRun("spade", null);
        return plainSpade;
    }

    @Test
    void aTrainedImageGeneratorShowsItsLayoutsBetterThanAnUntrainedOne() throws Exception {
        Path run = plainSpade();
        Evaluation.Options o = cond(run.resolve("model"));
        o = new Evaluation.Options(o.real(), o.realFormat(), o.split(), o.trainSplit(), o.model(), o.fake(), o.mode(), o.metrics(),
                Evaluation.SEGMENTER_FEATURES + segmenter, o.count(), o.seed(), o.kidSubsets(), o.kidSubsetSize(), o.threads(), o.label(), segmenter);
        Evaluation.Result trained = Evaluation.run(o, s -> {});
        Evaluation.Options u = new Evaluation.Options(o.real(), o.realFormat(), o.split(), o.trainSplit(), untrained, null, o.mode(), o.metrics(),
                o.features(), o.count(), o.seed(), o.kidSubsets(), o.kidSubsetSize(), o.threads(), o.label(), segmenter);
        Evaluation.Result base = Evaluation.run(u, s -> {});
        String both = trained.toJson() + "\n" + base.toJson();
        assertTrue(trained.metric(MeanIou.MIOU) > base.metric(MeanIou.MIOU) + 0.05, both);
        assertTrue(trained.metric(MeanIou.MIOU) > trained.metric(MeanIou.MIOU_MISMATCHED), both);
        assertTrue(trained.metric(MeanIou.MIOU_REAL) > trained.metric(MeanIou.MIOU), both);
        assertEquals(trained.metric(MeanIou.MIOU_REAL), base.metric(MeanIou.MIOU_REAL), 1e-12, "the ceiling depends on the real pairs only");
        assertTrue(trained.metric(Evaluation.FID) < base.metric(Evaluation.FID), both);
        assertTrue(trained.features().startsWith("segmenter "), trained.features());
        assertTrue(Double.isFinite(trained.metric(MeanIou.classKey("flat"))), both);
    }

    @Test
    void theSegmenterLossMakesEveryRegionReadableAsItsClass() throws Exception {
        // λ 3: over only 120 iterations λ 1 moves mIoU by about +0.04, too close to the margin
        Path with = spadeRun("spade-segloss", new TrainConfig.SegmenterLossOption(segmenter.toString(), 3f, ClassWeights.NONE));
        List<Double> ce = new ArrayList<>();
        for (String line : Files.readAllLines(with.resolve("metrics.jsonl"))) {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            if (n.has("segmenter")) ce.add(n.get("segmenter").asDouble());
        }
        assertEquals(120, ce.size(), "one segmenter-loss value per G step");
        double first = ce.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = ce.subList(110, 120).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(last < 0.6 * first, "segmenter CE " + first + " → " + last);
        Evaluation.Result withLoss = Evaluation.run(cond(with.resolve("model")).withMetrics(Set.of("miou")), s -> {});
        Evaluation.Result plain = Evaluation.run(cond(plainSpade().resolve("model")).withMetrics(Set.of("miou")), s -> {});
        String both = withLoss.toJson() + "\n" + plain.toJson();
        assertTrue(withLoss.metric(MeanIou.MIOU) > plain.metric(MeanIou.MIOU) + 0.05, both);
    }

    @Test
    void trainOnSyntheticScoresAnUntrainedGeneratorBelowRealData() throws Exception {
        Evaluation.Options e = Evaluation.Options.of(TESTDATA, untrained, null, Evaluation.Mode.TSTR).withThreads(2).withCount(48);
        SegmenterTraining.Options budget = SegmenterTraining.Options.of(32, 64, 1).withIterations(40).withBatch(8);
        Path work = tmp.resolve("tstr");
        Tstr.Result r = Tstr.run(new Tstr.Options(e, budget, 1, work, new Tstr.Mixing(Tstr.Mixing.HALF, Tstr.MixedFilter.AGREEMENT, 0.25)), s -> {});
        assertEquals(List.of(Tstr.Setting.SYNTHETIC, Tstr.Setting.REAL, Tstr.Setting.MIXED), r.scores().stream().map(Tstr.Scores::setting).toList());
        assertTrue(r.of(Tstr.Setting.REAL).mean() > r.of(Tstr.Setting.SYNTHETIC).mean() + 0.1, r.toJson().toPrettyString());
        assertEquals(48, r.of(Tstr.Setting.SYNTHETIC).samples());
        for (String f : List.of("synthetic-seed1", "real-seed1", "mixed-seed1")) assertTrue(Files.isRegularFile(work.resolve(f).resolve("model/segmenter.onnx")), f);
        assertTrue(r.toJson().path("settings").has("real+synthetic"));
        assertEquals(r.of(Tstr.Setting.MIXED).miou()[0] - r.of(Tstr.Setting.REAL).miou()[0], r.mixedMinusReal()[0], 0.0, "paired per seed");
        assertEquals(r.mixedMinusReal()[0], r.toJson().path("mixed_minus_real").get(0).asDouble(), 0.0);
        assertEquals(0.5, r.toJson().path("synthetic_share").asDouble(), 0.0);
        assertEquals("agreement", r.toJson().path("mixed_filter").asText());
        assertTrue(Files.size(work.resolve("mixed-seed1").resolve(Tstr.AGREEMENT_SHEET)) > 0, "the filter's sheet");
        assertEquals(0.25, r.toJson().path("real_finish").asDouble(), 0.0);
        var mixedRun = new com.fasterxml.jackson.databind.ObjectMapper().readTree(work.resolve("mixed-seed1").resolve(SegmenterTraining.RUN_FILE).toFile());
        assertEquals(30, mixedRun.path("finish_from").asLong(), "the last quarter of 40 iterations on the real pairs alone");

        // agreement: a generated label pixel stays exactly where the real-only segmenter predicts it on the image
        ModelBundle b = (ModelBundle) Bundle.read(untrained);
        LabelSpace space = LabelSpaces.resolve(b.labelSpace().isEmpty() ? null : b.labelSpace(), b.numClasses());
        int k = space.numClasses();
        SampleSource generated = Tstr.generated(b, 48, 1, 2, space);
        long[] kept = new long[k + 1], total = new long[k + 1];
        long agree = 0, pixels = 0;
        try (SegmenterModel m = SegmenterModel.open(work.resolve("real-seed1/model"), 2)) {
            SampleSource agreed = Tstr.agreed(generated, m, kept, total);
            assertEquals(generated.size(), agreed.size());
            for (int i = 0; i < generated.size(); i++) {
                Sample g = generated.load(i), a = agreed.load(i);
                int[] predicted = m.predict(Resize.image(g, 32, 64), 1, 32, 64, false).labels();
                assertSame(g.rgb(), a.rgb(), "images unchanged");
                for (int q = 0; q < predicted.length; q++) {
                    boolean same = predicted[q] == g.classes()[q];
                    assertEquals(same ? g.classes()[q] : Sample.UNLABELLED, a.classes()[q], "sample " + i + " pixel " + q);
                    if (same) agree++;
                    pixels++;
                }
            }
        }
        assertEquals(pixels, total[k]);
        assertEquals(agree, kept[k]);
        assertTrue(agree > 0 && agree < pixels, agree + " of " + pixels);
        assertEquals((double) agree / pixels, r.kept().all(), 1e-12, "the run kept the same pixels");
        assertEquals(r.kept().all(), r.toJson().path("mixed_kept").path("all").asDouble(), 0.0);
    }

    @Test
    void miouNeedsASegmenterAndLabelledScenes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluation.Options.of(TESTDATA, untrained, null, Evaluation.Mode.UNCOND).withMetrics(Set.of("miou")));
        assertTrue(e.getMessage().contains("--segmenter"), e.getMessage());
        assertTrue(!Evaluation.Options.of(TESTDATA, untrained, null, Evaluation.Mode.UNCOND).metrics().contains("miou"), "miou is off without a segmenter");
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> Evaluation.run(
                Evaluation.Options.of(TESTDATA, untrained, null, Evaluation.Mode.UNCOND).withSegmenter(tmp.resolve("none")).withMetrics(Set.of("miou")),
                s -> {}));
        assertTrue(f.getMessage().contains("none"), f.getMessage());
    }
}
