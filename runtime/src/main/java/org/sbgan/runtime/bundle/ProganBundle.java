package org.sbgan.runtime.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An RGB ProGAN bundle (the paper's baseline): {@code model.json} with kind {@code progan-rgb} and
 * {@code generator.onnx} ("z" [N, z_dim] → "image" [N, 3, H, W] in [−1, 1]).
 */
public record ProganBundle(Path dir, String preset, ModelBundle.Size imageSize, int zDim, Path generatorFile) implements Bundle {
    @Override
    public BundleKind kind() {
        return BundleKind.PROGAN_RGB;
    }

    /** Reads and checks the bundle in {@code dir}; every problem is one line naming the folder, model.json or the network. */
    public static ProganBundle read(Path dir) throws IOException {
        return of(dir, ModelJson.read(dir));
    }

    static ProganBundle of(Path dir, JsonNode m) throws IOException {
        Path json = dir.resolve(ModelJson.FILE);
        BundleKind kind = ModelJson.kind(dir, m);
        if (kind != BundleKind.PROGAN_RGB) throw new BadBundleException(json, "is a \"" + kind.id() + "\" bundle, not \"" + BundleKind.PROGAN_RGB.id() + "\"");
        JsonNode size = m.path("image_size");
        int h = size.path("height").asInt(0), w = size.path("width").asInt(0), z = m.path("z_dim").asInt(0);
        if (h < 1 || w < 1 || z < 1) throw new BadBundleException(json, "needs image_size {height, width} and z_dim, all positive");
        Path onnx = dir.resolve(m.path("files").path("generator").asText(ModelJson.GENERATOR));
        if (!Files.isRegularFile(onnx)) throw new BadBundleException(onnx, "no such file (the bundle's generator)");
        return new ProganBundle(dir, m.path("preset").asText(""), new ModelBundle.Size(h, w), z, onnx);
    }
}
