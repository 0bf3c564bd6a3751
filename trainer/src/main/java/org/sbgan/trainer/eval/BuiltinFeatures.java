package org.sbgan.trainer.eval;

import org.sbgan.trainer.data.loader.Resize;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.runtime.Device;

/**
 * A feature extractor that needs no download: a fixed random convolutional network (seeded He-normal weights),
 * built with the graphs module and run on ONNX Runtime.
 *
 * <p>Why random weights: random conv features still separate image statistics (colour, edges, texture at several
 * scales) well enough for regression tests and offline comparisons of runs, and they are reproducible bit for bit
 * from the seed. They are not Inception features, so the numbers are not comparable to published FID; {@link #NAME}
 * says so wherever a number is reported.
 *
 * <p>Network: images are resized bilinearly to a fixed {@code h×w} (default 64×128, the tiny/small presets'
 * aspect; fixed so that numbers stay comparable across data sizes), then four 3×3 stride-2 convolutions
 * 3→32→64→128→256 with LeakyReLU(0.2), then per-channel global mean and global standard deviation: 512 features.
 */
public final class BuiltinFeatures implements FeatureExtractor {
    public static final String NAME = "sbgan-randconv-v1 (NOT Inception: numbers are not comparable to published FID)";
    /** The weights' seed; changing it (or the layers) needs a new version in {@link #NAME}. */
    public static final long SEED = 20240611L;
    private static final int[] CHANNELS = {3, 32, 64, 128, 256};
    private static final int BATCH = 32;

    private final int height;
    private final int width;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    /** Shared options (spinning off), owned and closed with the session. */
    private final OrtSession.SessionOptions sessionOptions = newOptions();
    private final OrtSession session;

    /** Input resized to 64×128. */
    public BuiltinFeatures() {
        this(64, 128);
    }

    public BuiltinFeatures(int height, int width) {
        if (height < 16 || width < 16) throw new IllegalArgumentException("built-in features need an input of at least 16×16, got " + height + "×" + width);
        this.height = height;
        this.width = width;
        try {
            this.session = env.createSession(model(height, width), sessionOptions);
        } catch (OrtException e) {
            sessionOptions.close();
            throw new IllegalStateException("built-in feature network failed to load in ONNX Runtime: " + e.getMessage(), e);
        }
    }

    private static OrtSession.SessionOptions newOptions() {
        try {
            return Device.CPU.sessionOptions(Runtime.getRuntime().availableProcessors());
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime session options: " + e.getMessage(), e);
        }
    }

    /** The ONNX model: input "images" [N, 3, h, w], output "features" [N, 512]. */
    static byte[] model(int height, int width) {
        Graph g = new Graph("sbgan_randconv_v1");
        Value x = g.input("images", -1, 3, height, width);
        Random rng = new Random(SEED);
        for (int l = 0; l + 1 < CHANNELS.length; l++) {
            int cin = CHANNELS[l], cout = CHANNELS[l + 1];
            float[] w = new float[cout * cin * 9];
            double std = Math.sqrt(2.0 / (cin * 9));
            for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
            Value wv = g.constant("conv" + (l + 1) + ".weight", Tensor.floats(w, cout, cin, 3, 3));
            x = g.leakyRelu(g.conv(x, wv, null, ConvSpec.of(2, 1)), 0.2f);
        }
        Value mean = g.reduceMean(x, true, 2, 3);
        Value centred = g.sub(x, mean);
        Value var = g.reduceMean(g.mul(centred, centred), false, 2, 3);
        Value std = g.sqrt(g.add(var, 1e-8f));
        Value features = g.concat(1, g.squeeze(mean, 2, 3), std);
        Map<String, Value> out = new LinkedHashMap<>();
        out.put("features", features);
        return OnnxExport.model(g, out, Map.of()).toByteArray();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int dim() {
        return 2 * CHANNELS[CHANNELS.length - 1];
    }

    /** The fixed network input size {h, w}. */
    public int[] inputSize() {
        return new int[] {height, width};
    }

    @Override
    public float[][] features(float[] imagesChw, int n, int h, int w) {
        if ((long) n * 3 * h * w != imagesChw.length) {
            throw new IllegalArgumentException("built-in features: got " + imagesChw.length + " floats, not " + n + "×3×" + h + "×" + w);
        }
        float[][] out = new float[n][];
        int plane = 3 * h * w, oplane = 3 * height * width;
        for (int start = 0; start < n; start += BATCH) {
            int b = Math.min(BATCH, n - start);
            float[] batch = new float[b * oplane];
            for (int i = 0; i < b; i++) {
                float[] img = new float[plane];
                System.arraycopy(imagesChw, (start + i) * plane, img, 0, plane);
                System.arraycopy(Resize.to(img, 3, h, w, height, width), 0, batch, i * oplane, oplane);
            }
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), new long[] {b, 3, height, width});
                 OrtSession.Result r = session.run(Map.of("images", t))) {
                float[][] f = (float[][]) r.get(0).getValue();
                System.arraycopy(f, 0, out, start, b);
            } catch (OrtException e) {
                throw new IllegalStateException("built-in features failed in ONNX Runtime: " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the built-in feature session: " + e.getMessage(), e);
        } finally {
            sessionOptions.close();
        }
    }
}
