package org.sbgan.graphs.models;

/**
 * How the layout GAN (G_seg and D_seg) is built: the released SB-GAN code's recipe, or ProGAN's textbook
 * stabilizers (docs/METHOD.md, "Layout recipe"). Every flag changes the emitted graphs; the released recipe emits
 * exactly the graphs of the released code.
 *
 * @param minibatchStddev ProGAN's minibatch-stddev feature map before D_seg's final block
 *                        ({@link org.sbgan.graphs.nn.MinibatchStddev}); off in the released code
 * @param pixelNormSqrt   PixelNorm divides by √(mean x² + 1e-8) (textbook) instead of mean x² + 1e-8 (released)
 * @param fadeBlend       fade phases blend the new level with the previous one (textbook); the released code
 *                        trains the new level plainly during its fade phase
 */
public record LayoutRecipe(boolean minibatchStddev, boolean pixelNormSqrt, boolean fadeBlend) {
    /** The released SB-GAN code. */
    public static final LayoutRecipe RELEASED = new LayoutRecipe(false, false, false);
    /** ProGAN's textbook stabilizers, all on. */
    public static final LayoutRecipe TEXTBOOK = new LayoutRecipe(true, true, true);

    public LayoutRecipe withMinibatchStddev(boolean on) {
        return new LayoutRecipe(on, pixelNormSqrt, fadeBlend);
    }

    public LayoutRecipe withPixelNormSqrt(boolean on) {
        return new LayoutRecipe(minibatchStddev, on, fadeBlend);
    }

    public LayoutRecipe withFadeBlend(boolean on) {
        return new LayoutRecipe(minibatchStddev, pixelNormSqrt, on);
    }

    /** "released", "textbook", or the flags that are on ("minibatch-stddev+pixelnorm-sqrt"; "none"). */
    public String describe() {
        if (equals(RELEASED)) return "released";
        if (equals(TEXTBOOK)) return "textbook";
        StringBuilder b = new StringBuilder();
        if (minibatchStddev) b.append("minibatch-stddev");
        if (pixelNormSqrt) b.append(b.isEmpty() ? "" : "+").append("pixelnorm-sqrt");
        if (fadeBlend) b.append(b.isEmpty() ? "" : "+").append("fade-blend");
        return b.toString();
    }
}
