package org.sbgan.graphs.ops;

/**
 * How a graph forms convolution gradients. {@link #MEASURED} (every graph's default) uses what
 * docs/BENCHMARKS.md measured fastest on ONNX Runtime CPU: ConvTranspose for strided dX, and per-shape
 * rules ({@link Nn#stride1DxFor}, {@link Nn#weightGradFor}) where {@code stride1Dx} / {@code weightGrad}
 * are null. Setting a value forces that formulation for every convolution of the graph (benchmarks, tests).
 */
public record ConvGradients(Nn.StridedDx stridedDx, Nn.Stride1Dx stride1Dx, Nn.WeightGrad weightGrad) {
    public static final ConvGradients MEASURED = new ConvGradients(Nn.StridedDx.CONV_TRANSPOSE, null, null);

    public ConvGradients {
        if (stridedDx == null) throw new IllegalArgumentException("strided dX formulation is required");
    }

    public ConvGradients withStridedDx(Nn.StridedDx d) {
        return new ConvGradients(d, stride1Dx, weightGrad);
    }

    public ConvGradients withStride1Dx(Nn.Stride1Dx d) {
        return new ConvGradients(stridedDx, d, weightGrad);
    }

    public ConvGradients withWeightGrad(Nn.WeightGrad w) {
        return new ConvGradients(stridedDx, stride1Dx, w);
    }

    /** The stride-1 dX formulation for a convolution with {@code inChannels} and Ho·Wo = {@code outPixels}. */
    public Nn.Stride1Dx stride1DxFor(long inChannels, long outPixels) {
        return stride1Dx != null ? stride1Dx : Nn.stride1DxFor(inChannels, outPixels);
    }

    public Nn.WeightGrad weightGradFor(long inChannels, long outPixels) {
        return weightGrad != null ? weightGrad : Nn.weightGradFor(inChannels, outPixels);
    }
}
