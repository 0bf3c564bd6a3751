package org.sbgan.trainer.data.synth;

import static org.junit.jupiter.api.Assertions.*;
import static org.sbgan.trainer.data.synth.CityscapesClasses.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreetSceneGeneratorTest {
    static final int H = 64, W = 128, N = 40;
    static List<StreetScene> scenes;

    @BeforeAll
    static void generate() {
        StreetSceneGenerator gen = new StreetSceneGenerator(W, H, 1);
        scenes = new ArrayList<>();
        for (int i = 0; i < N; i++) scenes.add(gen.scene(i));
    }

    @Test
    void sameSeedAndIndexGiveTheSameScene() {
        StreetSceneGenerator a = new StreetSceneGenerator(W, H, 7), b = new StreetSceneGenerator(W, H, 7);
        for (int i = 0; i < 3; i++) a.scene(i); // a scene does not depend on the ones made before it
        StreetScene x = a.scene(3), y = b.scene(3);
        assertArrayEquals(x.labelIds(), y.labelIds());
        assertArrayEquals(x.image().rgb(), y.image().rgb());
    }

    @Test
    void differentSeedsOrIndicesGiveDifferentScenes() {
        StreetScene a = new StreetSceneGenerator(W, H, 7).scene(0), b = new StreetSceneGenerator(W, H, 8).scene(0);
        assertFalse(Arrays.equals(a.labelIds(), b.labelIds()));
        assertFalse(Arrays.equals(a.image().rgb(), b.image().rgb()));
        assertFalse(Arrays.equals(scenes.get(0).labelIds(), scenes.get(1).labelIds()));
    }

    @Test
    void everyLabelIsAnEmittedCityscapesId() {
        for (StreetScene s : scenes) {
            assertEquals(W, s.width());
            assertEquals(H, s.height());
            for (int id : s.labelIds()) assertTrue(emitted(id), "unexpected id " + id);
        }
    }

    @Test
    void theStreetClassesAllAppear() {
        TreeSet<Integer> seen = new TreeSet<>();
        int[] scenesWith = new int[COUNT];
        for (StreetScene s : scenes) {
            boolean[] has = new boolean[COUNT];
            for (int id : s.labelIds()) has[id] = true;
            for (int id = 0; id < COUNT; id++) if (has[id]) {
                seen.add(id);
                scenesWith[id]++;
            }
        }
        for (int id : new int[] {ROAD, SIDEWALK, BUILDING, WALL, FENCE, POLE, TRAFFIC_LIGHT, TRAFFIC_SIGN, VEGETATION, TERRAIN,
                SKY, PERSON, CAR, EGO_VEHICLE}) {
            assertTrue(seen.contains(id), name(id) + " never appears in " + N + " scenes; seen " + seen);
        }
        for (int id : new int[] {ROAD, SKY, BUILDING}) assertTrue(scenesWith[id] >= N * 0.9, name(id) + " in only " + scenesWith[id] + " scenes");
        assertTrue(scenesWith[CAR] >= N / 2, "cars in only " + scenesWith[CAR] + " scenes");
    }

    @Test
    void roadWidensAndSkyVanishesTowardsTheBottom() {
        double[] road = new double[H], sky = new double[H];
        for (StreetScene s : scenes) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int id = s.label(x, y);
                    if (id == ROAD) road[y] += 1.0 / N;
                    if (id == SKY) sky[y] += 1.0 / (N * W);
                }
            }
        }
        // mean road width per row grows from the horizon band towards the bottom (above the ego vehicle's hood)
        int r1 = (int) (H * 0.55), r2 = (int) (H * 0.7), r3 = (int) (H * 0.82);
        assertTrue(road[r1] < road[r2] && road[r2] < road[r3], "road widths " + road[r1] + ", " + road[r2] + ", " + road[r3]);
        assertTrue(road[r3] > W * 0.5, "road at row " + r3 + " is only " + road[r3] + " px wide");
        assertTrue(sky[0] > 0.2, "sky fraction of the top row " + sky[0]);
        assertEquals(0.0, sky[H - 1]);
        assertEquals(0.0, sky[(int) (H * 0.75)]);
        assertTrue(sky[0] > sky[H / 4] && sky[H / 4] >= sky[H / 2], "sky " + sky[0] + ", " + sky[H / 4] + ", " + sky[H / 2]);
    }

    @Test
    void imagesAreTexturedNotFlat() {
        for (StreetScene s : scenes.subList(0, 10)) {
            double[] sum = new double[COUNT], sq = new double[COUNT];
            int[] n = new int[COUNT];
            for (int i = 0; i < s.labelIds().length; i++) {
                int c = s.image().rgb()[i], id = s.labelIds()[i];
                double lum = 0.299 * (c >> 16 & 255) + 0.587 * (c >> 8 & 255) + 0.114 * (c & 255);
                sum[id] += lum;
                sq[id] += lum * lum;
                n[id]++;
            }
            for (int id = 0; id < COUNT; id++) {
                if (n[id] < 30) continue;
                double mean = sum[id] / n[id], var = sq[id] / n[id] - mean * mean;
                assertTrue(var > 2, name(id) + " is flat: variance " + var);
            }
            // distinct colours: a textured image has many
            assertTrue(Arrays.stream(s.image().rgb()).distinct().count() > 1000);
        }
    }

    @Test
    void colourLabelsUseTheOfficialPalette() {
        StreetScene s = scenes.get(0);
        int[] col = s.colorLabels().rgb();
        for (int i = 0; i < col.length; i++) assertEquals(color(s.labelIds()[i]), col[i]);
        assertEquals(0x804080, color(ROAD));
        assertEquals(0x4682b4, color(SKY));
        assertEquals(0x00008e, color(CAR));
        assertEquals(0xdc143c, color(PERSON));
    }

    @Test
    void rejectsTinySizes() {
        assertThrows(IllegalArgumentException.class, () -> new StreetSceneGenerator(8, 4, 1));
    }
}
