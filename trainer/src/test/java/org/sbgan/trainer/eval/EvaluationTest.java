package org.sbgan.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.models.InferenceGraphs;
import org.sbgan.graphs.models.Preset;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.step.StateStore;
import org.sbgan.trainer.train.BundleWriter;

/** {@link Evaluation} on the bundled test data with untrained tiny bundles: every mode yields finite numbers. */
class EvaluationTest {
    static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
    @TempDir
    static Path tmp;
    static Path sbgan;
    static Path progan;

    @BeforeAll
    static void bundles() throws Exception {
        sbgan = tmp.resolve("run/model");
        BundleWriter.writeInitial(sbgan, Preset.TINY, 1, LabelSpaces.cityscapesCategories());
        progan = tmp.resolve("progan/model");
        try (StateStore store = new StateStore(OrtEnvironment.getEnvironment())) {
            InferenceGraphs.proganGenerator(Preset.TINY, 1).initialValues().forEach(store::put);
            BundleWriter.writeProgan(progan, Preset.TINY, store, null);
        }
    }

    private static Evaluation.Options opts(Path model, Path fake, Evaluation.Mode mode) {
        return Evaluation.Options.of(TESTDATA, model, fake, mode).withThreads(2);
    }

    private static void assertFinite(Evaluation.Result r, String... keys) {
        for (String k : keys) {
            double v = r.metric(k);
            assertTrue(Double.isFinite(v) && v >= 0, k + " = " + v + " in " + r.toJson());
        }
    }

    @Test
    void uncondWithAnSbganBundle() throws Exception {
        Evaluation.Result r = Evaluation.run(opts(sbgan, null, Evaluation.Mode.UNCOND), s -> {});
        assertFinite(r, Evaluation.FID, Evaluation.KID_MEAN, Evaluation.KID_STD, Evaluation.SWD);
        assertEquals(60, r.count());
        assertEquals(60, r.realCount());
        assertEquals(32, r.height());
        assertEquals(64, r.width());
        assertEquals("sbgan tiny", r.label());
        assertEquals(BuiltinFeatures.NAME, r.features());
        assertEquals(Swd.levels(32, 64), r.swdLevels().length);
        ObjectNode j = r.toJson();
        for (String f : new String[] {"label", "mode", "features", "model", "preset", "kind", "seed", "count", "metrics"}) assertTrue(j.has(f), f);
        assertEquals("uncond", j.get("mode").asText());
        assertTrue(j.get("metrics").get("fid").isNumber());
        assertTrue(r.metric(Evaluation.FID) > 1, "untrained FID " + r.metric(Evaluation.FID));
        System.out.println("uncond tiny, 60 samples: " + j.get("seconds"));
    }

    @Test
    void realImagesAsFakesGiveFidNearZero() throws Exception {
        Path fake = TESTDATA.resolve("leftImg8bit/val");
        Evaluation.Result same = Evaluation.run(opts(null, fake, Evaluation.Mode.UNCOND).withMetrics(Set.of("fid", "swd")), s -> {});
        Evaluation.Result model = Evaluation.run(opts(sbgan, null, Evaluation.Mode.UNCOND).withMetrics(Set.of("fid")).withCount(30), s -> {});
        assertEquals("images", same.kind());
        assertEquals(64, same.height()); // a folder keeps its own size; real images are resized to it
        assertTrue(same.metric(Evaluation.FID) < 1e-3 * model.metric(Evaluation.FID),
                "real vs itself " + same.metric(Evaluation.FID) + ", untrained model " + model.metric(Evaluation.FID));
        assertTrue(same.metric(Evaluation.SWD) < 1e-6, "SWD " + same.metric(Evaluation.SWD));
        assertFalse(same.metrics().containsKey(Evaluation.KID_MEAN));
    }

    @Test
    void condRendersRealLayouts() throws Exception {
        Evaluation.Result r = Evaluation.run(opts(sbgan, null, Evaluation.Mode.COND).withCount(24), s -> {});
        assertFinite(r, Evaluation.FID, Evaluation.KID_MEAN, Evaluation.SWD);
        assertEquals(24, r.count());
        assertEquals(24, r.realCount());
        assertEquals("cond", r.toJson().get("mode").asText());
    }

    @Test
    void layoutComparesLabelMaps() throws Exception {
        Evaluation.Result r = Evaluation.run(opts(sbgan, null, Evaluation.Mode.LAYOUT).withCount(20), s -> {});
        assertFinite(r, Evaluation.CLASSFREQ_TV, Evaluation.SWD);
        assertTrue(r.metric(Evaluation.CLASSFREQ_TV) <= 1);
        assertEquals(Evaluation.LAYOUT_FEATURES, r.features());
        assertThrows(IllegalArgumentException.class, () -> opts(sbgan, null, Evaluation.Mode.LAYOUT).withMetrics(Set.of("fid")));
        assertTrue(Evaluation.Mode.LAYOUT.metrics().containsAll(List.of("diversity", "presence", "nn", "clusters")));
        assertTrue(Evaluation.Mode.LAYOUT.metrics().containsAll(java.util.List.of("classfreq", "swd")));
        assertFalse(Evaluation.Mode.UNCOND.metrics().contains("diversity"));
    }

