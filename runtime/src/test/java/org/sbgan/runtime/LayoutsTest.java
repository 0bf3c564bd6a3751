package org.sbgan.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class LayoutsTest {
    @Test
    void upsamplingRepeatsEachPixel() {
        int[] up = Layouts.upsample(new int[] {0, 1, 2, 1, 0, 2}, 3, 2, 2);
        assertArrayEquals(new int[] {
            0, 0, 1, 1, 2, 2,
            0, 0, 1, 1, 2, 2,
            1, 1, 0, 0, 2, 2,
            1, 1, 0, 0, 2, 2}, up);
        assertArrayEquals(new int[] {1, 2}, Layouts.upsample(new int[] {1, 2}, 2, 1, 1));
    }

    @Test
    void oneHotFillsKPlanesAndClearsOldValues() {
        FloatBuffer b = FloatBuffer.allocate(2 + 3 * 4);
        for (int i = 0; i < b.capacity(); i++) b.put(i, 9f);
        Layouts.oneHot(new int[] {0, 2, 2, 1}, 3, b, 2);
        float[] got = new float[b.capacity()];
        b.get(0, got);
        assertArrayEquals(new float[] {9, 9, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0}, got);
        assertEquals(0, b.position());
    }

    @Test
    void labelMapUpsampleKeepsClasses() {
        LabelMap m = new LabelMap(2, 1, new int[] {1, 2}, TestClasses.three());
        LabelMap up = m.upsample(3);
        assertEquals(6, up.width());
        assertEquals(3, up.height());
        assertEquals(2, up.classAt(5, 2));
        assertEquals(1, up.classAt(2, 2));
        assertEquals(m.classes(), up.classes());
    }
}
