package org.sbgan.trainer.data.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One prepared batch, owned by a {@link BatchLoader} and recycled: the consumer reads or copies it, then
 * {@link #release() releases} it (or closes it in a try-with-resources) so the loader can fill it again. Its
 * buffers are direct and in native byte order, ready for ONNX Runtime. Reading a batch after releasing it
 * reads whatever the loader writes next.
 */
public final class Batch implements AutoCloseable {
    private final BatchLoader owner;
    private final int size, numClasses, height, width;
    private final FloatBuffer labels, images;
    private final int[] classes;
    private final String[] ids;
    private long sequence;
    private int epoch;
    private long prepareNanos;
    private boolean held;

    Batch(BatchLoader owner, int size, int numClasses, int height, int width, boolean withLabels, boolean withImages) {
        this.owner = owner;
        this.size = size;
        this.numClasses = numClasses;
        this.height = height;
        this.width = width;
        this.labels = withLabels ? direct(size * numClasses * height * width) : null;
        this.images = withImages ? direct(size * 3 * height * width) : null;
        this.classes = withLabels ? new int[size * height * width] : null;
        this.ids = new String[size];
    }

    public static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Number of samples N. */
    public int size() {
        return size;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Position of this batch in the loader's stream, counting from 0 across epochs. */
    public long sequence() {
        return sequence;
    }

    public int epoch() {
        return epoch;
    }

    /** Nanoseconds the loader spent preparing this batch (loading and transforming its samples). */
    public long prepareNanos() {
        return prepareNanos;
    }

    /** One-hot labels {@code [N, K, H, W]} (a view from position 0; null for image-only loading). */
    public FloatBuffer labels() {
        return labels == null ? null : labels.duplicate().clear();
    }

    /** Images {@code [N, 3, H, W]} in [−1, 1] (a view from position 0; null for label-only loading). */
    public FloatBuffer images() {
        return images == null ? null : images.duplicate().clear();
    }

    /** The class maps {@code [N, H, W]} (the loader's array, not a copy; null for image-only loading). */
    public int[] classes() {
        return classes;
    }

    /** The ids of the samples, in batch order. */
    public String sampleId(int i) {
        return ids[i];
    }

    /** Copies the one-hot labels into {@code dst} from its position 0; its capacity must match. */
    public void copyLabelsTo(FloatBuffer dst) {
        copy(labels, dst, "labels");
    }

    /** Copies the images into {@code dst} from its position 0; its capacity must match. */
    public void copyImagesTo(FloatBuffer dst) {
        copy(images, dst, "images");
    }

    private static void copy(FloatBuffer src, FloatBuffer dst, String what) {
        if (src == null) throw new IllegalStateException("this loader prepares no " + what);
        if (dst.capacity() != src.capacity()) {
            throw new IllegalArgumentException("batch " + what + " have " + src.capacity() + " floats but the destination holds " + dst.capacity());
        }
        dst.duplicate().clear().put(src.duplicate().clear());
    }

    /** Hands the batch back to its loader for reuse. Releasing twice is harmless. */
    public void release() {
        owner.release(this);
    }

    @Override
    public void close() {
        release();
    }

    // ---- loader side ----

    FloatBuffer rawLabels() {
        return labels;
    }

    FloatBuffer rawImages() {
        return images;
    }

    String[] ids() {
        return ids;
    }

    void stamp(long sequence, int epoch, long prepareNanos) {
        this.sequence = sequence;
        this.epoch = epoch;
        this.prepareNanos = prepareNanos;
    }

    /** Marks the batch held by the consumer; returns false if it already was. */
    synchronized boolean hold(boolean h) {
        boolean was = held;
        held = h;
        return was != h;
    }
}
