package org.sbgan.graphs.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.testing.GradCheck;

/** Hinge losses of the multi-scale PatchGANs (docs/METHOD.md §2), single and multi-scale, in ONNX Runtime. */
class HingeLossTest {
    private static final float[] KINKS = {1f, -1f};
    // Two scales as D1 gives them: 32×32 → 17×17 patch map, its AvgPool'd half → 9×9.
    private static final long[] S0 = {2, 1, 5, 5}, S1 = {2, 1, 3, 3};

    private static double hingeD(float[] real, float[] fake) {
        double a = 0, b = 0;
        for (float v : real) a += Math.max(0, 1 - v);
        for (float v : fake) b += Math.max(0, 1 + v);
        return a / real.length + b / fake.length;
    }

    @Test
    void valuesMatchPlainJava() {
        Random r = new Random(3);
        Tensor r0 = GradCheck.randn(r, S0), f0 = GradCheck.randn(r, S0), r1 = GradCheck.randn(r, S1), f1 = GradCheck.randn(r, S1);
        Graph g = new Graph("hinge_values");
        Value vr0 = g.input("r0", S0), vf0 = g.input("f0", S0), vr1 = g.input("r1", S1), vf1 = g.input("f1", S1);
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("d0", Losses.hingeD(vr0, vf0));
        outs.put("g0", Losses.hingeG(vf0));
        outs.put("dms", Losses.hingeD(List.of(vr0, vr1), List.of(vf0, vf1)));
        outs.put("gms", Losses.hingeG(List.of(vf0, vf1)));
        outs.put("gms_last", Losses.hingeG(Losses.lastOfEachScale(List.of(List.of(vr0, vf0), List.of(vr1, vf1)))));
        Map<String, Tensor> res = LossRun.run(g, outs, Map.of("r0", r0, "f0", f0, "r1", r1, "f1", f1));

        assertEquals(hingeD(r0.floats(), f0.floats()), LossRun.scalar(res, "d0"), 1e-5);
        assertEquals(-LossRun.mean(f0.floats()), LossRun.scalar(res, "g0"), 1e-5);
        assertEquals((hingeD(r0.floats(), f0.floats()) + hingeD(r1.floats(), f1.floats())) / 2, LossRun.scalar(res, "dms"), 1e-5);
        double gms = -(LossRun.mean(f0.floats()) + LossRun.mean(f1.floats())) / 2;
        assertEquals(gms, LossRun.scalar(res, "gms"), 1e-5);
        assertEquals(gms, LossRun.scalar(res, "gms_last"), 1e-5);
    }

    @Test
    void hingeAtKnownPoints() {
        // real 2 → 0, real 0.5 → 0.5; fake −3 → 0, fake 1 → 2: (0 + 0.5)/2 + (0 + 2)/2 = 1.25
        Graph g = new Graph("hinge_known");
        Value re = g.input("r", 2), fa = g.input("f", 2);
        Map<String, Tensor> res = LossRun.run(g, Map.of("d", Losses.hingeD(re, fa)),
                Map.of("r", Tensor.floats(new float[] {2f, 0.5f}, 2), "f", Tensor.floats(new float[] {-3f, 1f}, 2)));
        assertEquals(1.25f, LossRun.scalar(res, "d"), 1e-6);
    }

    @Test
    void multiScaleDGradientMatchesFiniteDifferences() {
        Random r = new Random(4);
        GradCheck.of("hinge_d_ms").scalarLoss()
                .input("r0", LossRun.awayFrom(r, 0.05f, KINKS, S0)).input("f0", LossRun.awayFrom(r, 0.05f, KINKS, S0))
                .input("r1", LossRun.awayFrom(r, 0.05f, KINKS, S1)).input("f1", LossRun.awayFrom(r, 0.05f, KINKS, S1))
                .check((g, p) -> Losses.hingeD(List.of(p.get(0), p.get(2)), List.of(p.get(1), p.get(3))));
    }

    @Test
    void multiScaleGGradientMatchesFiniteDifferences() {
        GradCheck.of("hinge_g_ms").scalarLoss().input("f0", S0).input("f1", S1)
                .check((g, p) -> Losses.hingeG(List.of(p.get(0), p.get(1))));
    }

    @Test
    void mismatchedScaleCountsAreRejected() {
        Graph g = new Graph("hinge_bad");
        Value a = g.input("a", 2), b = g.input("b", 2);
        assertThrows(IllegalArgumentException.class, () -> Losses.hingeD(List.of(a, b), List.of(a)));
        assertThrows(IllegalArgumentException.class, () -> Losses.hingeG(List.of()));
    }
}
