package org.sbgan.graphs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.loss.Losses;
import org.sbgan.graphs.nn.InferenceParams;
import org.sbgan.graphs.nn.StepParams;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.optim.Adam;
import org.sbgan.graphs.step.StepBuilder;
import org.sbgan.graphs.step.StepGraph;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.graphs.step.StepManifest.StateKind;
import org.sbgan.graphs.testing.GradCheck;
import org.sbgan.graphs.testing.Ort;

/** The multi-scale PatchGAN D1/D2 (docs/METHOD.md §2, §3) on the tiny preset (ndf 16, 2 scales, 3 layers). */
class PatchDiscriminatorTest {
    private static final Preset P = Preset.TINY;

    /** Expected shapes for a 32×64 input, released-code layout (last intermediate conv stride 1). */
    private static final long[][][] SHAPES = {
        {{16, 17, 33}, {32, 9, 17}, {64, 10, 18}, {1, 11, 19}},
        {{16, 9, 17}, {32, 5, 9}, {64, 6, 10}, {1, 7, 11}}};

    @Test
    void d1ShapesNamesAndOrtRunWithDynamicBatch() throws Exception {
        Graph g = new Graph("d1");
        InferenceParams ip = new InferenceParams(g, 2);
        PatchDiscriminator d = new PatchDiscriminator(ip, "d1", PatchDiscriminator.Config.d1(P));
        Value x = g.input("x", -1, 11, 32, 64);
        List<List<Value>> out = d.forward(x);
        assertEquals(2, out.size());
        Map<String, Value> outs = new LinkedHashMap<>();
        for (int s = 0; s < 2; s++) {
            assertEquals(4, out.get(s).size(), "3 intermediate features and the score map");
            assertEquals(3, Losses.intermediatesOfEachScale(out).get(s).size());
            for (int i = 0; i < 4; i++) {
                long[] e = SHAPES[s][i];
                assertArrayEquals(new long[] {-1, e[0], e[1], e[2]}, out.get(s).get(i).shape(), "scale " + s + " output " + i);
                outs.put("s" + s + "_" + i, out.get(s).get(i));
            }
        }
        assertEquals(List.of("d1.scale0.layer0.weight", "d1.scale0.layer0.bias", "d1.scale0.layer1.weight", "d1.scale0.layer1.u",
                "d1.scale0.layer2.weight", "d1.scale0.layer2.u", "d1.scale0.layer3.weight", "d1.scale0.layer3.bias"),
                ip.initialValues().keySet().stream().filter(k -> k.startsWith("d1.scale0.")).toList());
        assertTrue(ip.initialValues().containsKey("d1.scale1.layer3.bias"));
        try (Ort ort = new Ort(OnnxExport.model(g, outs, ip.initialValues()))) {
            for (int n : new int[] {1, 3}) {
                Map<String, Tensor> res = ort.run(Map.of("x", GradCheck.randn(new Random(n), n, 11, 32, 64)));
                for (int s = 0; s < 2; s++) {
                    for (int i = 0; i < 4; i++) {
                        long[] e = SHAPES[s][i];
                        Tensor t = res.get("s" + s + "_" + i);
                        assertArrayEquals(new long[] {n, e[0], e[1], e[2]}, t.shape);
                        for (float v : t.floats()) assertTrue(Float.isFinite(v));
                    }
                }
            }
        }
    }

    @Test
    void allStridedVariantAndD2() {
        Graph g = new Graph("d2");
        InferenceParams ip = new InferenceParams(g, 2);
        PatchDiscriminator d = new PatchDiscriminator(ip, "d2", PatchDiscriminator.Config.d2(P).withLastIntermediateStride(2));
        List<List<Value>> out = d.forward(g.input("x", 2, 3, 32, 64));
        assertArrayEquals(new long[] {2, 64, 5, 9}, out.get(0).get(2).shape());
        assertArrayEquals(new long[] {2, 1, 6, 10}, out.get(0).get(3).shape());
        assertArrayEquals(new long[] {2, 1, 4, 6}, out.get(1).get(3).shape());
        assertEquals(16 * 3 * 16, ip.initialValues().get("d2.scale1.layer0.weight").numel());
    }

    @Test
    void parameterCountAndHingeStepRuns() throws Exception {
        int n = 2;
        StepBuilder sb = new StepBuilder("d1_step");
        PatchDiscriminator d = new PatchDiscriminator(new StepParams(sb, 9), "d1", PatchDiscriminator.Config.d1(P));
        Value real = sb.batch("real", n, 11, 32, 64), fake = sb.batch("fake", n, 11, 32, 64);
        Graph g = sb.graph();
        // Fake and real pass through D in one batch (§2), then are split per output.
        List<List<Value>> all = d.forward(g.concat(0, fake, real));
        List<List<Value>> fo = new ArrayList<>(), ro = new ArrayList<>();
        for (List<Value> scale : all) {
            List<Value> f = new ArrayList<>(), r = new ArrayList<>();
            for (Value v : scale) {
                List<Value> parts = g.split(v, 0, n, n);
                f.add(parts.get(0));
                r.add(parts.get(1));
            }
            fo.add(f);
            ro.add(r);
        }
        Value loss = g.add(Losses.hingeD(Losses.lastOfEachScale(ro), Losses.lastOfEachScale(fo)),
                Losses.featureMatching(Losses.intermediatesOfEachScale(fo), Losses.intermediatesOfEachScale(ro)));
        List<Value> params = sb.params();
        long perScale = (16 * 11 * 16 + 16) + 32 * 16 * 16 + 64 * 32 * 16 + (64 * 16 + 1);
        assertEquals(2 * perScale, params.stream().mapToLong(Value::numel).sum());
        Adam.update(sb, "D1", Adam.Config.adam(0f, 0.9f), params, Gradients.of(loss, params));
        sb.metric("loss", loss);
        StepGraph step = sb.build(null);
        assertEquals(StateKind.BUFFER, step.manifest().stateEntry("d1.scale1.layer2.u").kind());
        assertTrue(step.manifest().stateEntry("d1.scale1.layer2.u").written());
        Map<String, Tensor> feed = new HashMap<>();
        for (StepManifest.StateEntry e : step.manifest().state()) if (e.read()) feed.put(e.name(), step.initialState().get(e.name()));
        Random r = new Random(5);
        feed.put("real", GradCheck.randn(r, n, 11, 32, 64));
        feed.put("fake", GradCheck.randn(r, n, 11, 32, 64));
        feed.put(Adam.lrInput("D1"), Tensor.scalar(4e-4f));
        Map<String, Tensor> out;
        try (Ort ort = new Ort(step.model())) {
            out = ort.run(feed);
        }
        assertTrue(Float.isFinite(out.get("loss").floats()[0]));
        for (String name : List.of("d1.scale0.layer0.weight", "d1.scale1.layer2.weight", "d1.scale0.layer3.bias")) {
            Tensor next = out.get(StepBuilder.nextName(name));
            for (float v : next.floats()) assertTrue(Float.isFinite(v), name);
            assertNotEquals(step.initialState().get(name), next, name);
        }
    }
}
