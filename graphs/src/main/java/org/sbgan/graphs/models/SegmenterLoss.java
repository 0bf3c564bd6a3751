package org.sbgan.graphs.models;

import java.util.Arrays;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.loss.Losses;
import org.sbgan.graphs.nn.Params;

/**
 * A frozen segmenter's per-pixel cross-entropy between what it reads in G_img's image and the layout the image was
 * drawn from: λ · CE(Segmenter(fake), layout), optionally class-weighted. The GAN losses alone let G_img leave small
 * classes (people, poles, cars) as blurs, since D1 tells a real pair from a fake one mostly by the large regions; this
 * term makes every labelled region carry evidence of its class. The segmenter ({@link Segmenter}, trained on the real
 * pairs) runs in inference mode with weights the step reads as state and never writes ({@link Segmenter#GROUP}
 * {@code .*}), so only G_img learns from it; the trainer loads the trained weights into that state.
 *
 * <p>When the image is larger than the segmenter's input by an integer factor f in both axes, image and layout are
 * average-pooled by f first (the layout becomes a soft target, each pixel the class fractions of its f×f window).
 *
 * @param config       the segmenter's shape
 * @param source       names the segmenter in errors and descriptions
 * @param lambda       the term's weight in the G loss
 * @param classWeights per-class weights of the cross-entropy (length K), or null for equal weights
 */
public record SegmenterLoss(Segmenter.Config config, String source, float lambda, float[] classWeights) {
    /** Default weight λ. */
    public static final float LAMBDA = 1f;
    /** The largest segmenter input height the trainer picks for a run's own segmenter. */
    public static final int OWN_MAX_HEIGHT = 64;

    public SegmenterLoss {
        if (config == null || source == null) throw new IllegalArgumentException("SegmenterLoss: null config or source");
        if (!(lambda > 0) || !Float.isFinite(lambda)) throw new IllegalArgumentException("segmenter loss weight must be > 0, not " + lambda);
        if (classWeights != null && classWeights.length != config.numClasses()) {
            throw new IllegalArgumentException("segmenter loss: " + classWeights.length + " class weights for " + config.numClasses() + " classes");
        }
        classWeights = classWeights == null ? null : classWeights.clone();
    }

    /**
     * The input size of a segmenter trained for {@code p}'s images: the image size halved until the height is at most
     * {@link #OWN_MAX_HEIGHT} (tiny 32×64, small and the paper presets 64×128).
     */
    public static Preset.Size ownInputSize(Preset p) {
        Preset.Size s = p.imageSize();
        int f = 1;
        while (s.height() / f > OWN_MAX_HEIGHT && s.height() % (2 * f) == 0 && s.width() % (2 * f) == 0) f *= 2;
        return new Preset.Size(s.height() / f, s.width() / f);
    }

    /** The network of a segmenter trained for {@code p}: the default U-Net ({@link Segmenter.Config#of}) at {@link #ownInputSize}. */
    public static Segmenter.Config ownConfig(Preset p) {
        Preset.Size s = ownInputSize(p);
        return Segmenter.Config.of(p.numClasses(), s.height(), s.width());
    }

    /**
     * Checks that this segmenter fits {@code p}: same number of classes, and the image size an integer multiple of the
     * segmenter's input; throws IllegalArgumentException with a one-line message naming the source otherwise.
     */
    public SegmenterLoss check(Preset p) {
        if (config.numClasses() != p.numClasses()) {
            throw new IllegalArgumentException(source + ": a segmenter of " + config.numClasses() + " classes, preset " + p.name() + " has "
                    + p.numClasses());
        }
        factor(p.imageSize());
        return this;
    }

    private int factor(Preset.Size s) {
        int fh = s.height() / config.height(), fw = s.width() / config.width();
        if (fh < 1 || fh != fw || s.height() != fh * config.height() || s.width() != fw * config.width()) {
            throw new IllegalArgumentException(source + ": segmenter input " + config.height() + "×" + config.width() + " does not divide the image size "
                    + s.height() + "×" + s.width() + " by one integer factor; train the segmenter with --size " + s.height() + "x" + s.width());
        }
        return fh;
    }

    /**
     * λ · CE(S(fake), layout) for fake images [N, 3, H, W] in [−1, 1] and their one-hot layouts [N, K, H, W], with S this
     * loss's segmenter built on {@code frozen}: parameters that are read, never trained, in inference mode.
     */
    public Value loss(Params frozen, Value fake, Value layout) {
        Segmenter net = new Segmenter(frozen, config);
        Graph g = fake.graph();
        int f = factor(new Preset.Size((int) fake.dim(2), (int) fake.dim(3)));
        try (Graph.Scope s = g.scope("segmenter_loss")) {
            Value img = fake, target = layout;
            if (f > 1) {
                PoolSpec pool = PoolSpec.of(f, f, 0, true);
                img = g.avgPool(fake, pool);
                target = g.avgPool(layout, pool);
            }
            Value ce = Losses.pixelCrossEntropy(g, net.forward(img).logits(), target, classWeights);
            return g.mul(ce, lambda);
        }
    }

    /** One line for step docs and logs. */
    public String describe() {
        return "segmenter CE ×" + lambda + (classWeights == null ? "" : " class-weighted " + Arrays.toString(classWeights)) + " of " + source;
    }
}
