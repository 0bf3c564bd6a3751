package org.sbgan.trainer.eval;

import org.sbgan.trainer.data.loader.Resize;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.Device;

/**
 * Inception-v3 pool3 features (2048-d) from a user-supplied ONNX file, for FIDs comparable to published ones.
 *
 * <p>Why a user file: the FID Inception weights cannot be bundled or downloaded here. Export them once elsewhere
 * (for example pytorch-fid's {@code InceptionV3([3], normalize_input=False)} through {@code torch.onnx.export}).
 * The model's single input must be 4-D {@code [N, 3, H, W]} (N may be dynamic; 299×299 is typical); each image is
 * resized bilinearly to H×W and mapped from [−1, 1] to the model's range ({@link Input}). The output used is the
 * one with 2048 values per sample ({@code [N, 2048]} or {@code [N, 2048, 1, 1]}).
 */
public final class OnnxInceptionFeatures implements FeatureExtractor {
    /** Pool3 feature size of Inception-v3. */
    public static final int DIM = 2048;
    public static final int DEFAULT_BATCH = 32;

    /** The value range the model expects. */
    public enum Input {
        /** pytorch-fid's FIDInceptionA wrapper with {@code normalize_input=False}: [−1, 1], passed through. */
        MINUS_ONE_ONE,
        /** [0, 1]: x ↦ (x + 1) / 2. */
        ZERO_ONE
    }

    private final Path file;
    private final Input range;
    private final int batch;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    /** Shared options (spinning off), owned and closed with the session. */
    private final OrtSession.SessionOptions sessionOptions = newOptions();
    private final OrtSession session;
    private final String inputName;
    private final long fixedBatch;
    private final int height;
    private final int width;
    private final String outputName;

    public OnnxInceptionFeatures(Path file) {
        this(file, Input.MINUS_ONE_ONE, DEFAULT_BATCH);
    }

    public OnnxInceptionFeatures(Path file, Input range, int batch) {
        if (batch < 1) throw new IllegalArgumentException("Inception batch size must be positive, got " + batch);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": Inception ONNX file not found");
        this.file = file;
        this.range = range;
        try {
            this.session = env.createSession(file.toString(), sessionOptions);
        } catch (OrtException | RuntimeException e) {
            sessionOptions.close();
            throw new IllegalArgumentException(file + ": not a loadable ONNX model (" + Messages.oneLine(e) + ")", e);
        }
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) throw fail("expected one image input, found " + inputs.size() + " " + inputs.keySet());
            Map.Entry<String, NodeInfo> in = inputs.entrySet().iterator().next();
            long[] shape = in.getValue().getInfo() instanceof TensorInfo ti ? ti.getShape() : new long[0];
            if (shape.length != 4 || (shape[1] > 0 && shape[1] != 3)) {
                throw fail("input '" + in.getKey() + "' is " + Arrays.toString(shape) + ", expected 4-D [N, 3, H, W]");
            }
            this.inputName = in.getKey();
            this.fixedBatch = shape[0];
            this.height = shape[2] > 0 ? (int) shape[2] : 299;
            this.width = shape[3] > 0 ? (int) shape[3] : 299;
            this.batch = fixedBatch > 0 ? (int) fixedBatch : batch;
            this.outputName = pickOutput(session.getOutputInfo());
        } catch (OrtException e) {
            close();
            throw new IllegalArgumentException(file + ": cannot read the model's inputs and outputs (" + Messages.oneLine(e) + ")", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static OrtSession.SessionOptions newOptions() {
        try {
            return Device.CPU.sessionOptions(Runtime.getRuntime().availableProcessors());
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime session options: " + e.getMessage(), e);
        }
    }

    /** The output with 2048 values per sample; failing that, one whose per-sample size is only known at run time. */
    private String pickOutput(Map<String, NodeInfo> outputs) {
        List<String> seen = new ArrayList<>();
        String dynamic = null;
        for (Map.Entry<String, NodeInfo> e : outputs.entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo ti)) continue;
            long[] s = ti.getShape();
            seen.add(e.getKey() + Arrays.toString(s));
            long per = 1;
            boolean unknown = false;
            for (int i = 1; i < s.length; i++) {
                if (s[i] < 0) unknown = true;
                else per *= s[i];
            }
            if (s.length >= 2 && !unknown && per == DIM) return e.getKey();
            if (s.length >= 2 && unknown && dynamic == null) dynamic = e.getKey();
        }
        if (dynamic != null) return dynamic;
        throw fail("no output with " + DIM + " features per sample (outputs: " + String.join(", ", seen) + ")");
    }

    private IllegalArgumentException fail(String what) {
        return new IllegalArgumentException(file + ": " + what);
    }

    @Override
    public String name() {
        return "inception-onnx:" + file.getFileName();
    }

    @Override
    public int dim() {
        return DIM;
    }

    /** The model's input size {H, W}. */
    public int[] inputSize() {
        return new int[] {height, width};
    }

    @Override
    public float[][] features(float[] imagesChw, int n, int h, int w) {
        if ((long) n * 3 * h * w != imagesChw.length) {
            throw new IllegalArgumentException(name() + ": got " + imagesChw.length + " floats, not " + n + "×3×" + h + "×" + w);
        }
        float[][] out = new float[n][];
        int plane = 3 * h * w, oplane = 3 * height * width;
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            int rows = fixedBatch > 0 ? (int) fixedBatch : b; // a fixed-batch model gets its last batch zero-padded
            float[] data = new float[rows * oplane];
            for (int i = 0; i < b; i++) {
                float[] img = Arrays.copyOfRange(imagesChw, (start + i) * plane, (start + i + 1) * plane);
                float[] r = Resize.to(img, 3, h, w, height, width);
                int o = i * oplane;
                for (int k = 0; k < oplane; k++) data[o + k] = range == Input.ZERO_ONE ? (r[k] + 1f) * 0.5f : r[k];
            }
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {rows, 3, height, width});
                 OrtSession.Result res = session.run(Map.of(inputName, t), java.util.Set.of(outputName))) {
                OnnxValue v = res.get(0);
                if (!(v instanceof OnnxTensor ot)) throw fail("output '" + outputName + "' is not a tensor");
                FloatBuffer fb = ot.getFloatBuffer();
                if (fb == null || fb.remaining() != (long) rows * DIM) {
                    throw fail("output '" + outputName + "' has shape " + Arrays.toString(ot.getInfo().getShape()) + ", not " + DIM + " features per sample");
                }
                for (int i = 0; i < b; i++) {
                    float[] f = new float[DIM];
                    fb.position(i * DIM);
                    fb.get(f);
                    out[start + i] = f;
                }
            } catch (OrtException e) {
                throw new IllegalStateException(name() + ": inference failed (" + Messages.oneLine(e) + ")", e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(name() + ": closing the session failed (" + Messages.oneLine(e) + ")", e);
        } finally {
            sessionOptions.close();
        }
    }

}
