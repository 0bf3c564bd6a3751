package org.sbgan.graphs.models;

import java.util.ArrayList;
import java.util.List;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.Shapes;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.nn.Conv2d;
import org.sbgan.graphs.nn.Params;
import org.sbgan.graphs.nn.Spade;
import org.sbgan.graphs.nn.SpadeResBlock;

/**
 * G_img, the SPADE image generator (docs/METHOD.md §2), from a {@link Preset}: one-hot layout [N, K, H, W] at
 * {@link Preset#imageSize()} → image [N, 3, H, W] in [−1, 1].
 *
 * <pre>
 * x = fc(nearest-resize(layout, spadeStartSize))            Conv3×3 K → 16ngf, plain (not SN)
 * head_0 (16→16ngf), up, G_middle_0 (16ngf), [up if MORE], G_middle_1 (16ngf), up,
 * up_0 (16→8ngf), up, up_1 (8→4ngf), up, up_2 (4→2ngf), up, up_3 (2→1ngf),
 * LeakyReLU(0.2), conv_img (Conv3×3 ngf → 3, plain), tanh                     "up" = nearest ×2
 * </pre>
 *
 * Every ResBlk gets the full-resolution layout (each SPADE resizes it), through stopGradient when
 * {@link Preset#detachSegInBlocks()}. State names are hierarchical and stable: {@code gimg.fc.weight},
 * {@code gimg.head_0.conv_0.weight}, {@code gimg.head_0.conv_0.u}, {@code gimg.up_0.norm_s.mlp_gamma.bias},
 * {@code gimg.head_0.norm_0.param_free_norm.running_mean}, …, {@code gimg.conv_img.weight}.
 *
 * <p>The blocks' batch norms allow one {@link #forward} per training graph (one generator pass per step);
 * inference graphs (running statistics) accept a dynamic batch.
 */
public final class ImageGenerator {
    public static final String SCOPE = "gimg";
    public static final float LRELU_SLOPE = 0.2f;

    private final Preset preset;
    private final String path;
    private final Conv2d fc, convImg;
    private final SpadeResBlock head0, middle0, middle1, up0, up1, up2, up3;

    public ImageGenerator(Params p, Preset preset) {
        this.preset = preset;
        int k = preset.numClasses(), ngf = preset.spade().ngf(), nh = preset.spade().nhidden();
        boolean det = preset.detachSegInBlocks();
        Graph g = p.graph();
        try (Graph.Scope s = g.scope(SCOPE)) {
            path = g.layer();
            fc = new Conv2d(p, "fc", fcConfig(preset));
            head0 = new SpadeResBlock(p, "head_0", SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, det));
            middle0 = new SpadeResBlock(p, "G_middle_0", SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, det));
            middle1 = new SpadeResBlock(p, "G_middle_1", SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, det));
            up0 = new SpadeResBlock(p, "up_0", SpadeResBlock.Config.of(16 * ngf, 8 * ngf, k, nh, det));
            up1 = new SpadeResBlock(p, "up_1", SpadeResBlock.Config.of(8 * ngf, 4 * ngf, k, nh, det));
            up2 = new SpadeResBlock(p, "up_2", SpadeResBlock.Config.of(4 * ngf, 2 * ngf, k, nh, det));
            up3 = new SpadeResBlock(p, "up_3", SpadeResBlock.Config.of(2 * ngf, ngf, k, nh, det));
            convImg = new Conv2d(p, "conv_img", convImgConfig(preset));
        }
    }

    private static Conv2d.Config fcConfig(Preset p) {
        return Conv2d.Config.same3x3(p.numClasses(), 16 * p.spade().ngf());
    }

    private static Conv2d.Config convImgConfig(Preset p) {
        return Conv2d.Config.same3x3(p.spade().ngf(), 3);
    }

    /** layout [N, K, H, W] at the preset's image size (N may be dynamic in inference graphs) → image [N, 3, H, W]. */
    public Value forward(Value layout) {
        Graph g = layout.graph();
        Preset.Size size = preset.imageSize(), start = preset.spadeStartSize();
        long[] sh = layout.shape();
        if (sh.length != 4 || sh[1] != preset.numClasses() || sh[2] != size.height() || sh[3] != size.width()) {
            throw new IllegalArgumentException("G_img of preset '" + preset.name() + "' expects a layout [N," + preset.numClasses() + ","
                    + size.height() + "," + size.width() + "], got " + Shapes.str(sh));
        }
        try (Graph.Scope s = g.scopeAt(path)) {
            Value x = fc.forward(Spade.resizeNearest(layout, start.height(), start.width()));
            x = head0.forward(x, layout);
            x = up(g, x);
            x = middle0.forward(x, layout);
            if (preset.spade().upsampling() == Preset.Upsampling.MORE) x = up(g, x);
            x = middle1.forward(x, layout);
            x = up(g, x);
            x = up0.forward(x, layout);
            x = up(g, x);
            x = up1.forward(x, layout);
            x = up(g, x);
            x = up2.forward(x, layout);
            x = up(g, x);
            x = up3.forward(x, layout);
            x = convImg.forward(g.leakyRelu(x, LRELU_SLOPE));
            return g.tanh(x);
        }
    }

    private static Value up(Graph g, Value x) {
        return g.upsampleNearest(x, 2, 2);
    }

    public Preset preset() {
        return preset;
    }

    /** Number of trainable values of G_img for a preset (buffers — running statistics, SN u — excluded). */
    public static long parameterCount(Preset preset) {
        int k = preset.numClasses(), ngf = preset.spade().ngf(), nh = preset.spade().nhidden();
        List<SpadeResBlock.Config> blocks = new ArrayList<>();
        blocks.add(SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, true));
        blocks.add(SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, true));
        blocks.add(SpadeResBlock.Config.of(16 * ngf, 16 * ngf, k, nh, true));
        blocks.add(SpadeResBlock.Config.of(16 * ngf, 8 * ngf, k, nh, true));
        blocks.add(SpadeResBlock.Config.of(8 * ngf, 4 * ngf, k, nh, true));
        blocks.add(SpadeResBlock.Config.of(4 * ngf, 2 * ngf, k, nh, true));
        blocks.add(SpadeResBlock.Config.of(2 * ngf, ngf, k, nh, true));
        long n = fcConfig(preset).parameterCount() + convImgConfig(preset).parameterCount();
        for (SpadeResBlock.Config c : blocks) n += c.parameterCount();
        return n;
    }
}
