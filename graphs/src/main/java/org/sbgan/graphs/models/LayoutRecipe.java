package org.sbgan.graphs.models;

/**
 * How the layout GAN (G_seg and D_seg) is built: the released SB-GAN code's recipe, or ProGAN's textbook
 * stabilizers (docs/METHOD.md, "Layout recipe"). Every option changes the emitted graphs; the released recipe emits
 * exactly the graphs of the released code.
 *
 * @param minibatchStddev ProGAN's minibatch-stddev feature map before D_seg's final block
 *                        ({@link org.sbgan.graphs.nn.MinibatchStddev}); off in the released code
 * @param pixelNormSqrt   PixelNorm divides by √(mean x² + 1e-8) (textbook) instead of mean x² + 1e-8 (released)
 * @param fadeBlend       fade phases blend the new level with the previous one (textbook); the released code
 *                        trains the new level plainly during its fade phase
 * @param entropyWeight   weight of a penalty on the mean per-pixel entropy of G_seg's class probabilities in the
 *                        layout-GAN G step (0 = none, as in both the released code and ProGAN). The bottleneck samples
 *                        every pixel independently from p, so any entropy left in p is pixel noise in the training
 *                        samples and is lost by inference's argmax; the penalty makes G_seg commit to one class per pixel
 * @param emaBeta         decay of an exponential moving average of G_seg's weights kept by the layout-GAN G step
 *                        ({@link org.sbgan.graphs.optim.Ema}) and swapped in for the weights at the end of the stage
 *                        (ProGAN's smoothed generator); 0 = none, as in the released code
 */
public record LayoutRecipe(boolean minibatchStddev, boolean pixelNormSqrt, boolean fadeBlend, float entropyWeight, float emaBeta) {
    /** The released SB-GAN code. */
    public static final LayoutRecipe RELEASED = new LayoutRecipe(false, false, false, 0f, 0f);
    /** ProGAN's textbook stabilizers, all on: minibatch stddev, √PixelNorm, fade-in blending, G_seg EMA 0.999. */
    public static final LayoutRecipe TEXTBOOK = new LayoutRecipe(true, true, true, 0f, 0.999f);

    public LayoutRecipe {
        if (!(entropyWeight >= 0 && Float.isFinite(entropyWeight))) {
            throw new IllegalArgumentException("layout recipe: the entropy weight must be >= 0, not " + entropyWeight);
        }
        if (!(emaBeta == 0 || (emaBeta > 0 && emaBeta < 1))) {
            throw new IllegalArgumentException("layout recipe: the EMA decay must be 0 (off) or in (0, 1), not " + emaBeta);
        }
    }

    public LayoutRecipe withMinibatchStddev(boolean on) {
        return new LayoutRecipe(on, pixelNormSqrt, fadeBlend, entropyWeight, emaBeta);
    }

    public LayoutRecipe withPixelNormSqrt(boolean on) {
        return new LayoutRecipe(minibatchStddev, on, fadeBlend, entropyWeight, emaBeta);
    }

    public LayoutRecipe withFadeBlend(boolean on) {
        return new LayoutRecipe(minibatchStddev, pixelNormSqrt, on, entropyWeight, emaBeta);
    }

    public LayoutRecipe withEntropyWeight(float w) {
        return new LayoutRecipe(minibatchStddev, pixelNormSqrt, fadeBlend, w, emaBeta);
    }

    public LayoutRecipe withEmaBeta(float beta) {
        return new LayoutRecipe(minibatchStddev, pixelNormSqrt, fadeBlend, entropyWeight, beta);
    }

    /** "released", "textbook", or the flags that are on ("minibatch-stddev+pixelnorm-sqrt"; "none"). */
    public String describe() {
        if (equals(RELEASED)) return "released";
        if (equals(TEXTBOOK)) return "textbook";
        StringBuilder b = new StringBuilder();
        if (minibatchStddev) b.append("minibatch-stddev");
        if (pixelNormSqrt) b.append(b.isEmpty() ? "" : "+").append("pixelnorm-sqrt");
        if (fadeBlend) b.append(b.isEmpty() ? "" : "+").append("fade-blend");
        if (entropyWeight > 0) b.append(b.isEmpty() ? "" : "+").append("entropy-").append(entropyWeight);
        if (emaBeta > 0) b.append(b.isEmpty() ? "" : "+").append("ema-").append(emaBeta);
        return b.toString();
    }
}
