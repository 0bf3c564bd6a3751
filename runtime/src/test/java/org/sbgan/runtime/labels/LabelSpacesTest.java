package org.sbgan.runtime.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class LabelSpacesTest {
    private static final int INVALID = LabelSpace.INVALID;

    @Test
    void cityscapes35MapsIdsAnd255ToUnknown() {
        LabelSpace s = LabelSpaces.cityscapes35();
        assertEquals(35, s.numClasses());
        assertEquals("unlabeled", s.className(0));
        assertEquals("road", s.className(7));
        assertEquals("bicycle", s.className(33));
        assertEquals("unknown", s.className(34));
        assertEquals(0x804080, s.color(7));
        assertEquals(0x4682b4, s.color(23));
        for (int id = 0; id < 34; id++) assertEquals(id, s.classOf(id));
        assertEquals(34, s.classOf(255));
        assertEquals(INVALID, s.classOf(34));
        assertEquals(INVALID, s.classOf(254));
        assertEquals(INVALID, s.classOf(256));
        assertEquals(INVALID, s.classOf(-1));
        assertEquals(INVALID, s.classOf(70000));
    }

    @Test
    void trainIdsFromLabelIdsAndFromTrainIdFilesAgree() {
        LabelSpace ids = LabelSpaces.cityscapesTrainIds(), files = LabelSpaces.cityscapesTrainIdsFromTrainIdFiles();
        assertEquals(20, ids.numClasses());
        assertTrue(ids.sameClassesAs(files));
        assertEquals("road", ids.className(0));
        assertEquals("car", ids.className(13));
        assertEquals("bicycle", ids.className(18));
        assertEquals("don't care", ids.className(19));
        assertEquals(0, ids.classOf(7));
        assertEquals(10, ids.classOf(23));
        assertEquals(13, ids.classOf(26));
        assertEquals(18, ids.classOf(33));
        assertEquals(19, ids.classOf(0));   // unlabeled → don't care
        assertEquals(19, ids.classOf(9));   // parking has trainId 255
        assertEquals(19, ids.classOf(255));
        assertEquals(INVALID, ids.classOf(34));
        for (int t = 0; t < 19; t++) assertEquals(t, files.classOf(t));
        assertEquals(19, files.classOf(255));
        assertEquals(INVALID, files.classOf(19));
        assertEquals(INVALID, files.classOf(33));
        // every label id's train class has that label's colour when it is a train class
        LabelSpace cs35 = LabelSpaces.cityscapes35();
        for (int id = 0; id < 34; id++) {
            int t = ids.classOf(id);
            if (t < 19) {
                assertEquals(cs35.className(id), ids.className(t));
                assertEquals(cs35.color(id), ids.color(t));
            }
        }
    }

    @Test
    void categories() {
        LabelSpace s = LabelSpaces.cityscapesCategories();
        assertEquals(8, s.numClasses());
        assertEquals(java.util.List.of("void", "flat", "construction", "object", "nature", "sky", "human", "vehicle"), s.classNames());
        assertEquals(0, s.classOf(0));
        assertEquals(0, s.classOf(6));
        assertEquals(1, s.classOf(7));
        assertEquals(1, s.classOf(10));
        assertEquals(2, s.classOf(11));
        assertEquals(3, s.classOf(20));
        assertEquals(4, s.classOf(21));
        assertEquals(5, s.classOf(23));
        assertEquals(6, s.classOf(25));
        assertEquals(7, s.classOf(26));
        assertEquals(7, s.classOf(33));
        assertEquals(0, s.classOf(255));
        assertEquals(INVALID, s.classOf(34));
    }

    @Test
    void ade150() {
        LabelSpace s = LabelSpaces.ade150();
        assertEquals(151, s.numClasses());
        assertEquals("other", s.className(0));
        assertEquals("wall", s.className(1));
        assertEquals("bed", s.className(8));
        assertEquals("person", s.className(13));
        assertEquals("car", s.className(21));
        assertEquals("chest of drawers", s.className(45));
        assertEquals("flag", s.className(150));
        assertEquals(0x787878, s.color(1));
        assertEquals(LabelSpace.rgb(6, 230, 230), s.color(3));
        assertEquals(LabelSpace.rgb(92, 0, 255), s.color(150));
        for (int v = 0; v <= 150; v++) assertEquals(v, s.classOf(v));
        assertEquals(INVALID, s.classOf(151));
        assertEquals(INVALID, s.classOf(255));
        assertEquals(151, new HashSet<>(s.classNames()).size(), "class names are distinct");
    }

    @Test
    void mapCountsInvalidValues() {
        LabelSpace s = LabelSpaces.cityscapes35();
        int[] count = new int[1];
        int[] out = s.map(new int[] {7, 255, 40, 40, 300}, count);
        assertArrayEquals(new int[] {7, 34, INVALID, INVALID, INVALID}, out);
        assertEquals(3, count[0]);
        assertArrayEquals(new int[] {40, 300}, s.invalidValues(new int[] {300, 7, 40, 40}, 10));
    }

    @Test
    void byNameAndImmutability() {
        assertSame(LabelSpaces.cityscapes35(), LabelSpaces.byName("cityscapes-35"));
        assertSame(LabelSpaces.cityscapesTrainIds(), LabelSpaces.byName("Cityscapes-20"));
        assertSame(LabelSpaces.cityscapesCategories(), LabelSpaces.byName("cityscapes-8"));
        assertSame(LabelSpaces.ade150(), LabelSpaces.byName("ade150"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSpaces.byName("nope"));
        assertTrue(e.getMessage().contains("cityscapes-35"));
        LabelSpace s = LabelSpaces.cityscapes35();
        s.palette()[0] = 0x123456;
        assertEquals(0, s.color(0));
        assertThrows(UnsupportedOperationException.class, () -> s.classNames().set(0, "x"));
        assertFalse(s.sameClassesAs(LabelSpaces.cityscapesTrainIds()));
    }

    @Test
    void builderRejectsBadMappings() {
        assertThrows(IllegalArgumentException.class, () -> LabelSpace.builder("x").addClass("a", 0).map(0, 1).build());
        assertThrows(IllegalArgumentException.class, () -> LabelSpace.builder("x").addClass("a", 0).map(0, 0).map(0, 0));
        assertThrows(IllegalArgumentException.class, () -> LabelSpace.builder("x").addClass("a", 0).map(65536, 0));
    }

    @Test
    void eachClassHasTheRawValueWrittenForIt() {
        LabelSpace cat = LabelSpaces.cityscapesCategories();
        int[] expected = {0, 7, 11, 17, 21, 23, 24, 26}; // void, road, building, pole, vegetation, sky, person, car
        for (int c = 0; c < cat.numClasses(); c++) {
            org.junit.jupiter.api.Assertions.assertEquals(expected[c], cat.rawValueOf(c), cat.className(c));
            org.junit.jupiter.api.Assertions.assertEquals(c, cat.classOf(cat.rawValueOf(c)), "round trip " + cat.className(c));
        }
        LabelSpace cs35 = LabelSpaces.cityscapes35();
        org.junit.jupiter.api.Assertions.assertEquals(255, cs35.rawValueOf(34), "unknown is stored as 255");
    }
}
