package org.sbgan.runtime.labels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The built-in label spaces.
 *
 * <ul>
 *   <li>{@link #cityscapes35()} — Cityscapes label ids 0..33 (official names and colours) plus 34 "unknown"
 *       for raw 255; read from {@code *_gtFine_labelIds.png}. The paper's K = 35.</li>
 *   <li>{@link #cityscapesTrainIds()} — the 19 train classes plus 19 "don't care" (K = 20), read from
 *       {@code *_gtFine_labelIds.png} through the official id → trainId table (ids with trainId 255, and raw
 *       255, become "don't care"); {@link #cityscapesTrainIdsFromTrainIdFiles()} is the same space read
 *       from {@code *_gtFine_labelTrainIds.png} (raw 0..18, 255 = don't care).</li>
 *   <li>{@link #cityscapesCategories()} — the 8 Cityscapes categories (void, flat, construction, object,
 *       nature, sky, human, vehicle) from label ids; raw 255 is void. Category colours are those of a
 *       representative class (void black, flat = road, construction = building, …).</li>
 *   <li>{@link #ade150()} — ADE20K SceneParsing: 0 = "other" plus the 150 classes (the first name of each
 *       class in objectInfo150.csv, and the standard ADE20K palette); raw 0..150.</li>
 * </ul>
 *
 * Anything else is described by a mapping file ({@link LabelMappingFile}).
 */
public final class LabelSpaces {
    private LabelSpaces() {}

    /** Names accepted by {@link #byName}. */
    public static final List<String> NAMES = List.of("cityscapes-35", "cityscapes-20", "cityscapes-20-trainids", "cityscapes-8", "ade150");

    /** name, id, trainId, categoryId, r, g, b — cityscapesScripts helpers/labels.py, ids 0..33. */
    private static final Object[][] CITYSCAPES = {
        {"unlabeled", 0, 255, 0, 0, 0, 0},
        {"ego vehicle", 1, 255, 0, 0, 0, 0},
        {"rectification border", 2, 255, 0, 0, 0, 0},
        {"out of roi", 3, 255, 0, 0, 0, 0},
        {"static", 4, 255, 0, 0, 0, 0},
        {"dynamic", 5, 255, 0, 111, 74, 0},
        {"ground", 6, 255, 0, 81, 0, 81},
        {"road", 7, 0, 1, 128, 64, 128},
        {"sidewalk", 8, 1, 1, 244, 35, 232},
        {"parking", 9, 255, 1, 250, 170, 160},
        {"rail track", 10, 255, 1, 230, 150, 140},
        {"building", 11, 2, 2, 70, 70, 70},
        {"wall", 12, 3, 2, 102, 102, 156},
        {"fence", 13, 4, 2, 190, 153, 153},
        {"guard rail", 14, 255, 2, 180, 165, 180},
        {"bridge", 15, 255, 2, 150, 100, 100},
        {"tunnel", 16, 255, 2, 150, 120, 90},
        {"pole", 17, 5, 3, 153, 153, 153},
        {"polegroup", 18, 255, 3, 153, 153, 153},
        {"traffic light", 19, 6, 3, 250, 170, 30},
        {"traffic sign", 20, 7, 3, 220, 220, 0},
        {"vegetation", 21, 8, 4, 107, 142, 35},
        {"terrain", 22, 9, 4, 152, 251, 152},
        {"sky", 23, 10, 5, 70, 130, 180},
        {"person", 24, 11, 6, 220, 20, 60},
        {"rider", 25, 12, 6, 255, 0, 0},
        {"car", 26, 13, 7, 0, 0, 142},
        {"truck", 27, 14, 7, 0, 0, 70},
        {"bus", 28, 15, 7, 0, 60, 100},
        {"caravan", 29, 255, 7, 0, 0, 90},
        {"trailer", 30, 255, 7, 0, 0, 110},
        {"train", 31, 16, 7, 0, 80, 100},
        {"motorcycle", 32, 17, 7, 0, 0, 230},
        {"bicycle", 33, 18, 7, 119, 11, 32},
    };

    private static final String[] CATEGORIES = {"void", "flat", "construction", "object", "nature", "sky", "human", "vehicle"};
    private static final int[] CATEGORY_COLORS = {
        0x000000, 0x804080, 0x464646, 0x999999, 0x6b8e23, 0x4682b4, 0xdc143c, 0x00008e,
    };

    private static final LabelSpace CS35, CS20, CS20_TRAINIDS, CS8, ADE150;

    static {
        LabelSpace.Builder b35 = LabelSpace.builder("cityscapes-35");
        for (Object[] row : CITYSCAPES) {
            b35.addClass((String) row[0], color(row)).map((int) row[1], (int) row[1]);
        }
        b35.addClass("unknown", 0).map(255, 34);
        CS35 = b35.build();

        LabelSpace.Builder b20 = trainClasses("cityscapes-20");
        for (Object[] row : CITYSCAPES) {
            int t = (int) row[2];
            b20.map((int) row[1], t == 255 ? 19 : t);
        }
        CS20 = b20.map(255, 19).build();

        LabelSpace.Builder b20t = trainClasses("cityscapes-20-trainids");
        for (int t = 0; t < 19; t++) b20t.map(t, t);
        CS20_TRAINIDS = b20t.map(255, 19).build();

        LabelSpace.Builder b8 = LabelSpace.builder("cityscapes-8");
        for (int c = 0; c < CATEGORIES.length; c++) b8.addClass(CATEGORIES[c], CATEGORY_COLORS[c]);
        for (Object[] row : CITYSCAPES) b8.map((int) row[1], (int) row[3]);
        CS8 = b8.map(255, 0).build();

        LabelSpace.Builder ade = LabelSpace.builder("ade150");
        try (InputStream in = LabelSpaces.class.getResourceAsStream("ade150.csv")) {
            if (in == null) throw new IllegalStateException("resource ade150.csv is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split(",");
                int idx = Integer.parseInt(f[0]);
                if (idx != ade.numClasses()) throw new IllegalStateException("ade150.csv: class " + idx + " out of order");
                ade.addClass(f[1], LabelSpace.rgb(Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]))).map(idx, idx);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ADE150 = ade.build();
        if (ADE150.numClasses() != 151) throw new IllegalStateException("ade150.csv has " + ADE150.numClasses() + " classes, not 151");
    }

    private static LabelSpace.Builder trainClasses(String name) {
        LabelSpace.Builder b = LabelSpace.builder(name);
        String[] names = new String[19];
        int[] colors = new int[19];
        for (Object[] row : CITYSCAPES) {
            int t = (int) row[2];
            if (t != 255) {
                names[t] = (String) row[0];
                colors[t] = color(row);
            }
        }
        for (int t = 0; t < 19; t++) b.addClass(names[t], colors[t]);
        return b.addClass("don't care", 0);
    }

    private static int color(Object[] row) {
        return LabelSpace.rgb((int) row[4], (int) row[5], (int) row[6]);
    }

    /** Cityscapes label ids, K = 35 (34 = "unknown", raw 255). */
    public static LabelSpace cityscapes35() {
        return CS35;
    }

    /** Cityscapes 19 train classes + "don't care", K = 20, read from label-id files. */
    public static LabelSpace cityscapesTrainIds() {
        return CS20;
    }

    /** The same classes as {@link #cityscapesTrainIds()}, read from train-id files (0..18, 255 = don't care). */
    public static LabelSpace cityscapesTrainIdsFromTrainIdFiles() {
        return CS20_TRAINIDS;
    }

    /** The 8 Cityscapes categories from label ids (255 = void). */
    public static LabelSpace cityscapesCategories() {
        return CS8;
    }

    /** ADE20K SceneParsing: 0 = other + 150 classes, K = 151. */
    public static LabelSpace ade150() {
        return ADE150;
    }

    /** A built-in space by name ({@link #NAMES}, case-insensitive; "cityscapes" = cityscapes-35, "ade20k" = ade150). */
    public static LabelSpace byName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cityscapes-35": case "cityscapes": return CS35;
            case "cityscapes-20": return CS20;
            case "cityscapes-20-trainids": return CS20_TRAINIDS;
            case "cityscapes-8": case "cityscapes-categories": return CS8;
            case "ade150": case "ade20k": return ADE150;
            default: throw new IllegalArgumentException("unknown label space '" + name + "' (known: " + String.join(", ", NAMES) + ", or a mapping file)");
        }
    }

    /**
     * The label space a run or a bundle names: one of {@link #NAMES}, a mapping file (CSV/JSON), or, for null, the
     * default for K (8 Cityscapes categories, 20 train ids, 35 Cityscapes ids, 150 ADE classes).
     */
    public static LabelSpace resolve(String nameOrFile, int k) throws IOException {
        if (nameOrFile != null) {
            if (NAMES.contains(nameOrFile)) return byName(nameOrFile);
            Path f = Path.of(nameOrFile);
            if (Files.isRegularFile(f)) return LabelMappingFile.read(f);
            throw new IllegalArgumentException("--labels must be one of " + String.join(", ", NAMES)
                    + " or a mapping file; '" + nameOrFile + "' is neither");
        }
        return switch (k) {
            case 8 -> cityscapesCategories();
            case 20 -> cityscapesTrainIds();
            case 35 -> cityscapes35();
            case 150 -> ade150();
            default -> throw new IllegalArgumentException("no default label space has K = " + k + "; pass --labels FILE (a mapping file)");
        };
    }
}
