package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example, taken from README.md as written, compiles against the runtime and runs. */
class ReadmeEmbedExampleTest {
    static String example() throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).resolveSibling("README.md");
        String text = Files.readString(readme);
        int marker = text.indexOf("<!-- embed-example");
        assertTrue(marker >= 0, "README.md has the embed-example marker");
        int start = text.indexOf("```java\n", marker) + "```java\n".length();
        int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    @Test
    void theReadmeExampleCompilesAndWritesScenes(@TempDir Path tmp) throws Exception {
        String code = example();
        assertTrue(code.lines().count() <= 25, "about ten lines of code: " + code.lines().count());
        Path src = tmp.resolve("src/Scenes.java"), classes = tmp.resolve("classes"), out = tmp.resolve("out");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.createDirectories(out);
        Files.writeString(src, code);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK compiler");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-classpath", cp, "-d", classes.toString(), src.toString());
        assertEquals(0, rc, diag.toString(StandardCharsets.UTF_8));

        Path bundle = GenerateCommandTest.initialBundle(tmp.resolve("model"));
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("Scenes").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {bundle.toString(), out.toString()});
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("scene 0: 64x32, top centre: "), lines.get(0));
        for (int i = 0; i < 4; i++) {
            BufferedImage img = ImageIO.read(out.resolve("scene-" + i + ".png").toFile());
            BufferedImage lbl = ImageIO.read(out.resolve("labels-" + i + ".png").toFile());
            assertEquals(64, img.getWidth());
            assertEquals(32, lbl.getHeight());
        }
    }
}
