package org.sbgan.cli;

import static org.sbgan.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.*;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.ir.ConvSpec;
import org.sbgan.graphs.ir.Graph;
import org.sbgan.graphs.ir.PoolSpec;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.ir.Value;
import org.sbgan.graphs.onnx.OnnxExport;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.cli.Cli.Run;

/** build-graphs --vgg: the VGG19 perceptual loss in spade_g / e2e_g, and one-line errors for bad files. */
class BuildGraphsVggTest {
    @TempDir
    Path tmp;


    /** A VGG19-shaped model (conv3×3+ReLU ×2,2,4,4,4 with 2×2 max pools between stages: 16 Relus), few channels. */
    static OnnxMl.ModelProto vggShaped(int inChannels, long seed) {
        Random r = new Random(seed);
        Graph g = new Graph("vgg_shaped");
        Value h = g.input("image", 1, inChannels, 128, 128);
        int[] convs = {2, 2, 4, 4, 4};
        long cin = inChannels, cout = 4;
        int k = 0;
        Map<String, Value> outs = new LinkedHashMap<>();
        for (int stage = 0; stage < convs.length; stage++) {
            if (stage > 0) h = g.maxPool(h, PoolSpec.of(2, 2, 0, false));
            for (int c = 0; c < convs[stage]; c++) {
                float[] w = new float[(int) (cout * cin * 9)];
                float s = (float) Math.sqrt(2.0 / (cin * 9));
                for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian() * s;
                float[] b = new float[(int) cout];
                for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian() * 0.1f;
                h = g.relu(g.conv(h, g.constant("features." + k + ".weight", Tensor.floats(w, cout, cin, 3, 3)),
                        g.constant("features." + k + ".bias", Tensor.floats(b, cout)), ConvSpec.of(1, 1)));
                k++;
                cin = cout;
            }
        }
        outs.put("features", h);
        return OnnxExport.model(g, outs);
    }

    private static void assertOneLineError(Run r, Path file) {
        assertEquals(1, r.rc(), r.out() + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("error: "), err);
        assertTrue(err.contains(file.toString()), err);
    }

    @Test
    void vggFileAddsThePerceptualLossToTheSpadeGSteps() throws Exception {
        Path vgg = tmp.resolve("vgg19.onnx");
        OnnxExport.write(vggShaped(3, 5), vgg);
        Path dir = tmp.resolve("graphs");
        Run r = run("build-graphs", "--preset", "tiny", "--out", dir.toString(), "--vgg", vgg.toString(), "--quiet",
                "--batch-seg", "1", "--batch-spade", "1", "--batch-e2e", "1");
        assertEquals(0, r.rc(), r.err());
        JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertTrue(m.get("vgg_loss").asBoolean());
        assertEquals("vgg19.onnx", m.get("vgg_file").asText());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = Sessions.cpu(1)) {
            for (String step : new String[] {"spade_g", "e2e_g"}) {
                JsonNode gj = m.get("graphs").get(step);
                boolean hasVgg = false;
                for (JsonNode me : gj.get("metrics")) hasVgg |= me.get("name").asText().equals("vgg");
                assertTrue(hasVgg, step + ": " + gj.get("metrics"));
                try (OrtSession s = env.createSession(dir.resolve(gj.get("file").asText()).toString(), so)) {
                    assertTrue(s.getOutputNames().stream().anyMatch(n -> n.contains("vgg")), step + ": " + s.getOutputNames());
                }
            }
            for (String step : new String[] {"spade_d", "e2e_d"}) {
                for (JsonNode me : m.get("graphs").get(step).get("metrics")) assertNotEquals("vgg", me.get("name").asText());
            }
        }
    }

    @Test
    void badVggFilesFailWithOneLineNamingTheFile() throws Exception {
        Path garbage = tmp.resolve("garbage.onnx");
        byte[] junk = new byte[4096];
        new Random(3).nextBytes(junk);
        Files.write(garbage, junk);
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "this is not a model\nsecond line\n");
        Path missing = tmp.resolve("missing.onnx");
        Path gray = tmp.resolve("gray.onnx");
        OnnxExport.write(vggShaped(1, 6), gray);
        for (Path f : new Path[] {garbage, text, missing, gray}) {
            Path dir = tmp.resolve("out-" + f.getFileName());
            Run r = run("build-graphs", "--preset", "tiny", "--out", dir.toString(), "--vgg", f.toString(), "--quiet");
            assertOneLineError(r, f);
            assertFalse(Files.exists(dir.resolve("manifest.json")), f.toString());
        }
    }
}