    @Test
    void layoutQualityNextToTheRealMaps() throws Exception {
        Evaluation.Result r = Evaluation.run(opts(sbgan, null, Evaluation.Mode.LAYOUT).withCount(40), s -> {});
        ObjectNode j = r.toJson();
        com.fasterxml.jackson.databind.JsonNode m = j.get("metrics");
        for (String k : LayoutMetrics.KEYS) {
            for (String key : new String[] {k, LayoutMetrics.realKey(k)}) {
                assertTrue(m.has(key) && m.get(key).isNumber(), key + " in " + j);
                double v = m.get(key).asDouble();
                assertTrue(v >= 0 && v <= 1, key + " = " + v);
            }
        }
        // The real side is the data's own, whatever the model: the same as computing it directly.
        int[] n = new int[1];
        int[] val = LayoutMetricsTest.realMaps("val", LabelSpaces.cityscapesCategories(), n);
        assertEquals(n[0], r.realCount());
        assertEquals(LayoutMetrics.diversity(LayoutMetrics.Maps.of(val, n[0], 32, 64, 8)), m.get("diversity_real").asDouble(), 1e-12);
        com.fasterxml.jackson.databind.JsonNode presence = m.get(LayoutMetrics.PRESENCE);
        java.util.List<String> classes = new java.util.ArrayList<>();
        presence.fieldNames().forEachRemaining(classes::add);
        assertEquals(LabelSpaces.cityscapesCategories().classNames(), classes);
        assertEquals(1.0, presence.get("sky").get("real").asDouble(), 0.2);
        assertTrue(presence.get("vehicle").get("generated").isNumber());
        assertEquals("train", j.get("train_split").asText());
        assertEquals(240, j.get("train_count").asInt());
        assertFalse(j.has("notes"));
        assertTrue(r.seconds().containsKey("load_train"));

        // No such training split: the other metrics, and a note instead of nearest neighbours.
        Evaluation.Result noTrain = Evaluation.run(opts(sbgan, null, Evaluation.Mode.LAYOUT).withCount(10).withTrainSplit("nope")
                .withMetrics(Set.of("nn", "diversity")), s -> {});
        assertFalse(noTrain.metrics().containsKey(LayoutMetrics.NN_DISAGREEMENT));
        assertTrue(noTrain.metrics().containsKey(LayoutMetrics.DIVERSITY));
        assertFalse(noTrain.metrics().containsKey(Evaluation.SWD));
        assertEquals(1, noTrain.notes().size());
        assertTrue(noTrain.notes().get(0).contains("nope"), noTrain.notes().get(0));
        assertTrue(noTrain.toJson().get("notes").isArray());
        assertFalse(noTrain.toJson().has("train_split"));
    }

    @Test
    void progranBundleSamplesAndRefusesCond() throws Exception {
        Evaluation.Result r = Evaluation.run(opts(progan, null, Evaluation.Mode.UNCOND).withCount(20), s -> {});
        assertFinite(r, Evaluation.FID, Evaluation.KID_MEAN, Evaluation.SWD);
        assertEquals("progan-rgb", r.kind());
        assertEquals("progan-rgb tiny", r.label());
        try (ProganSampler p = ProganSampler.open(progan, 1)) {
            float[] a = p.sample(3, 7), b = p.sample(5, 7);
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 0f);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Evaluation.run(opts(progan, null, Evaluation.Mode.COND), s -> {}));
        assertTrue(e.getMessage().contains(progan.resolve("model.json").toString()) && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void errorsNameTheFolder() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Evaluation.run(opts(null, empty, Evaluation.Mode.UNCOND), s -> {}));
        assertTrue(e.getMessage().startsWith(empty.toString()), e.getMessage());
        Exception e2 = assertThrows(Exception.class, () -> Evaluation.run(Evaluation.Options.of(empty, sbgan, null, Evaluation.Mode.UNCOND), s -> {}));
        assertTrue(e2.getMessage().contains(empty.toString()), e2.getMessage());
        java.io.IOException e3 = assertThrows(java.io.IOException.class, () -> Evaluation.run(opts(tmp.resolve("nope"), null, Evaluation.Mode.UNCOND), s -> {}));
        assertTrue(e3.getMessage().startsWith(tmp.resolve("nope") + ": no such folder"), e3.getMessage());
        assertThrows(IllegalArgumentException.class, () -> opts(null, empty, Evaluation.Mode.COND));
    }
}
