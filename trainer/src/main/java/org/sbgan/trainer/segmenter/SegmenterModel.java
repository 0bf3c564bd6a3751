package org.sbgan.trainer.segmenter;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.sbgan.graphs.models.Segmenter;
import org.sbgan.runtime.Device;
import org.sbgan.runtime.Messages;
import org.sbgan.trainer.data.loader.Resize;
import org.sbgan.trainer.data.loader.Transforms;
import org.sbgan.trainer.graphs.SegmenterBundle;

/** A segmenter bundle opened for inference: label maps and features of images, in batches, on ONNX Runtime. */
public final class SegmenterModel implements AutoCloseable {
    /** Images per session run. */
    static final int CHUNK = 32;

    /** Per image: class indices at the segmenter's size ([n, H, W] row-major) and feature vectors (null unless asked for). */
    public record Prediction(int n, int height, int width, int[] labels, float[][] features) {}

    private final SegmenterBundle bundle;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    private SegmenterModel(SegmenterBundle bundle, OrtSession session) {
        this.bundle = bundle;
        this.session = session;
    }

    /** Opens a bundle (a segmenter run folder or its model folder) with {@code threads} ONNX Runtime threads. */
    public static SegmenterModel open(Path path, int threads) throws IOException {
        return open(SegmenterBundle.read(path), threads);
    }

    public static SegmenterModel open(SegmenterBundle b, int threads) {
        try (OrtSession.SessionOptions so = Device.CPU.sessionOptions(threads)) {
            return new SegmenterModel(b, OrtEnvironment.getEnvironment().createSession(b.model().toString(), so));
        } catch (OrtException e) {
            throw new IllegalStateException(b.model() + ": ONNX Runtime cannot load it (" + Messages.oneLine(e) + ")", e);
        }
    }

    public SegmenterBundle bundle() {
        return bundle;
    }

    public Segmenter.Config config() {
        return bundle.config();
    }

    /**
     * Segments n images {@code [n, 3, h, w]} in [−1, 1], resized to the segmenter's input size when they differ
     * (box filter then bilinear, as the metrics resize).
     */
    public Prediction predict(float[] imagesChw, int n, int h, int w, boolean withFeatures) {
        Segmenter.Config c = config();
        int sh = c.height(), sw = c.width(), plane = sh * sw, in = 3 * h * w;
        int[] labels = new int[n * plane];
        float[][] features = withFeatures ? new float[n][] : null;
        float[] chunk = new float[Math.min(n, CHUNK) * 3 * plane];
        for (int start = 0; start < n; start += CHUNK) {
            int m = Math.min(CHUNK, n - start);
            for (int i = 0; i < m; i++) {
                float[] one = new float[in];
                System.arraycopy(imagesChw, (start + i) * in, one, 0, in);
                System.arraycopy(Resize.to(one, 3, h, w, sh, sw), 0, chunk, i * 3 * plane, 3 * plane);
            }
            try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(chunk, 0, m * 3 * plane), new long[] {m, 3, sh, sw});
                 OrtSession.Result r = withFeatures
                         ? session.run(Map.of(Segmenter.INPUT, x), java.util.Set.of(Segmenter.LABELS, Segmenter.FEATURES))
                         : session.run(Map.of(Segmenter.INPUT, x), java.util.Set.of(Segmenter.LABELS))) {
                LongBuffer lb = ((OnnxTensor) r.get(Segmenter.LABELS).orElseThrow()).getLongBuffer();
                for (int i = 0; i < m * plane; i++) labels[start * plane + i] = (int) lb.get(i);
                if (withFeatures) {
                    FloatBuffer fb = ((OnnxTensor) r.get(Segmenter.FEATURES).orElseThrow()).getFloatBuffer();
                    int d = c.featureDim();
                    for (int i = 0; i < m; i++) {
                        features[start + i] = new float[d];
                        fb.get(i * d, features[start + i]);
                    }
                }
            } catch (OrtException e) {
                throw new IllegalStateException(bundle.model() + ": ONNX Runtime failed (" + Messages.oneLine(e) + ")", e);
            }
        }
        return new Prediction(n, sh, sw, labels, features);
    }

    /**
     * The confusion matrix of the segmenter's predictions on n images against label maps {@code [n, lh, lw]} (class
     * indices of the segmenter's label space); the maps are nearest-resized to the segmenter's size.
     */
    public ConfusionMatrix score(float[] imagesChw, int n, int h, int w, int[] truth, int lh, int lw) {
        Prediction p = predict(imagesChw, n, h, w, false);
        return confusion(p, truth, lh, lw, 0);
    }

    /**
     * The confusion matrix of predictions against the label maps {@code [n, lh, lw]}, image i compared with map
     * (i + shift) mod n: shift 0 is the real pairing, shift 1 a mismatched one (the chance level of the same maps).
     */
    public ConfusionMatrix confusion(Prediction p, int[] truth, int lh, int lw, int shift) {
        ConfusionMatrix cm = new ConfusionMatrix(config().numClasses());
        int plane = p.height() * p.width(), lplane = lh * lw;
        for (int i = 0; i < p.n(); i++) {
            int j = (i + shift) % p.n();
            int[] t = new int[lplane];
            System.arraycopy(truth, j * lplane, t, 0, lplane);
            int[] resized = lh == p.height() && lw == p.width() ? t : Transforms.resizeNearest(t, lh, lw, p.height(), p.width());
            cm.add(resized, 0, p.labels(), i * plane, plane);
        }
        return cm;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(bundle.model() + ": " + Messages.oneLine(e), e);
        }
    }
}
