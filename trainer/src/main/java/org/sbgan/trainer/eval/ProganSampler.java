package org.sbgan.trainer.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.sbgan.runtime.Messages;
import org.sbgan.runtime.Latents;
import org.sbgan.runtime.Device;
import org.sbgan.runtime.bundle.ProganBundle;

/**
 * Samples images from an RGB ProGAN baseline bundle ({@code model.json} kind "progan-rgb" and
 * {@code generator.onnx}: "z" [N, z_dim] → "image" [N, 3, H, W] in [−1, 1]) with ONNX Runtime.
 *
 * <p>Why its own class: the runtime's {@code SceneGenerator} only reads SB-GAN bundles (label maps and images),
 * while evaluation compares SB-GAN with this baseline on the same real images. Sample {@code i} of seed {@code s}
 * gets its own z from a {@link SplittableRandom} seeded with a SplitMix64 mix of (s, i) (Box–Muller with
 * {@link StrictMath}), so a sample does not depend on the batch size or the count asked for.
 */
public final class ProganSampler implements AutoCloseable {
    private static final int BATCH = 16;

    private final Path dir;
    private final String preset;
    private final int height;
    private final int width;
    private final int zDim;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions sessionOptions;
    private final OrtSession session;

    private ProganSampler(Path dir, String preset, int height, int width, int zDim, OrtSession.SessionOptions so, OrtSession session) {
        this.sessionOptions = so;
        this.dir = dir;
        this.preset = preset;
        this.height = height;
        this.width = width;
        this.zDim = zDim;
        this.session = session;
    }

    /** Opens a progan-rgb bundle with ONNX Runtime on {@code threads} intra-op threads. */
    public static ProganSampler open(Path dir, int threads) throws IOException {
        return open(ProganBundle.read(dir), threads);
    }

    /** Opens a progan-rgb bundle read already. */
    public static ProganSampler open(ProganBundle b, int threads) throws IOException {
        Path dir = b.dir(), onnx = b.generatorFile();
        int h = b.imageSize().height(), w = b.imageSize().width(), z = b.zDim();
        OrtSession.SessionOptions so = null;
        try {
            so = Device.CPU.sessionOptions(Math.max(1, threads));
            OrtSession s = OrtEnvironment.getEnvironment().createSession(onnx.toString(), so);
            return new ProganSampler(dir, b.preset(), h, w, z, so, s);
        } catch (OrtException e) {
            if (so != null) so.close();
            throw new IllegalArgumentException(onnx + ": ONNX Runtime cannot load it (" + Messages.oneLine(e) + ")", e);
        }
    }

    public Path dir() {
        return dir;
    }

    public String preset() {
        return preset;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int zDim() {
        return zDim;
    }

    /** z of sample {@code index} of {@code seed}: the runtime's latents, so sample i is the same z as scene i. */
    public float[] latent(long seed, long index) {
        return Latents.z(seed, index, zDim);
    }

    /** Samples {@code 0..count-1} of {@code seed}: {@code [count, 3, H, W]} in [−1, 1]. */
    public float[] sample(int count, long seed) {
        if (count < 0) throw new IllegalArgumentException("count must not be negative, got " + count);
        int plane = 3 * height * width;
        float[] out = new float[count * plane];
        for (int start = 0; start < count; start += BATCH) {
            int b = Math.min(BATCH, count - start);
            float[] z = new float[b * zDim];
            for (int i = 0; i < b; i++) System.arraycopy(latent(seed, start + i), 0, z, i * zDim, zDim);
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(z), new long[] {b, zDim});
                 OrtSession.Result r = session.run(Map.of("z", t))) {
                FloatBuffer fb = ((OnnxTensor) r.get("image").orElseThrow(() -> new IllegalStateException(dir + ": generator.onnx has no output \"image\""))).getFloatBuffer();
                if (fb.remaining() != (long) b * plane) {
                    throw new IllegalStateException(dir + ": generator.onnx made " + fb.remaining() + " values for " + b + " samples, not " + b + "×3×" + height + "×" + width);
                }
                fb.get(out, start * plane, b * plane);
            } catch (OrtException e) {
                throw new IllegalStateException(dir + ": generator.onnx failed in ONNX Runtime (" + Messages.oneLine(e) + ")", e);
            }
        }
        return out;
    }


    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(dir + ": closing generator.onnx: " + e.getMessage(), e);
        } finally {
            sessionOptions.close();
        }
    }
}
