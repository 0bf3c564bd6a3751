package org.sbgan.graphs.ops;

import java.util.List;
import java.util.Map;
import org.sbgan.graphs.ir.Attrs;

/**
 * The body of a model-local ONNX function (FunctionProto), written in ONNX ops. Attribute references
 * ({@code refs}: node attribute name → function attribute name) let a body use the caller's attributes.
 */
public record FunctionDef(String domain, String name, String doc, List<String> inputs, List<String> outputs,
        Map<String, Float> floatAttributeDefaults, List<BodyNode> body) {

    public record BodyNode(String opType, List<String> inputs, List<String> outputs, Attrs attrs, Map<String, String> refs) {
        public static BodyNode of(String opType, List<String> in, List<String> out, Attrs attrs) {
            return new BodyNode(opType, in, out, attrs, Map.of());
        }
    }
}
