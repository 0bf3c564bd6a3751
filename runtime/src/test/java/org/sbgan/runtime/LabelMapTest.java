package org.sbgan.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class LabelMapTest {
    private final Classes k3 = TestClasses.three();

    @Test
    void classesOutsideTheModelAreRejectedNamingThePixel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LabelMap(2, 2, new int[] {0, 1, 2, 3}, k3));
        assertEquals("label map pixel (1, 1) has class 3, outside 0..2 (the model has 3 classes)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LabelMap(2, 2, new int[] {0, -1, 2, 0}, k3));
        e = assertThrows(IllegalArgumentException.class, () -> new LabelMap(2, 2, new int[3], k3));
        assertEquals("label map has 3 pixels, not 2×2", e.getMessage());
    }

    @Test
    void itIsImmutable() {
        int[] px = {0, 1, 2, 0};
        LabelMap m = new LabelMap(2, 2, px, k3);
        px[0] = 2;
        m.indices()[1] = 2;
        assertArrayEquals(new int[] {0, 1, 2, 0}, m.indices());
    }

    @Test
    void labelIdsColoursAndNames() {
        LabelMap m = new LabelMap(3, 1, new int[] {0, 1, 2}, k3);
        assertArrayEquals(new int[] {7, 23, 26}, m.labelIds());
        assertArrayEquals(new int[] {0x808080, 0x4682b4, 0xff0000}, m.colorRgb().rgb());
        assertEquals("car", m.className(m.classAt(2, 0)));
        assertEquals(m, LabelMap.fromLabelIds(3, 1, new int[] {7, 23, 26}, k3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelMap.fromLabelIds(3, 1, new int[] {7, 8, 26}, k3));
        assertEquals("label map pixel (1, 0) has label id 8, which is no class of the model (ids [7, 23, 26])", e.getMessage());
    }

    @Test
    void withoutLabelIdsTheClassIndexIsTheId() {
        Classes c = new Classes(java.util.List.of("a", "b"), new int[] {0, 0xffffff}, null);
        assertArrayEquals(new int[] {0, 1}, c.labelIds());
    }

    @Test
    void sceneImagesMapMinusOneToOneOntoBytes() {
        LabelMap m = new LabelMap(2, 1, new int[] {0, 2}, k3);
        float[] chw = {-1f, 1f, 0f, 2f, Float.NaN, -0.5f};
        Scene s = new Scene(9, 3, m, chw);
        chw[0] = 1f;
        // planes R = [-1, 1], G = [0, 2 (clamped)], B = [NaN (0), -0.5]
        assertArrayEquals(new int[] {0x008000, 0xffff40}, s.rgb().rgb());
        BufferedImage img = s.image();
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        assertEquals(0x008000, img.getRGB(0, 0) & 0xffffff);
        assertEquals(0xff0000, s.colorLabels().getRGB(1, 0) & 0xffffff);
        assertArrayEquals(new int[] {7, 26}, s.labelIds());
        assertThrows(IllegalArgumentException.class, () -> new Scene(1, 0, m, new float[5]));
    }
}
