package org.sbgan.graphs.step;

import ai.onnx.proto.OnnxMl;
import java.util.Map;
import org.sbgan.graphs.ir.Tensor;

/** A built training step: the ONNX model, its manifest, and the initial value of every state tensor it declares. */
public record StepGraph(OnnxMl.ModelProto model, StepManifest manifest, Map<String, Tensor> initialState) {
    public byte[] bytes() {
        return model.toByteArray();
    }
}
