package org.sbgan.cli;

import org.sbgan.graphs.models.LayoutRecipe;
import org.sbgan.graphs.models.Preset;
import picocli.CommandLine.Option;

/**
 * The layout GAN's recipe on the command line (a picocli mixin of {@code train} and {@code build-graphs}): a base
 * recipe, then any flag switched on or off.
 */
final class LayoutRecipeOptions {
    /** Where the recipe starts from. */
    enum Base {
        /** The preset's own: minibatch stddev + G_seg EMA for tiny and small, released for the paper presets. */
        PRESET,
        /** The released SB-GAN code: emits exactly its graphs. */
        RELEASED,
        /** ProGAN's minibatch stddev, √PixelNorm and fade-in blending. */
        TEXTBOOK
    }

    @Option(names = "--layout-recipe", defaultValue = "preset", paramLabel = "preset|released|textbook",
            description = "Layout-GAN recipe: preset (tiny, small: minibatch stddev + G_seg EMA; cityscapes, ade-indoor: released), released (exactly the "
                    + "released SB-GAN code) or textbook (ProGAN's minibatch stddev, √PixelNorm, fade-in blending, G_seg EMA 0.999) (default: ${DEFAULT-VALUE}).")
    Base base;

    @Option(names = "--minibatch-stddev", negatable = true, description = "Minibatch-stddev feature map in D_seg's final block (overrides the recipe).")
    Boolean minibatchStddev;

    @Option(names = "--pixelnorm-sqrt", negatable = true, description = "PixelNorm with √ (textbook) in G_seg (overrides the recipe).")
    Boolean pixelNormSqrt;

    @Option(names = "--fade-blend", negatable = true, description = "Blend each new G_seg/D_seg level in over its fade phase (overrides the recipe).")
    Boolean fadeBlend;

    @Option(names = "--seg-entropy", paramLabel = "W", description = "Weight of the per-pixel entropy penalty on G_seg's class "
            + "probabilities in the layout-GAN G step; 0 = none (overrides the recipe).")
    Float entropyWeight;

    @Option(names = "--seg-ema", paramLabel = "BETA", description = "Decay of the moving average of G_seg's weights that replaces "
            + "them at the end of the layout stage, e.g. 0.999; 0 = none (overrides the recipe).")
    Float emaBeta;

    /** The recipe for a preset. */
    LayoutRecipe resolve(Preset p) {
        LayoutRecipe r = switch (base) {
            case PRESET -> p.layout();
            case RELEASED -> LayoutRecipe.RELEASED;
            case TEXTBOOK -> LayoutRecipe.TEXTBOOK;
        };
        if (minibatchStddev != null) r = r.withMinibatchStddev(minibatchStddev);
        if (pixelNormSqrt != null) r = r.withPixelNormSqrt(pixelNormSqrt);
        if (fadeBlend != null) r = r.withFadeBlend(fadeBlend);
        if (entropyWeight != null) r = r.withEntropyWeight(entropyWeight);
        if (emaBeta != null) r = r.withEmaBeta(emaBeta);
        return r;
    }
}
