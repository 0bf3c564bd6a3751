package org.sbgan.graphs.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.testing.GradCheck;

/** Feature matching Σ_scales Σ_layers L1(fake, sg(real)) · 10 / num_D (docs/METHOD.md §2), in ONNX Runtime. */
class FeatureMatchingLossTest {
    /** Per scale, per intermediate layer: shapes as a 2-scale, 3-layer PatchGAN on a tiny input gives them. */
    private static final long[][][] SHAPES = {
        {{2, 4, 5, 5}, {2, 8, 3, 3}, {2, 16, 2, 2}},
        {{2, 4, 3, 3}, {2, 8, 2, 2}, {2, 16, 2, 2}},
    };

    /** Real features, and fakes that differ from them by at least 0.1 everywhere (|·| is smooth there). */
    private static List<List<Tensor>> real(Random r) {
        List<List<Tensor>> out = new ArrayList<>();
        for (long[][] scale : SHAPES) {
            List<Tensor> l = new ArrayList<>();
            for (long[] s : scale) l.add(GradCheck.randn(r, s));
            out.add(l);
        }
        return out;
    }

    private static List<List<Tensor>> fakeNear(Random r, List<List<Tensor>> real) {
        List<List<Tensor>> out = new ArrayList<>();
        for (List<Tensor> scale : real) {
            List<Tensor> l = new ArrayList<>();
            for (Tensor t : scale) {
                float[] d = t.floats().clone();
                for (int i = 0; i < d.length; i++) d[i] += (float) ((r.nextBoolean() ? 1 : -1) * (0.1 + r.nextDouble()));
                l.add(Tensor.floats(d, t.shape));
            }
            out.add(l);
        }
        return out;
    }

    private static double reference(List<List<Tensor>> fake, List<List<Tensor>> real, double lambda) {
        double s = 0;
        for (int i = 0; i < fake.size(); i++) {
            for (int j = 0; j < fake.get(i).size(); j++) {
                float[] a = fake.get(i).get(j).floats(), b = real.get(i).get(j).floats();
                double l1 = 0;
                for (int k = 0; k < a.length; k++) l1 += Math.abs(a[k] - b[k]);
                s += l1 / a.length * lambda / fake.size();
            }
        }
        return s;
    }

    @Test
    void valueMatchesPlainJava() {
        Random r = new Random(5);
        List<List<Tensor>> real = real(r), fake = fakeNear(r, real);
        Graph g = new Graph("fm_value");
        List<List<Value>> fv = new ArrayList<>(), rv = new ArrayList<>();
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.length; i++) {
            List<Value> fs = new ArrayList<>(), rs = new ArrayList<>();
            for (int j = 0; j < SHAPES[i].length; j++) {
                fs.add(g.input("f" + i + j, SHAPES[i][j]));
                rs.add(g.input("r" + i + j, SHAPES[i][j]));
                feed.put("f" + i + j, fake.get(i).get(j));
                feed.put("r" + i + j, real.get(i).get(j));
            }
            fs.add(g.input("fout" + i, 2, 1, 2, 2)); // the final score map, dropped by intermediatesOfEachScale
            rs.add(g.input("rout" + i, 2, 1, 2, 2));
            fv.add(fs);
            rv.add(rs);
        }
        Map<String, Value> outs = new LinkedHashMap<>();
        outs.put("fm", Losses.featureMatching(Losses.intermediatesOfEachScale(fv), Losses.intermediatesOfEachScale(rv)));
        outs.put("fm3", Losses.featureMatching(Losses.intermediatesOfEachScale(fv), Losses.intermediatesOfEachScale(rv), 3f));
        Map<String, Tensor> res = LossRun.run(g, outs, feed);
        assertEquals(reference(fake, real, 10), LossRun.scalar(res, "fm"), 1e-4);
        assertEquals(reference(fake, real, 3), LossRun.scalar(res, "fm3"), 1e-4);
    }

    @Test
    void gradientWrtFakeFeaturesMatchesFiniteDifferences() {
        Random r = new Random(6);
        List<List<Tensor>> real = real(r), fake = fakeNear(r, real);
        GradCheck check = GradCheck.of("fm_grad").scalarLoss().probes(20);
        for (int i = 0; i < SHAPES.length; i++) for (int j = 0; j < SHAPES[i].length; j++) check.input("f" + i + j, fake.get(i).get(j));
        check.check((g, p) -> {
            List<List<Value>> fv = new ArrayList<>(), rv = new ArrayList<>();
            int k = 0;
            for (int i = 0; i < SHAPES.length; i++) {
                List<Value> fs = new ArrayList<>(), rs = new ArrayList<>();
                for (int j = 0; j < SHAPES[i].length; j++) {
                    fs.add(p.get(k++));
                    rs.add(g.constant("r" + i + j, real.get(i).get(j)));
                }
                fv.add(fs);
                rv.add(rs);
            }
            return Losses.featureMatching(fv, rv);
        });
    }

    @Test
    void realFeaturesGetNoGradient() {
        Random r = new Random(7);
        List<List<Tensor>> real = real(r), fake = fakeNear(r, real);
        Graph g = new Graph("fm_stop");
        List<List<Value>> fv = new ArrayList<>(), rv = new ArrayList<>();
        List<Value> reals = new ArrayList<>(), fakes = new ArrayList<>();
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.length; i++) {
            List<Value> fs = new ArrayList<>(), rs = new ArrayList<>();
            for (int j = 0; j < SHAPES[i].length; j++) {
                Value f = g.input("f" + i + j, SHAPES[i][j]), re = g.input("r" + i + j, SHAPES[i][j]);
                fs.add(f);
                rs.add(re);
                fakes.add(f);
                reals.add(re);
                feed.put("f" + i + j, fake.get(i).get(j));
                feed.put("r" + i + j, real.get(i).get(j));
            }
            fv.add(fs);
            rv.add(rs);
        }
        Value loss = Losses.featureMatching(fv, rv);
        List<Value> wrt = new ArrayList<>(reals);
        wrt.addAll(fakes);
        List<Value> grads = Gradients.of(loss, wrt);
        Map<String, Value> outs = new LinkedHashMap<>();
        for (int i = 0; i < grads.size(); i++) outs.put("d" + wrt.get(i).name(), grads.get(i));
        Map<String, Tensor> res = LossRun.run(g, outs, feed);
        for (Value re : reals) for (float v : res.get("d" + re.name()).floats()) assertEquals(0f, v, "d/d" + re.name());
        for (Value f : fakes) {
            // d/dfake = sign(fake − real) · λ / (numD · numel)
            float expect = (float) (10.0 / 2 / f.numel());
            for (float v : res.get("d" + f.name()).floats()) assertEquals(expect, Math.abs(v), 1e-6 * expect + 1e-9);
        }
    }

    @Test
    void mismatchedStructureIsRejected() {
        Graph g = new Graph("fm_bad");
        Value a = g.input("a", 2), b = g.input("b", 2);
        assertThrows(IllegalArgumentException.class, () -> Losses.featureMatching(List.of(List.of(a)), List.of(List.of(a), List.of(b))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.featureMatching(List.of(List.of(a, b)), List.of(List.of(a))));
        assertTrue(e.getMessage().contains("scale 0"), e.getMessage());
    }
}
