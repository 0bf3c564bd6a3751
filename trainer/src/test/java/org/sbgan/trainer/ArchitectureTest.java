package org.sbgan.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rule of docs/ARCHITECTURE.md, checked on the sources: each area of the code may use only the areas
 * listed for it. Fails, naming the file and the import, when a forbidden dependency is added.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    /** Area → the sbgan areas it may import (besides itself). An area is a module or a trainer package. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("graphs", Set.of()),
            Map.entry("runtime", Set.of()),
            Map.entry("trainer.data", Set.of("runtime")),
            Map.entry("trainer.eval", Set.of("runtime", "graphs", "trainer.data", "trainer.graphs", "trainer.run", "trainer.segmenter")),
            Map.entry("trainer.segmenter", Set.of("runtime", "graphs", "trainer.data", "trainer.graphs", "trainer.run", "trainer.step",
                    "trainer.train")),
            Map.entry("trainer.run", Set.of("runtime")),
            Map.entry("trainer.step", Set.of("runtime", "graphs")),
            Map.entry("trainer.graphs", Set.of("runtime", "graphs", "trainer.step")),
            Map.entry("trainer.train", Set.of("runtime", "graphs", "trainer.data", "trainer.graphs", "trainer.run", "trainer.step")),
            Map.entry("trainer.demo", Set.of("runtime", "graphs", "trainer.step")),
            Map.entry("cli", Set.of("runtime", "graphs", "trainer.data", "trainer.eval", "trainer.run", "trainer.step", "trainer.graphs",
                    "trainer.train", "trainer.demo", "trainer.segmenter")));

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?org\\.sbgan\\.([a-z]+)(?:\\.([a-z]+))?", Pattern.MULTILINE);

    /** The area of a source file, from its path under a module's src/main/java/org/sbgan. */
    static String areaOf(Path file) {
        Path rel = ROOT.relativize(file);
        String module = rel.getName(0).toString();
        if (!module.equals("trainer")) return module;
        return "trainer." + rel.getName(7);
    }

    /** The area an import names: the module, or the trainer package. */
    static String areaOf(Matcher m) {
        return m.group(1).equals("trainer") ? "trainer." + m.group(2) : m.group(1);
    }

    static List<String> violations(Path file, String source) {
        String area = areaOf(file);
        Set<String> allowed = ALLOWED.get(area);
        if (allowed == null) return List.of(ROOT.relativize(file) + ": area " + area + " is not in the dependency rule");
        List<String> out = new ArrayList<>();
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            String used = areaOf(m);
            if (!used.equals(area) && !allowed.contains(used)) out.add(ROOT.relativize(file) + ": " + area + " must not use " + used);
        }
        return out;
    }

    private static List<Path> sources() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String module : List.of("graphs", "runtime", "trainer", "cli")) {
            try (Stream<Path> s = Files.walk(ROOT.resolve(module).resolve("src/main/java/org/sbgan"))) {
                s.filter(p -> p.toString().endsWith(".java") && !p.getFileName().toString().equals("package-info.java")).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void everyImportFollowsTheDependencyRule() throws IOException {
        List<Path> files = sources();
        assertTrue(files.size() > 100, "found the sources under " + ROOT);
        List<String> bad = new ArrayList<>();
        for (Path f : files) {
            try {
                bad.addAll(violations(f, Files.readString(f)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void aForbiddenImportIsCaught() {
        Path data = ROOT.resolve("trainer/src/main/java/org/sbgan/trainer/data/Datasets.java");
        assertEquals(List.of("trainer/src/main/java/org/sbgan/trainer/data/Datasets.java: trainer.data must not use trainer.train"),
                violations(data, "package org.sbgan.trainer.data;\nimport org.sbgan.trainer.train.TrainConfig;\n"));
        Path runtime = ROOT.resolve("runtime/src/main/java/org/sbgan/runtime/Scene.java");
        assertEquals(1, violations(runtime, "import org.sbgan.graphs.ir.Graph;\n").size(), "runtime stands alone");
        assertEquals(List.of(), violations(data, "import org.sbgan.runtime.labels.LabelSpace;\n"));
    }
}
