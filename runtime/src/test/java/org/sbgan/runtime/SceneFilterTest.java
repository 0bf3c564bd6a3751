package org.sbgan.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** --min-class-pixels rules: parsed against the model's classes, every rule must hold. */
class SceneFilterTest {
    private final Classes k3 = TestClasses.three(); // road, sky, car

    /** A 10×10 map with {@code cars} car pixels, {@code sky} sky pixels, the rest road. */
    private LabelMap map(int cars, int sky) {
        int[] px = new int[100];
        for (int i = 0; i < cars; i++) px[i] = 2;
        for (int i = cars; i < cars + sky; i++) px[i] = 1;
        return new LabelMap(10, 10, px, k3);
    }

    @Test
    void countsPixelsPerClass() {
        assertArrayEquals(new long[] {93, 4, 3}, map(3, 4).classPixelCounts());
    }

    @Test
    void keepsScenesWhereEveryRuleHolds() {
        SceneFilter f = SceneFilter.parse(List.of("CAR=0.03", "sky=5%"), k3);
        assertEquals(List.of(new SceneFilter.Rule(2, "car", 0.03), new SceneFilter.Rule(1, "sky", 0.05)), f.rules());
        assertEquals("car ≥ 3 % and sky ≥ 5 %", f.describe());
        assertTrue(f.keeps(map(3, 5)), "exactly at both minimums");
        assertFalse(f.keeps(map(2, 50)), "too few cars");
        assertFalse(f.keeps(map(50, 4)), "too little sky");
        float[] image = new float[3 * 100];
        assertTrue(f.test(new Scene(1, 0, map(10, 10), image)));
        assertFalse(f.test(new Scene(1, 0, map(0, 10), image)));
        assertEquals(SceneFilter.parse(List.of("car=0.5"), k3), SceneFilter.parse(List.of("car = 50 %"), k3), "a percentage is a fraction");
        assertEquals("road ≥ 100 %", SceneFilter.parse(List.of("road=1"), k3).describe());
        assertEquals("car ≥ 0.5 %", SceneFilter.parse(List.of("car=0.005"), k3).describe());
    }

    @Test
    void noRulesKeepEverything() {
        assertTrue(SceneFilter.NONE.keepsAll());
        assertTrue(SceneFilter.NONE.keeps(map(0, 0)));
        assertEquals(SceneFilter.NONE, SceneFilter.parse(List.of(), k3));
        assertEquals("every scene", SceneFilter.NONE.describe());
    }

    @Test
    void badSpecsAreOneLineErrorsNamingThem() {
        assertEquals("'car=0.1x': FRACTION must be in (0, 1] or a percentage in (0, 100] %, not '0.1x'", error("car=0.1x"));
        assertEquals("'car=0': FRACTION must be in (0, 1] or a percentage in (0, 100] %, not '0'", error("car=0"));
        assertEquals("'car=1.5': FRACTION must be in (0, 1] or a percentage in (0, 100] %, not '1.5'", error("car=1.5"));
        assertEquals("'car=150%': FRACTION must be in (0, 1] or a percentage in (0, 100] %, not '150%'", error("car=150%"));
        assertEquals("'car=NaN': FRACTION must be in (0, 1] or a percentage in (0, 100] %, not 'NaN'", error("car=NaN"));
        assertEquals("'car' is not CLASS=FRACTION (e.g. vehicle=0.01 or vehicle=1%)", error("car"));
        assertEquals("'=0.1' is not CLASS=FRACTION (e.g. vehicle=0.01 or vehicle=1%)", error("=0.1"));
        assertEquals("'truck=0.1': the model has no class 'truck' (it has road, sky, car)", error("truck=0.1"));
        assertEquals("'Car=0.2': car is given twice",
                assertThrows(IllegalArgumentException.class, () -> SceneFilter.parse(List.of("car=0.1", "Car=0.2"), k3)).getMessage());
    }

    private String error(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> SceneFilter.parse(List.of(spec), k3)).getMessage();
    }
}
