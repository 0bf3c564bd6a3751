package org.sbgan.graphs.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sbgan.graphs.autodiff.Gradients;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;

/**
 * Checks gradients built by {@link Gradients} and run by ONNX Runtime against central finite differences
 * of the same ONNX model's forward value. The function's output is projected on a fixed random tensor, so
 * every output element matters: loss = Σ f(x) ⊙ R.
 */
public final class GradCheck {
    @FunctionalInterface
    public interface Fn {
        Value apply(Graph g, List<Value> inputs);
    }

    private final String name;
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> values = new ArrayList<>();
    private final Random rnd;
    private double eps = 1e-2, atol = 2e-3, rtol = 2e-2;
    private int maxProbes = 60;
    private boolean project = true;

    private GradCheck(String name, long seed) {
        this.name = name;
        this.rnd = new Random(seed);
    }

    public static GradCheck of(String name) {
        return new GradCheck(name, name.hashCode());
    }

    /** A float input drawn from N(0,1) (never exactly 0 or 1). */
    public GradCheck input(String n, long... shape) {
        return input(n, randn(rnd, shape));
    }

    /** A float input whose elements are at least {@code margin} away from every kink point in {@code kinks}. */
    public GradCheck inputAwayFrom(String n, float margin, float[] kinks, long... shape) {
        Tensor t = randn(rnd, shape);
        float[] d = t.floats();
        for (int i = 0; i < d.length; i++) {
            for (float k : kinks) {
                if (Math.abs(d[i] - k) < margin) d[i] = k + (d[i] >= k ? margin : -margin) * (1 + rnd.nextFloat());
            }
        }
        return input(n, t);
    }

    public GradCheck input(String n, Tensor t) {
        names.add(n);
        values.add(t);
        return this;
    }

    public GradCheck tolerance(double atol, double rtol) {
        this.atol = atol;
        this.rtol = rtol;
        return this;
    }

    public GradCheck eps(double eps) {
        this.eps = eps;
        return this;
    }

    public GradCheck probes(int n) {
        this.maxProbes = n;
        return this;
    }

    /** The function already returns a scalar loss (e.g. one containing gradients): no projection. */
    public GradCheck scalarLoss() {
        this.project = false;
        return this;
    }

    /** Builds the graph, runs gradients in ORT and compares with finite differences; fails with details. */
    public void check(Fn fn) {
        Graph g = new Graph("gradcheck_" + name);
        List<Value> ins = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) ins.add(g.input(names.get(i), values.get(i).shape));
        Value out = fn.apply(g, ins);
        Value loss = project ? g.sumAll(g.mul(out, g.constant("projection", randn(rnd, out.shape())))) : out;
        List<Value> grads = Gradients.of(loss, ins);
        Map<String, Value> outputs = new LinkedHashMap<>();
        outputs.put("loss", loss);
        for (int i = 0; i < ins.size(); i++) outputs.put("grad_" + names.get(i), grads.get(i));
        try (Ort ort = new Ort(OnnxExport.model(g, outputs))) {
            Map<String, Tensor> feed = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) feed.put(names.get(i), values.get(i));
            Map<String, Tensor> res = ort.run(feed);
            StringBuilder errors = new StringBuilder();
            for (int i = 0; i < names.size(); i++) {
                float[] analytic = res.get("grad_" + names.get(i)).floats();
                float[] x = values.get(i).floats().clone();
                int n = x.length;
                int[] probes = probeIndices(n);
                for (int idx : probes) {
                    float orig = x[idx];
                    double lp = lossAt(ort, feed, i, x, idx, orig + eps);
                    double lm = lossAt(ort, feed, i, x, idx, orig - eps);
                    x[idx] = orig;
                    double fd = (lp - lm) / (2 * eps);
                    double a = analytic[idx];
                    if (!(Math.abs(a - fd) <= atol + rtol * Math.max(Math.abs(a), Math.abs(fd)))) {
                        errors.append(String.format("  d/d%s[%d]: gradient %.6f, finite difference %.6f%n", names.get(i), idx, a, fd));
                    }
                }
                feed.put(names.get(i), values.get(i));
            }
            if (errors.length() > 0) fail(name + ": gradient differs from finite differences:\n" + errors);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private double lossAt(Ort ort, Map<String, Tensor> feed, int input, float[] x, int idx, double v) {
        x[idx] = (float) v;
        feed.put(names.get(input), Tensor.floats(x.clone(), values.get(input).shape));
        return ort.run(feed).get("loss").floats()[0];
    }

    private int[] probeIndices(int n) {
        if (n <= maxProbes) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        // Distinct random indices, always including the first and last element.
        List<Integer> all = new ArrayList<>();
        for (int i = 1; i < n - 1; i++) all.add(i);
        java.util.Collections.shuffle(all, rnd);
        int[] p = new int[maxProbes];
        p[0] = 0;
        p[1] = n - 1;
        for (int i = 2; i < maxProbes; i++) p[i] = all.get(i - 2);
        return p;
    }

    public static Tensor randn(Random r, long... shape) {
        float[] d = new float[Math.toIntExact(Shapes.numel(shape))];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.floats(d, shape);
    }
}
