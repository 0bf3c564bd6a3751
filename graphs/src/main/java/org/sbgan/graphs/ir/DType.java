package org.sbgan.graphs.ir;

/** Element types the graphs use, with their ONNX TensorProto.DataType codes. */
public enum DType {
    FLOAT(1, 4), INT32(6, 4), INT64(7, 8), BOOL(9, 1), DOUBLE(11, 8);

    public final int onnxCode;
    public final int bytes;

    DType(int onnxCode, int bytes) {
        this.onnxCode = onnxCode;
        this.bytes = bytes;
    }

    public boolean isFloating() {
        return this == FLOAT || this == DOUBLE;
    }
}
