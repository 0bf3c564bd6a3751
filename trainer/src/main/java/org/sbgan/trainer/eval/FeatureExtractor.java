package org.sbgan.trainer.eval;

/**
 * Maps images to feature vectors for FID and KID.
 *
 * <p>Why an interface: published FIDs need Inception-v3 pool3 features, whose weights cannot be bundled or
 * downloaded here ({@link OnnxInceptionFeatures} loads a user's ONNX file), while tests and offline runs need an
 * extractor that is always there ({@link BuiltinFeatures}); {@link #name()} travels with every reported number so
 * the two are never confused.
 */
public interface FeatureExtractor extends AutoCloseable {
    /** Names the extractor in reports; non-Inception extractors say so. */
    String name();

    /** Features per image. */
    int dim();

    /** Features of n images, {@code [n, 3, h, w]} row-major, values in [−1, 1]; one row of {@link #dim()} per image. */
    float[][] features(float[] imagesChw, int n, int h, int w);

    /** Releases native resources; no checked exception. */
    @Override
    void close();
}
