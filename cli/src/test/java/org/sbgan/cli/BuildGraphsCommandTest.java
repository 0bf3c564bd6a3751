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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.trainer.step.Sessions;
import org.sbgan.cli.Cli.Run;

class BuildGraphsCommandTest {
    @TempDir
    Path tmp;


    @Test
    void writesEveryGraphTheInitialStateAndAManifest() throws Exception {
        Path dir = tmp.resolve("graphs");
        Run r = run("build-graphs", "--preset", "tiny", "--out", dir.toString(), "--seed", "3", "--json");
        assertEquals(0, r.rc(), r.err());

        JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertEquals(1, m.get("format").asInt());
        assertEquals("tiny", m.get("preset").asText());
        assertEquals(3, m.get("seed").asLong());

        // Every .onnx file on disk is in the manifest (or is the state file), and every listed file exists.
        Set<String> onDisk;
        try (Stream<Path> st = Files.walk(dir)) {
            onDisk = new HashSet<>(st.filter(p -> p.toString().endsWith(".onnx")).map(p -> dir.relativize(p).toString().replace('\\', '/')).toList());
        }
        Set<String> listed = new HashSet<>();
        JsonNode graphs = m.get("graphs");
        int steps = 0, inference = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = graphs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> g = it.next();
            String file = g.getValue().get("file").asText();
            assertTrue(Files.isRegularFile(dir.resolve(file)), file);
            listed.add(file);
            String kind = g.getValue().get("kind").asText();
            if (kind.equals("step")) {
                steps++;
                assertTrue(g.getValue().get("flops_per_step").asLong() > 0, g.getKey());
                assertTrue(g.getValue().get("state_written").size() > 0, g.getKey());
                assertTrue(g.getValue().get("metrics").size() > 0, g.getKey());
            } else {
                assertEquals("inference", kind);
                inference++;
                assertTrue(g.getValue().get("flops_per_sample").asLong() > 0, g.getKey());
                assertTrue(g.getValue().get("outputs").size() > 0, g.getKey());
            }
            assertTrue(g.getValue().get("inputs").size() > 0, g.getKey());
        }
        assertEquals(4 * 4 + 5, steps, "seg and progan G/D per level, spade G/D, d2_pretrain, e2e G/D");
        assertEquals(7, inference);
        for (String n : List.of("seg_g_L0", "seg_d_L3", "spade_g", "spade_d", "d2_pretrain", "e2e_g", "e2e_d",
                "seg_generator", "image_generator", "seg_critic", "d1", "d2", "sbgan", "progan_g_L3", "progan_d_L0", "progan_generator")) {
            assertTrue(graphs.has(n), n);
        }
        String stateFile = m.get("initial_state").asText();
        listed.add(stateFile);
        assertEquals(onDisk, listed);

