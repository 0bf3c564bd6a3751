package org.sbgan.graphs.ir;

/** Strides [sh, sw] and pads [top, left, bottom, right] (ONNX order) of a 2-D convolution. */
public record ConvSpec(long[] strides, long[] pads) {
    public ConvSpec {
        if (strides.length != 2 || pads.length != 4) throw new IllegalArgumentException("ConvSpec needs 2 strides and 4 pads");
        strides = strides.clone();
        pads = pads.clone();
    }

    public static ConvSpec of(int stride, int pad) {
        return new ConvSpec(new long[] {stride, stride}, new long[] {pad, pad, pad, pad});
    }

    public static ConvSpec of(int strideH, int strideW, int pad) {
        return new ConvSpec(new long[] {strideH, strideW}, new long[] {pad, pad, pad, pad});
    }
}
