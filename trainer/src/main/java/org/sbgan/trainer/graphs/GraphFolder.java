package org.sbgan.trainer.graphs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sbgan.graphs.ir.DType;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.graphs.models.LayoutRecipe;
import org.sbgan.graphs.step.StepManifest;
import org.sbgan.trainer.step.StateFile;
import org.sbgan.runtime.Messages;

/**
 * A folder written by {@link GraphSet} (the {@code build-graphs} command), read back: the step graphs as bytes
 * with their manifests, and the initial state. The trainer runs these files, so what it trains is exactly the
 * ONNX on disk. Every problem (missing file, a manifest of another format) is an IOException naming the file.
 */
public final class GraphFolder {
    private final Path dir;
    private final JsonNode manifest;

    private GraphFolder(Path dir, JsonNode manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /** Reads {@code dir/manifest.json}. */
    public static GraphFolder open(Path dir) throws IOException {
        Path file = dir.resolve(GraphSet.MANIFEST);
        JsonNode m;
        try {
            m = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file (build the graphs with `sbgan-cli build-graphs --out " + dir + "`)", e);
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON (" + Messages.oneLine(e.getMessage()) + ")", e);
        }
        if (m.path("format").asInt(-1) != GraphSet.FORMAT) {
            throw new IOException(file + ": manifest format " + m.path("format") + ", this version reads format " + GraphSet.FORMAT);
        }
        return new GraphFolder(dir, m);
    }

    public Path dir() {
        return dir;
    }

    public String preset() {
        return manifest.path("preset").asText();
    }

    /** The layout recipe the graphs were built with (manifests without one predate the option: the released recipe). */
    public LayoutRecipe layoutRecipe() {
        return GraphSet.layoutRecipe(manifest.get(GraphSet.LAYOUT_RECIPE));
    }

    public long seed() {
        return manifest.path("seed").asLong();
    }

    public JsonNode manifestJson() {
        return manifest;
    }

    /** Batch of a step graph, as built. */
    public int batch(String graph) throws IOException {
        return node(graph).path("batch").asInt();
    }

    public boolean has(String graph) {
        return manifest.path("graphs").has(graph);
    }

    /** A step graph's ONNX bytes. */
    public byte[] stepBytes(String graph) throws IOException {
        Path f = dir.resolve(node(graph).path("file").asText());
        try {
            return Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            throw new IOException(f + ": no such file (listed in " + dir.resolve(GraphSet.MANIFEST) + ")", e);
        }
    }

    /** A step graph's manifest, as written by {@link GraphSet}. */
    public StepManifest stepManifest(String graph) throws IOException {
        JsonNode g = node(graph);
        if (!"step".equals(g.path("kind").asText())) throw new IOException(dir.resolve(GraphSet.MANIFEST) + ": graph '" + graph + "' is not a step");
        List<StepManifest.StateEntry> state = new ArrayList<>();
        for (JsonNode s : g.path("state")) {
            state.add(new StepManifest.StateEntry(s.path("name").asText(), dtype(s), shape(s),
                    StepManifest.StateKind.valueOf(s.path("kind").asText().toUpperCase(Locale.ROOT)), s.path("read").asBoolean(),
                    s.path("written").asBoolean(), s.has("output") ? s.path("output").asText() : null));
        }
        List<StepManifest.InputEntry> inputs = new ArrayList<>();
        for (JsonNode s : g.path("inputs")) {
            inputs.add(new StepManifest.InputEntry(s.path("name").asText(), dtype(s), shape(s),
                    StepManifest.InputRole.valueOf(s.path("role").asText().toUpperCase(Locale.ROOT))));
        }
        List<StepManifest.MetricEntry> metrics = new ArrayList<>();
        for (JsonNode s : g.path("metrics")) metrics.add(new StepManifest.MetricEntry(s.path("name").asText(), dtype(s), shape(s)));
        return new StepManifest(g.path("step").asText(graph), state, inputs, metrics, g.path("flops_per_step").asLong(), g.path("doc").asText());
    }

    /** The initial value of every state tensor. */
    public Map<String, Tensor> initialState() throws IOException {
        return StateFile.read(dir.resolve(manifest.path("initial_state").asText(GraphSet.STATE_FILE)));
    }

    private JsonNode node(String graph) throws IOException {
        JsonNode g = manifest.path("graphs").path(graph);
        if (g.isMissingNode()) throw new IOException(dir.resolve(GraphSet.MANIFEST) + ": no graph named '" + graph + "'");
        return g;
    }

    private static DType dtype(JsonNode s) {
        return DType.valueOf(s.path("dtype").asText().toUpperCase(Locale.ROOT));
    }

    private static long[] shape(JsonNode s) {
        long[] r = new long[s.path("shape").size()];
        for (int i = 0; i < r.length; i++) {
            JsonNode d = s.path("shape").get(i);
            r[i] = d.isNumber() ? d.asLong() : -1;
        }
        return r;
    }

}