        // Every file, the state file too (its tensors are its outputs), loads into an ONNX Runtime CPU session.
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = Sessions.cpu(1)) {
            for (String f : onDisk) {
                try (OrtSession s = env.createSession(dir.resolve(f).toString(), so)) {
                    assertFalse(s.getOutputNames().isEmpty(), f);
                    if (f.equals(stateFile)) assertEquals(m.get("state_tensors").asInt(), s.getNumOutputs());
                }
            }
        }

        // The initial state holds every state tensor of every step, with the declared shapes.
        OnnxMl.ModelProto state = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(dir.resolve(stateFile)));
        Map<String, List<Long>> dims = new HashMap<>();
        for (OnnxMl.TensorProto t : state.getGraph().getInitializerList()) {
            assertNull(dims.put(t.getName(), t.getDimsList()), "duplicate " + t.getName());
        }
        assertEquals(m.get("state_tensors").asInt(), dims.size());
        for (JsonNode g : graphs) {
            if (!g.get("kind").asText().equals("step")) continue;
            for (JsonNode s : g.get("state")) {
                String name = s.get("name").asText();
                assertTrue(dims.containsKey(name), "initial state lacks " + name);
                List<Long> shape = new java.util.ArrayList<>();
                s.get("shape").forEach(d -> shape.add(d.asLong()));
                assertEquals(shape, dims.get(name), name);
            }
            for (JsonNode s : g.get("state_read")) assertTrue(dims.containsKey(s.asText()), s.asText());
        }

        // The printed table matches manifest.json's networks; --json prints one object last.
        JsonNode nets = m.get("networks");
        String[] lines = r.out().strip().split("\\R");
        int rows = 0;
        for (String line : lines) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 7 && nets.has(cols[0])) {
                JsonNode n = nets.get(cols[0]);
                assertEquals(n.get("parameters").asLong(), Long.parseLong(cols[1]), line);
                assertEquals(n.get("step_graph").asText(), cols[2], line);
                assertEquals(n.get("flops_per_step").asLong(), Long.parseLong(cols[4]), line);
                assertEquals(n.get("inference_flops_per_sample").asLong(), Long.parseLong(cols[6]), line);
                assertTrue(n.get("parameters").asLong() > 0, line);
                rows++;
            }
        }
        assertEquals(5, rows, r.out());
        JsonNode summary = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals(nets, summary.get("networks"));
        assertEquals(m.get("networks").get("G_seg").get("parameters").asLong(),
                nets.get("G_seg").get("per_level").get("L3").asLong());
    }

    @Test
    void unknownPresetIsAUsageErrorNamingTheValidOnes() {
        Run r = run("build-graphs", "--preset", "huge", "--out", tmp.toString());
        assertEquals(2, r.rc());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.contains("unknown preset 'huge'") && first.contains("tiny, small, cityscapes, ade-indoor"), r.err());
    }

    @Test
    void anOutThatIsAFileIsAOneLineError() throws Exception {
        Path file = Files.writeString(tmp.resolve("taken"), "x");
        Run r = run("build-graphs", "--preset", "tiny", "--out", file.toString(), "--quiet");
        assertEquals(1, r.rc());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(file.toString()), r.err());
    }

    @Test
    void theLayoutRecipeOptionsReachTheGraphsAndTheManifest() throws Exception {
        Path dir = tmp.resolve("released-mbstd");
        Run r = run("build-graphs", "--preset", "tiny", "--out", dir.toString(), "--layout-recipe", "released", "--minibatch-stddev",
                "--seg-ema", "0.99");
        assertEquals(0, r.rc(), r.err());
        JsonNode recipe = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile()).get("layout_recipe");
        assertTrue(recipe.get("minibatch_stddev").asBoolean());
        assertFalse(recipe.get("pixelnorm_sqrt").asBoolean());
        assertFalse(recipe.get("fade_blend").asBoolean());
        assertEquals(0.99, recipe.get("ema_beta").asDouble(), 1e-6);
        OnnxMl.ModelProto d = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(dir.resolve("steps/seg_d_L3.onnx")));
        assertTrue(d.getGraph().getNodeList().stream().anyMatch(n -> n.getName().startsWith("dseg.final.mbstd")), "D_seg has the stddev map");
        OnnxMl.ModelProto g = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(dir.resolve("steps/seg_g_L3.onnx")));
        assertTrue(g.getGraph().getInputList().stream().anyMatch(i -> i.getName().endsWith(".ema")), "G_seg's step keeps the average");

        Run bad = run("build-graphs", "--preset", "tiny", "--out", tmp.resolve("bad").toString(), "--layout-recipe", "sometimes");
        assertEquals(2, bad.rc());
        assertTrue(bad.err().contains("--layout-recipe"), bad.err());
    }

    @Test
    void classWeightsGivenByNameReachTheSegmenterLoss() throws Exception {
        Path dir = tmp.resolve("human3");
        Run r = run("build-graphs", "--preset", "tiny", "--out", dir.toString(), "--segmenter-loss", "auto", "--segmenter-loss-classes", "Human=3");
        assertEquals(0, r.rc(), r.err());
        JsonNode w = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile()).path("segmenter_loss").path("class_weights");
        assertEquals("[1.0,1.0,1.0,1.0,1.0,1.0,3.0,1.0]", w.toString(), "human is class 6 of cityscapes-8");

        Run bad = run("build-graphs", "--preset", "tiny", "--out", tmp.resolve("bad").toString(), "--segmenter-loss-classes", "people=3");
        assertEquals(2, bad.rc(), bad.err());
        String first = bad.err().lines().findFirst().orElse("");
        assertTrue(first.contains("no class 'people'") && first.contains("human"), bad.err());
        Run zero = run("build-graphs", "--preset", "tiny", "--out", tmp.resolve("zero").toString(), "--segmenter-loss-classes", "human=0");
        assertEquals(2, zero.rc(), zero.err());
        assertTrue(zero.err().contains("must be > 0"), zero.err());
    }
}
