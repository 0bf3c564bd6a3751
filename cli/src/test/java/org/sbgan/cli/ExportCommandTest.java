package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sbgan.runtime.files.FolderLock;
import org.junit.jupiter.api.io.TempDir;

/** {@code sbgan-cli export}: a bundle from a chosen checkpoint that plain ONNX Runtime runs end to end. */
class ExportCommandTest {
    @Test
    void exportsAnyCheckpointAsARunnableBundle(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run"), out = tmp.resolve("bundle");
        Path data = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
        Cli.Run t = Cli.run("train", "--stage", "seg", "--data", data.toString(), "--run", run.toString(),
                "--max-steps", "1", "--threads", "2", "--progress", "lines");
        assertEquals(0, t.code(), t.err());

        try (FolderLock training = FolderLock.acquire(run, "sbgan-cli train")) {
            Cli.Run busy = Cli.run("export", "--run", run.toString(), "--out", out.toString());
            assertEquals(1, busy.code());
            assertTrue(busy.err().strip().startsWith("error: " + run + ": in use by this process"), busy.err());
            assertEquals(1, busy.err().strip().lines().count());
            assertFalse(Files.exists(out));
        }

        Cli.Run bad = Cli.run("export", "--run", run.toString(), "--out", out.toString(), "--checkpoint", "step-9");
        assertEquals(1, bad.code());
        assertTrue(bad.err().strip().startsWith("error: " + run.resolve("checkpoints").resolve("step-9") + ": no such complete checkpoint"),
                bad.err());

        Cli.Run noStage = Cli.run("export", "--run", run.toString(), "--out", out.toString(), "--stage", "spade");
        assertEquals(1, noStage.code());
        assertTrue(noStage.err().contains("no checkpoint at the end of stage spade"), noStage.err());
        Cli.Run segEnd = Cli.run("export", "--run", run.toString(), "--out", out.toString(), "--stage", "seg");
        assertEquals(0, segEnd.code(), segEnd.err());
        assertTrue(segEnd.out().contains("step-0000000007 (step 7, seg/L3/stabilize)"), segEnd.out());

        Cli.Run r = Cli.run("export", "--run", run.toString(), "--out", out.toString(), "--checkpoint",
                "step-0000000006");
        assertEquals(0, r.code(), r.err());
        JsonNode m = new ObjectMapper().readTree(Files.readAllBytes(out.resolve("model.json")));
        assertEquals("tiny", m.path("preset").asText());
        assertEquals(6, m.path("trained").path("steps").asInt());
        assertEquals(8, m.path("label_ids").size());
        for (String f : List.of("seg_generator.onnx", "image_generator.onnx", "sbgan.onnx")) assertTrue(Files.isRegularFile(out.resolve(f)), f);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int n = 2, zDim = m.path("z_dim").asInt(), h = m.path("image_size").path("height").asInt(), w = m.path("image_size").path("width").asInt();
        try (OrtSession s = env.createSession(out.resolve("sbgan.onnx").toString(), new OrtSession.SessionOptions());
             OnnxTensor z = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[n * zDim]), new long[] {n, zDim});
             OrtSession.Result res = s.run(Map.of("z", z))) {
            LongBuffer labels = ((OnnxTensor) res.get("labels").orElseThrow()).getLongBuffer();
            assertEquals(n * h * w, labels.remaining());
            for (int i = 0; i < labels.remaining(); i++) assertTrue(labels.get(i) >= 0 && labels.get(i) < 8);
            FloatBuffer img = ((OnnxTensor) res.get("image").orElseThrow()).getFloatBuffer();
            assertEquals(n * 3 * h * w, img.remaining());
            for (int i = 0; i < img.remaining(); i++) assertTrue(Math.abs(img.get(i)) <= 1f, "tanh output");
        }
    }
}
