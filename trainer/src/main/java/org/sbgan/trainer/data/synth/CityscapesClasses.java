package org.sbgan.trainer.data.synth;

/**
 * The Cityscapes label ids (0..33, as stored in {@code *_gtFine_labelIds.png}) that the synthetic street-scene
 * generator emits, with their official names and colours (as in {@code *_gtFine_color.png}). Ids the generator
 * never emits (2 rectification border, 3 out of roi, 10 rail track, 14..16, 18, 29..31) are named too, so a
 * colour map covers the whole range.
 */
public final class CityscapesClasses {
    private CityscapesClasses() {}

    public static final int UNLABELED = 0, EGO_VEHICLE = 1, STATIC = 4, GROUND = 6, ROAD = 7, SIDEWALK = 8,
            PARKING = 9, BUILDING = 11, WALL = 12, FENCE = 13, POLE = 17, TRAFFIC_LIGHT = 19, TRAFFIC_SIGN = 20,
            VEGETATION = 21, TERRAIN = 22, SKY = 23, PERSON = 24, RIDER = 25, CAR = 26, TRUCK = 27, BUS = 28,
            BICYCLE = 33;

    /** Every id the generator can write, ascending. */
    public static final int[] EMITTED = {EGO_VEHICLE, STATIC, GROUND, ROAD, SIDEWALK, PARKING, BUILDING, WALL, FENCE,
            POLE, TRAFFIC_LIGHT, TRAFFIC_SIGN, VEGETATION, TERRAIN, SKY, PERSON, RIDER, CAR, TRUCK, BUS, BICYCLE};

    private static final String[] NAMES = {"unlabeled", "ego vehicle", "rectification border", "out of roi", "static",
            "dynamic", "ground", "road", "sidewalk", "parking", "rail track", "building", "wall", "fence", "guard rail",
            "bridge", "tunnel", "pole", "polegroup", "traffic light", "traffic sign", "vegetation", "terrain", "sky",
            "person", "rider", "car", "truck", "bus", "caravan", "trailer", "train", "motorcycle", "bicycle"};

    private static final int[] COLORS = {0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x6f4a00, 0x510051,
            0x804080, 0xf423e8, 0xfaaaa0, 0xe6968c, 0x464646, 0x66669c, 0xbe9999, 0xb4a5b4, 0x966464, 0x96785a,
            0x999999, 0x999999, 0xfaaa1e, 0xdcdc00, 0x6b8e23, 0x98fb98, 0x4682b4, 0xdc143c, 0xff0000, 0x00008e,
            0x000046, 0x003c64, 0x00005a, 0x00006e, 0x005064, 0x0000e6, 0x770b20};

    /** The number of label ids (0..33). */
    public static final int COUNT = NAMES.length;

    public static String name(int id) {
        return id >= 0 && id < COUNT ? NAMES[id] : "id " + id;
    }

    /** The official colour as {@code 0xRRGGBB}; black for ids outside 0..33. */
    public static int color(int id) {
        return id >= 0 && id < COUNT ? COLORS[id] : 0;
    }

    public static boolean emitted(int id) {
        for (int e : EMITTED) if (e == id) return true;
        return false;
    }
}
