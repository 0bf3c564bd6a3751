package org.sbgan.runtime.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.json parsing and its one-line errors, on a bundle whose .onnx files are empty placeholders. */
class ModelBundleTest {
    static final String JSON = """
            {
              "format" : 1,
              "preset" : "tiny",
              "num_classes" : 3,
              "label_space" : "test-3",
              "class_names" : [ "road", "sky", "car" ],
              "palette" : [ "#808080", "#4682B4", "#ff0000" ],
              "label_ids" : [ 7, 23, 26 ],
              "layout_size" : { "height" : 4, "width" : 8 },
              "image_size" : { "height" : 8, "width" : 16 },
              "z_dim" : 16,
              "layout_scaling" : 2,
              "files" : { "seg_generator" : "seg_generator.onnx", "image_generator" : "image_generator.onnx", "sbgan" : "sbgan.onnx" },
              "graphs" : { },
              "trained" : { "steps" : 7 }
            }
            """;

    @TempDir
    Path tmp;

    private Path bundle(UnaryOperator<String> edit) throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("model.json"), edit.apply(JSON));
        Files.write(dir.resolve("seg_generator.onnx"), new byte[0]);
        Files.write(dir.resolve("image_generator.onnx"), new byte[0]);
        return dir;
    }

    private String error(UnaryOperator<String> edit) throws IOException {
        Path dir = bundle(edit);
        BadBundleException e = assertThrows(BadBundleException.class, () -> ModelBundle.read(dir));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsEveryField() throws IOException {
        Path dir = bundle(s -> s);
        ModelBundle b = ModelBundle.read(dir);
        assertEquals("tiny", b.preset());
        assertEquals("test-3", b.labelSpace());
        assertEquals(3, b.numClasses());
        assertEquals(List.of("road", "sky", "car"), b.classNames());
        assertArrayEquals(new int[] {0x808080, 0x4682b4, 0xff0000}, b.palette());
        assertArrayEquals(new int[] {7, 23, 26}, b.labelIds());
        assertEquals(new ModelBundle.Size(4, 8), b.layoutSize());
        assertEquals(new ModelBundle.Size(8, 16), b.imageSize());
        assertEquals(16, b.zDim());
        assertEquals(2, b.layoutScaling());
        assertEquals(dir.resolve("seg_generator.onnx"), b.segGeneratorFile());
        assertEquals(dir.resolve("image_generator.onnx"), b.imageGeneratorFile());
        assertTrue(b.fusedFile().isEmpty(), "sbgan.onnx is optional and absent here");
        b.palette()[0] = 1;
        assertEquals(0x808080, b.palette()[0]);
    }

    @Test
    void olderBundlesWithoutLabelIdsUseTheClassIndex() throws IOException {
        ModelBundle b = ModelBundle.read(bundle(s -> s.replace("\"label_ids\" : [ 7, 23, 26 ],", "")));
        assertArrayEquals(new int[] {0, 1, 2}, b.labelIds());
        b = ModelBundle.read(bundle(s -> s.replace("\"format\" : 1,", "\"format\" : 1, \"kind\" : \"sbgan\",")));
        assertEquals(3, b.numClasses());
    }

    @Test
    void aMissingFolderOrModelJsonIsNamed() throws IOException {
        Path none = tmp.resolve("nope");
        BadBundleException e = assertThrows(BadBundleException.class, () -> ModelBundle.read(none));
        assertEquals(none + ": no such folder; a model bundle is the model/ folder of a training run", e.getMessage());
        Files.createDirectories(none);
        e = assertThrows(BadBundleException.class, () -> ModelBundle.read(none));
        assertEquals(none.resolve("model.json"), e.file());
        assertTrue(e.getMessage().startsWith(none.resolve("model.json") + ": no such file; is "), e.getMessage());
    }

    @Test
    void badJsonIsOneLineWithItsPosition() throws IOException {
        Path json = tmp.resolve("model").resolve("model.json");
        String m = error(s -> s.replace("\"preset\" : \"tiny\",", "\"preset\" : tiny,"));
        assertTrue(m.startsWith(json + ": not valid JSON ("), m);
        assertTrue(m.contains("line 3"), m);
    }

    @Test
    void mismatchesNameModelJsonAndSayWhat() throws IOException {
        String json = tmp.resolve("model").resolve("model.json") + ": ";
        assertEquals(json + "\"class_names\" has 2 entries but num_classes is 3", error(s -> s.replace("\"road\", ", "")));
        assertEquals(json + "\"palette\" has 4 entries but num_classes is 3", error(s -> s.replace("\"#808080\",", "\"#808080\", \"#000000\",")));
        assertEquals(json + "\"label_ids\" has 2 entries but num_classes is 3", error(s -> s.replace("[ 7, 23, 26 ]", "[ 7, 23 ]")));
        assertEquals(json + "label_ids[2] must be an integer in 0..65535 (a raw label value), got -3", error(s -> s.replace("26 ]", "-3 ]")));
        assertEquals(json + "is a \"progan-rgb\" bundle (the RGB ProGAN baseline: images without label maps); scenes need an \"sbgan\" bundle"
                + " with a layout and an image generator", error(s -> s.replace("\"format\" : 1,", "\"format\" : 1, \"kind\" : \"progan-rgb\",")));
        assertEquals(json + "palette[1] must be a colour like \"#804080\", got \"blue\"", error(s -> s.replace("\"#4682B4\"", "\"blue\"")));
        assertEquals(json + "image_size 8×16 is not layout_size 4×8 × layout_scaling 1", error(s -> s.replace("\"layout_scaling\" : 2", "\"layout_scaling\" : 1")));
        assertEquals(json + "format 2 is not supported; this runtime reads format 1 (use an sbgan-runtime of the version that wrote the bundle)",
                error(s -> s.replace("\"format\" : 1", "\"format\" : 2")));
        assertEquals(json + "\"num_classes\" must be at least 2, got 1", error(s -> s.replace("\"num_classes\" : 3", "\"num_classes\" : 1")));
        assertEquals(json + "\"z_dim\" is missing", error(s -> s.replace("\"z_dim\" : 16,", "")));
        assertEquals(json + "\"z_dim\" must be an integer, got \"16\"", error(s -> s.replace("\"z_dim\" : 16", "\"z_dim\" : \"16\"")));
        assertEquals(json + "\"files.image_generator\" must name a file inside the bundle, got \"../x.onnx\"",
                error(s -> s.replace("\"image_generator\" : \"image_generator.onnx\"", "\"image_generator\" : \"../x.onnx\"")));
    }

    @Test
    void aMissingNetworkFileIsNamed() throws IOException {
        Path dir = bundle(s -> s);
        Files.delete(dir.resolve("seg_generator.onnx"));
        BadBundleException e = assertThrows(BadBundleException.class, () -> ModelBundle.read(dir));
        assertEquals(dir.resolve("seg_generator.onnx") + ": no such file (model.json names it as files.seg_generator); copy the whole bundle folder",
                e.getMessage());
        assertEquals(dir.resolve("seg_generator.onnx"), e.file());
    }

    @Test
    void theFusedNetworkIsFoundWhenPresent() throws IOException {
        Path dir = bundle(s -> s);
        Files.write(dir.resolve("sbgan.onnx"), new byte[0]);
        assertEquals(dir.resolve("sbgan.onnx"), ModelBundle.read(dir).fusedFile().orElseThrow());
    }
}
