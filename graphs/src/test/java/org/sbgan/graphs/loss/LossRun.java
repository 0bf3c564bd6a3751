package org.sbgan.graphs.loss;

import java.util.Map;
import java.util.Random;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.graphs.testing.Ort;

/** Runs a loss graph in ONNX Runtime; plain-Java reference helpers. */
final class LossRun {
    private LossRun() {}

    static Map<String, Tensor> run(Graph g, Map<String, Value> outputs, Map<String, Tensor> feed) {
        try (Ort ort = new Ort(OnnxExport.model(g, outputs))) {
            return ort.run(feed);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    static float scalar(Map<String, Tensor> res, String name) {
        return res.get(name).floats()[0];
    }

    static double mean(float[] d) {
        double s = 0;
        for (float v : d) s += v;
        return s / d.length;
    }

    /** N(0,1) values moved at least {@code margin} away from each kink (copy of GradCheck's rule). */
    static Tensor awayFrom(Random r, float margin, float[] kinks, long... shape) {
        float[] d = org.sbgan.graphs.testing.GradCheck.randn(r, shape).floats();
        for (int i = 0; i < d.length; i++) {
            for (float k : kinks) {
                if (Math.abs(d[i] - k) < margin) d[i] = k + (d[i] >= k ? margin : -margin) * (1 + r.nextFloat());
            }
        }
        return Tensor.floats(d, shape);
    }
}
