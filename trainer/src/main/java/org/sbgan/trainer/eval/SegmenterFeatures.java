package org.sbgan.trainer.eval;

import java.io.IOException;
import java.nio.file.Path;
import org.sbgan.trainer.segmenter.SegmenterModel;

/**
 * FID/KID features from a segmenter trained by sbgan on the user's own data ({@code --features segmenter:SEG}): the
 * global means of its deepest encoder level and of its last decoder block. Weights trained on the domain, not random
 * ones, and no download; the numbers are comparable between runs scored with the same segmenter only.
 */
final class SegmenterFeatures implements FeatureExtractor {
    private final SegmenterModel model;

    private SegmenterFeatures(SegmenterModel model) {
        this.model = model;
    }

    static SegmenterFeatures open(Path segmenter, int threads) {
        try {
            return new SegmenterFeatures(SegmenterModel.open(segmenter, threads));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "segmenter " + model.bundle().dir() + " (U-Net pooled features, " + dim() + "-d; not Inception)";
    }

    @Override
    public int dim() {
        return model.config().featureDim();
    }

    @Override
    public float[][] features(float[] imagesChw, int n, int h, int w) {
        return model.predict(imagesChw, n, h, w, true).features();
    }

    @Override
    public void close() {
        model.close();
    }
}
