package org.sbgan.graphs.testing;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;

/**
 * A small VGG-shaped ONNX model with random weights, written with our own exporter: Conv3×3+ReLU stages
 * separated by 2×2 max pools; outputs (and value names) relu1_1, relu2_1, relu3_1, relu4_1, relu5_1.
 * Input "image" [n, 3, 16, 16] (already normalised).
 */
public final class TinyVgg {
    public static final List<String> TAPS = List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1");
    public static final int SIZE = 16;

    private TinyVgg() {}

    public static OnnxMl.ModelProto model(long n, long seed) {
        Random r = new Random(seed);
        Graph g = new Graph("tiny_vgg");
        Value x = g.input("image", n, 3, SIZE, SIZE);
        long[] ch = {3, 4, 4, 6, 8, 8, 8};
        Map<String, Value> outs = new LinkedHashMap<>();
        Value h = x;
        int conv = 0;
        for (int stage = 0; stage < 5; stage++) {
            if (stage > 0) h = g.maxPool(h, PoolSpec.of(2, 2, 0, false));
            int convs = stage == 0 ? 2 : 1;
            for (int k = 0; k < convs; k++) {
                long cin = ch[conv], cout = ch[conv + 1];
                Tensor w = GradCheck.randn(r, cout, cin, 3, 3);
                float[] wd = w.floats();
                float s = (float) Math.sqrt(2.0 / (cin * 9));
                for (int i = 0; i < wd.length; i++) wd[i] *= s;
                Tensor b = GradCheck.randn(r, cout);
                for (int i = 0; i < b.floats().length; i++) b.floats()[i] *= 0.1f;
                h = g.relu(g.conv(h, g.constant("features." + conv + ".weight", Tensor.floats(wd, w.shape)),
                        g.constant("features." + conv + ".bias", Tensor.floats(b.floats(), b.shape)), ConvSpec.of(1, 1)));
                if (k == 0) outs.put(TAPS.get(stage), h);
                conv++;
            }
        }
        return OnnxExport.model(g, outs);
    }

    public static Path write(Path dir, long n, long seed) throws IOException {
        Path f = dir.resolve("tiny_vgg.onnx");
        OnnxExport.write(model(n, seed), f);
        return f;
    }

    /** Uniform values in [−1, 1]. */
    public static Tensor image(Random r, long n) {
        float[] d = new float[(int) (n * 3 * SIZE * SIZE)];
        for (int i = 0; i < d.length; i++) d[i] = r.nextFloat() * 2 - 1;
        return Tensor.floats(d, n, 3, SIZE, SIZE);
    }
}
