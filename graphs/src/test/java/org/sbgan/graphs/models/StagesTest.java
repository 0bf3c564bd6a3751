package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.testing.Ort;

/** Every SB-GAN training step (docs/METHOD.md §1–§3) on the tiny preset: builds, runs on ONNX Runtime, writes the right state. */
class StagesTest {
    private static final Preset P = Preset.TINY.withLayout(LayoutRecipe.RELEASED);
    private static final int N = 2, SEED = 7;
    private static final Map<String, StepGraph> STEPS = new LinkedHashMap<>();
    private static final Map<String, Map<String, Tensor>> OUTPUTS = new LinkedHashMap<>();

    @BeforeAll
    static void buildAndRunEveryStepOnce() {
        STEPS.put("segG", Stages.segG(P, 1, N, SEED));
        STEPS.put("segD", Stages.segD(P, 1, N, SEED));
        STEPS.put("spadeG", Stages.spadeG(P, N, SEED));
        STEPS.put("spadeD", Stages.spadeD(P, N, SEED));
        STEPS.put("d2Pretrain", Stages.d2Pretrain(P, N, SEED));
        STEPS.put("e2eG", Stages.e2eG(P, N, SEED));
        STEPS.put("e2eD", Stages.e2eD(P, N, SEED));
        Random r = new Random(3);
        for (Map.Entry<String, StepGraph> e : STEPS.entrySet()) {
            StepGraph step = e.getValue();
            Map<String, Tensor> feed = new HashMap<>();
            for (StepManifest.StateEntry s : step.manifest().state()) if (s.read()) feed.put(s.name(), step.initialState().get(s.name()));
            for (StepManifest.InputEntry in : step.manifest().inputs()) feed.put(in.name(), input(r, in));
            try (Ort ort = new Ort(step.model(), 2)) {
                OUTPUTS.put(e.getKey(), ort.run(feed));
            } catch (Exception ex) {
                throw new AssertionError(e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
    }

    private static Tensor input(Random r, StepManifest.InputEntry in) {
        long[] sh = in.shape();
        int n = Math.toIntExact(Shapes.numel(sh));
        float[] d = new float[n];
        switch (in.name()) {
            case Stages.REAL_LAYOUT -> {
                int k = (int) sh[1], hw = (int) (sh[2] * sh[3]);
                for (int b = 0; b < sh[0]; b++) for (int i = 0; i < hw; i++) d[(b * k + r.nextInt(k)) * hw + i] = 1f;
            }
            case Stages.GUMBEL -> {
                for (int i = 0; i < n; i++) d[i] = (float) -Math.log(-Math.log(1 - r.nextDouble()) + 1e-10);
            }
            case Stages.ALPHA -> {
                for (int i = 0; i < n; i++) d[i] = 0.05f + 0.9f * r.nextFloat();
            }
            case Stages.REAL_IMAGE -> {
                for (int i = 0; i < n; i++) d[i] = 2 * r.nextFloat() - 1;
            }
            default -> {
                if (in.name().startsWith("lr.")) return Tensor.scalar(1e-4f);
                for (int i = 0; i < n; i++) d[i] = (float) r.nextGaussian();
            }
        }
        return Tensor.floats(d, sh);
    }

    private static final Map<String, Set<String>> WRITES = Map.of(
            "segG", Set.of("gseg"), "segD", Set.of("dseg"), "spadeG", Set.of("gimg"), "spadeD", Set.of("d1"),
            "d2Pretrain", Set.of("d2"), "e2eG", Set.of("gseg", "gimg"), "e2eD", Set.of("dseg", "d1", "d2"));

    private static String group(String state) {
        String s = state.startsWith("opt.") ? state.substring(4) : state;
        return s.substring(0, s.indexOf('.'));
    }

    @Test
    void everyStepWritesExactlyItsGroups() {
        for (Map.Entry<String, StepGraph> e : STEPS.entrySet()) {
            Set<String> written = new TreeSet<>(), params = new TreeSet<>();
            for (StepManifest.StateEntry s : e.getValue().manifest().state()) {
                if (s.written()) written.add(group(s.name()));
                if (s.kind() == StepManifest.StateKind.PARAM) {
                    boolean trained = WRITES.get(e.getKey()).contains(group(s.name()));
                    assertEquals(trained, s.written(), e.getKey() + ": " + s.name());
                    if (trained) params.add(group(s.name()));
                }
                if (s.name().startsWith("opt.")) assertTrue(s.written(), s.name());
            }
            assertEquals(new TreeSet<>(WRITES.get(e.getKey())), written, e.getKey());
            assertEquals(new TreeSet<>(WRITES.get(e.getKey())), params, e.getKey());
            for (String gr : WRITES.get(e.getKey())) {
                assertTrue(e.getValue().manifest().inputs().stream().anyMatch(in -> in.name().equals("lr." + gr)), e.getKey() + " lr." + gr);
                assertTrue(e.getValue().manifest().state().stream().anyMatch(s -> s.name().equals("opt." + gr + ".step") && s.written()));
            }
        }
        // Buffers of trained networks are written (BatchNorm running stats, SN u); of read-only ones never.
        assertTrue(STEPS.get("spadeG").manifest().stateEntry("gimg.head_0.norm_0.param_free_norm.running_mean").written());
        assertFalse(STEPS.get("spadeD").manifest().stateEntry("gimg.head_0.norm_0.param_free_norm.running_mean").written());
        assertTrue(STEPS.get("spadeD").manifest().stateEntry("d1.scale0.layer1.u").written());
        assertFalse(STEPS.get("e2eG").manifest().stateEntry("d2.scale0.layer1.u").written());
    }

    @Test
    void everyMetricIsFiniteAndEveryWrittenTensorToo() {
        Map<String, List<String>> metrics = Map.of("segG", List.of("loss_g"), "segD", List.of("loss_d", "wasserstein", "gp"),
                "spadeG", List.of("loss_g", "hinge", "fm"), "spadeD", List.of("loss_d"), "d2Pretrain", List.of("loss_d"),
                "e2eG", List.of("loss_g", "seg_g", "d2_g", "hinge", "fm"),
                "e2eD", List.of("loss_d", "wasserstein", "gp", "d1_hinge", "d2_hinge"));
        for (Map.Entry<String, Map<String, Tensor>> e : OUTPUTS.entrySet()) {
            StepManifest m = STEPS.get(e.getKey()).manifest();
            assertEquals(metrics.get(e.getKey()), m.metrics().stream().map(StepManifest.MetricEntry::name).toList(), e.getKey());
            for (StepManifest.MetricEntry me : m.metrics()) {
                float v = e.getValue().get(me.name()).floats()[0];
                assertTrue(Float.isFinite(v), e.getKey() + " " + me.name() + " = " + v);
            }
            for (StepManifest.StateEntry s : m.written()) {
                for (float v : e.getValue().get(org.sbgan.graphs.step.StepBuilder.nextName(s.name())).floats()) assertTrue(Float.isFinite(v), e.getKey() + " " + s.name());
            }
        }
        Map<String, Tensor> e2eG = OUTPUTS.get("e2eG");
        float total = e2eG.get("loss_g").floats()[0];
        float parts = 10 * e2eG.get("seg_g").floats()[0] + 0.1f * e2eG.get("d2_g").floats()[0] + e2eG.get("hinge").floats()[0]
                + e2eG.get("fm").floats()[0];
        assertEquals(parts, total, 1e-4 * Math.max(1, Math.abs(total)));
        Map<String, Tensor> e2eD = OUTPUTS.get("e2eD");
        float dt = e2eD.get("loss_d").floats()[0];
        float dp = 10 * (e2eD.get("wasserstein").floats()[0] + e2eD.get("gp").floats()[0]) + e2eD.get("d1_hinge").floats()[0]
                + 0.1f * e2eD.get("d2_hinge").floats()[0];
        assertEquals(dp, dt, 1e-4 * Math.max(1, Math.abs(dt)));
    }

    @Test
    void trainedParametersMoveInOneStep() {
        Map<String, List<String>> probes = Map.of("segG", List.of("gseg.block0.fc.weight", "gseg.toSeg1.weight"),
                "segD", List.of("dseg.fromSeg1.weight", "dseg.final.fc.weight"),
                "spadeG", List.of("gimg.fc.weight", "gimg.conv_img.weight"), "spadeD", List.of("d1.scale0.layer0.weight"),
                "d2Pretrain", List.of("d2.scale1.layer3.weight"),
                "e2eG", List.of("gseg.block0.fc.weight", "gseg.toSeg3.weight", "gimg.fc.weight", "gimg.conv_img.weight"),
                "e2eD", List.of("dseg.fromSeg3.weight", "d1.scale0.layer0.weight", "d2.scale0.layer0.weight"));
        for (Map.Entry<String, List<String>> e : probes.entrySet()) {
            for (String n : e.getValue()) {
                Tensor next = OUTPUTS.get(e.getKey()).get(org.sbgan.graphs.step.StepBuilder.nextName(n));
                assertTrue(next != null && !next.equals(STEPS.get(e.getKey()).initialState().get(n)), e.getKey() + " updates " + n);
            }
        }
    }

    @Test
    void sharedStateStartsEqualAcrossSteps() {
        Map<String, Tensor> seen = new HashMap<>();
        Map<String, String> where = new HashMap<>();
        int shared = 0;
        for (Map.Entry<String, StepGraph> e : STEPS.entrySet()) {
            for (Map.Entry<String, Tensor> s : e.getValue().initialState().entrySet()) {
                Tensor prev = seen.putIfAbsent(s.getKey(), s.getValue());
                if (prev != null) {
                    assertEquals(prev, s.getValue(), s.getKey() + " in " + e.getKey() + " vs " + where.get(s.getKey()));
                    shared++;
                } else {
                    where.put(s.getKey(), e.getKey());
                }
            }
        }
        assertTrue(shared > 0);
        for (String n : List.of("gseg.block0.fc.weight", "dseg.final.fc.weight", "gimg.fc.weight", "d1.scale0.layer0.weight",
                "d2.scale1.layer3.bias")) {
            assertTrue(seen.containsKey(n), n);
        }
    }
}
