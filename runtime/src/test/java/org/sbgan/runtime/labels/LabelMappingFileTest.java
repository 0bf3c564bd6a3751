package org.sbgan.runtime.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelMappingFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void csvWithHeaderCommentsAndDefault() throws IOException {
        Path f = write("ade-indoor-mini.csv", """
            # a tiny ADE-Indoor style remapping of ADE150 ids
            source,class,name,color
            0,0,other,#000000
            1,1,wall,#787878
            4,2,floor,#503232
            6,3,ceiling,#787850
            29,2,,
            *,0,,
            """);
        LabelSpace s = LabelMappingFile.read(f);
        assertEquals("ade-indoor-mini", s.name());
        assertEquals(4, s.numClasses());
        assertEquals("floor", s.className(2));
        assertEquals(0x503232, s.color(2));
        assertEquals(1, s.classOf(1));
        assertEquals(2, s.classOf(4));
        assertEquals(2, s.classOf(29));
        assertEquals(0, s.classOf(2));      // '*' row
        assertEquals(0, s.classOf(65535));
        assertEquals(LabelSpace.INVALID, s.classOf(65536));
    }

    @Test
    void jsonObjectWithSourceListsAndRgbArrays() throws IOException {
        Path f = write("m.json", """
            {"name": "indoor", "entries": [
              {"source": 0, "class": 0, "name": "other", "color": [0, 0, 0]},
              {"source": [1, 2, 3], "class": 1, "name": "wall"},
              {"source": 1000, "class": 2, "name": "lamp", "color": "#ff00AA"}
            ]}""");
        LabelSpace s = LabelMappingFile.read(f);
        assertEquals("indoor", s.name());
        assertEquals(3, s.numClasses());
        assertEquals(1, s.classOf(3));
        assertEquals(2, s.classOf(1000));
        assertEquals(LabelSpace.INVALID, s.classOf(4), "unlisted values are invalid without '*'");
        assertEquals(0xff00aa, s.color(2));
        assertNotEquals(s.color(0), s.color(1), "a class without colour gets a generated one");
    }

    @Test
    void jsonArrayForm() throws IOException {
        LabelSpace s = LabelMappingFile.read(write("arr.json", "[{\"source\": 5, \"class\": 0, \"name\": \"x\"}]"));
        assertEquals("arr", s.name());
        assertEquals(0, s.classOf(5));
    }

    private void assertProblem(Path f, String fragment) {
        LabelMappingException e = assertThrows(LabelMappingException.class, () -> LabelMappingFile.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void errorsAreOneLineNamingFileAndProblem() throws IOException {
        assertProblem(dir.resolve("missing.csv"), "no such file");
        assertProblem(write("dup.csv", "0,0,a,#000000\n0,1,b,#ffffff\n"), "line 2: source 0 is already mapped (line 1)");
        assertProblem(write("gap.csv", "0,0,a\n1,2,c\n"), "class 1 is missing");
        assertProblem(write("noname.csv", "0,0,a\n1,1,\n"), "class 1 has no name");
        assertProblem(write("conflict.csv", "0,0,a\n1,0,b\n"), "line 2: class 0 is named 'b' but was named 'a' before");
        assertProblem(write("colour.csv", "0,0,a,red\n"), "line 1: colour 'red' is not #rrggbb");
        assertProblem(write("range.csv", "70000,0,a\n"), "source 70000 is outside 0..65535");
        assertProblem(write("notint.csv", "0,0,a\nx1,1,b\n"), "line 2: source 'x1' is not an integer");
        assertProblem(write("fields.csv", "0\n"), "line 1: expected source,class,name,color");
        assertProblem(write("empty.csv", "# nothing\n"), "no entries");
        assertProblem(write("neg.csv", "0,-1,a\n"), "class -1 is negative");
        assertProblem(write("bad.json", "{\"entries\": [ {\"source\": 0, \n \"class\": } ]}"), "invalid JSON at line 2");
        assertProblem(write("noentries.json", "{\"name\": \"x\"}"), "expected an \"entries\" array");
        assertProblem(write("nosource.json", "[{\"class\": 0, \"name\": \"a\"}]"), "entry 0: no \"source\"");
        assertProblem(write("badcolour.json", "[{\"source\": 0, \"class\": 0, \"name\": \"a\", \"color\": [1, 2]}]"), "entry 0: \"color\" must be");
        assertProblem(write("rgbrange.json", "[{\"source\": 0, \"class\": 0, \"name\": \"a\", \"color\": [1, 2, 300]}]"), "outside 0..255");
        assertProblem(write("dupjson.json", "[{\"source\": [0, 0], \"class\": 0, \"name\": \"a\"}]"), "source 0 is already mapped");
    }
}
