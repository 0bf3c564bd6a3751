package org.sbgan.graphs.ir;

/** Kernel [kh, kw], strides [sh, sw], pads [top, left, bottom, right] of a 2-D pooling; floor rounding. */
public record PoolSpec(long[] kernel, long[] strides, long[] pads, boolean countIncludePad) {
    public PoolSpec {
        if (kernel.length != 2 || strides.length != 2 || pads.length != 4) {
            throw new IllegalArgumentException("PoolSpec needs 2 kernel sizes, 2 strides and 4 pads");
        }
        kernel = kernel.clone();
        strides = strides.clone();
        pads = pads.clone();
    }

    public static PoolSpec of(int kernel, int stride, int pad, boolean countIncludePad) {
        return new PoolSpec(new long[] {kernel, kernel}, new long[] {stride, stride}, new long[] {pad, pad, pad, pad}, countIncludePad);
    }
}
