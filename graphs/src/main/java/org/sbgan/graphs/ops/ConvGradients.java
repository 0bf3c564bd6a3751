package org.sbgan.graphs.ops;

/**
 * How a graph forms convolutions and their gradients. {@link #MEASURED} (every graph's default) uses what
 * docs/BENCHMARKS.md measured fastest on ONNX Runtime CPU: ConvTranspose for strided dX, and per-shape
 * rules ({@link Nn#stride1DxFor}, {@link Nn#weightGradFor}, {@link Nn#convForwardFor}) where {@code stride1Dx} /
 * {@code weightGrad} / {@code forward} are null. Setting a value forces that formulation for every convolution of the graph (benchmarks, tests).
 */
public record ConvGradients(Nn.StridedDx stridedDx, Nn.Stride1Dx stride1Dx, Nn.WeightGrad weightGrad, Nn.ConvForward forward) {
    public static final ConvGradients MEASURED = new ConvGradients(Nn.StridedDx.CONV_TRANSPOSE, null, null, null);

    /** Inference graphs: ORT's Conv forward everywhere, which folds constant weights into its fastest kernels. */
    public static final ConvGradients INFERENCE = MEASURED.withForward(Nn.ConvForward.ORT_CONV);

    public ConvGradients {
        if (stridedDx == null) throw new IllegalArgumentException("strided dX formulation is required");
    }

    public ConvGradients(Nn.StridedDx stridedDx, Nn.Stride1Dx stride1Dx, Nn.WeightGrad weightGrad) {
        this(stridedDx, stride1Dx, weightGrad, null);
    }

    public ConvGradients withForward(Nn.ConvForward f) {
        return new ConvGradients(stridedDx, stride1Dx, weightGrad, f);
    }

    /** The forward formulation of a convolution of x [N, C, H, W] into O channels of Ho·Wo = {@code outPixels}. */
    public Nn.ConvForward forwardFor(long[] xShape, long outChannels, long outPixels) {
        return forward != null ? forward : Nn.convForwardFor(xShape, outChannels, outPixels);
    }

    public ConvGradients withStridedDx(Nn.StridedDx d) {
        return new ConvGradients(d, stride1Dx, weightGrad, forward);
    }

    public ConvGradients withStride1Dx(Nn.Stride1Dx d) {
        return new ConvGradients(stridedDx, d, weightGrad, forward);
    }

    public ConvGradients withWeightGrad(Nn.WeightGrad w) {
        return new ConvGradients(stridedDx, stride1Dx, w, forward);
    }

    /** The stride-1 dX formulation for a convolution with {@code inChannels} and Ho·Wo = {@code outPixels}. */
    public Nn.Stride1Dx stride1DxFor(long inChannels, long outPixels) {
        return stride1Dx != null ? stride1Dx : Nn.stride1DxFor(inChannels, outPixels);
    }

    public Nn.WeightGrad weightGradFor(long inChannels, long outPixels) {
        return weightGrad != null ? weightGrad : Nn.weightGradFor(inChannels, outPixels);
    }
}
