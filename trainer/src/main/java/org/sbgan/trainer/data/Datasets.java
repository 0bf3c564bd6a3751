package org.sbgan.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;

/**
 * Scans dataset folders into {@link FileSampleSource}s.
 *
 * <table>
 *   <caption>Layouts</caption>
 *   <tr><th>method</th><th>layout</th></tr>
 *   <tr><td>{@link #cityscapes}</td><td>{@code leftImg8bit/<split>/<city>/<name>_leftImg8bit.png} with
 *       {@code gtFine/<split>/<city>/<name>_gtFine_labelIds.png} (or {@code _gtFine_labelTrainIds.png})</td></tr>
 *   <tr><td>{@link #ade20k}</td><td>{@code images/<split>/*.jpg} with {@code annotations/<split>/*.png}
 *       ({@code train}/{@code val} are accepted for {@code training}/{@code validation})</td></tr>
 *   <tr><td>{@link #paired}</td><td>an images folder and a labels folder, paired by path relative to the
 *       folder without extension ({@code a/b.jpg} ↔ {@code a/b.png})</td></tr>
 *   <tr><td>{@link #labelFolder}</td><td>label maps only (the layout GAN needs no images)</td></tr>
 *   <tr><td>{@link #imageFolder}</td><td>unlabelled images only</td></tr>
 * </table>
 *
 * <p>Images may be PNG or JPEG ({@code .png .jpg .jpeg}, any case); label maps must be PNG (lossless).
 * Folders are walked recursively in sorted order, so indices are stable. <b>Other files are ignored without
 * error</b> — non-image files, hidden files, and in the Cityscapes layout the other gtFine files
 * ({@code _color.png}, {@code _instanceIds.png}, {@code _polygons.json}); their number is
 * {@link FileSampleSource#ignoredFiles()}.
 *
 * <p><b>Scan-time problems</b> (reported here, before any decoding): an image with no label map, a label map with
 * no image (paired content), a Cityscapes train-id map read with a space that cannot take it, and a second image
 * for one sample ({@code a.jpg} and {@code a.png}). FAIL throws a {@link BadSampleException} naming the first such
 * file; SKIP leaves the sample (for a second image: only the extra file, the first in name order is kept) out and
 * records the file in the source's {@link BadSampleReport}. A missing folder, a folder with no samples, or one whose
 * every sample was skipped always throws, whatever the policy. Problems found while decoding are handled at load
 * time: see {@link FileSampleSource}.
 */
public final class Datasets {
    private Datasets() {}

    /** Which files of a layout to read. */
    public enum Content {
        /** Label maps and images, paired. */
        PAIRED,
        /** Label maps only (an image folder need not exist). */
        LABELS_ONLY,
        /** Images only (a label folder need not exist). */
        IMAGES_ONLY
    }

    private static final String CS_IMAGE = "_leftImg8bit";
    private static final String CS_IDS = "_gtFine_labelIds";
    private static final String CS_TRAIN_IDS = "_gtFine_labelTrainIds";

    /**
     * The Cityscapes layout under {@code root} (the folder holding {@code leftImg8bit/} and {@code gtFine/}).
     * Label maps are {@code _gtFine_labelIds.png}, decoded with {@code space}. With a space that has the classes
     * of {@link LabelSpaces#cityscapesTrainIds()} a sample may instead have {@code _gtFine_labelTrainIds.png}
     * (decoded as train ids); when both exist, the one matching the space's lookup is used.
     */
    public static FileSampleSource cityscapes(Path root, String split, LabelSpace space, Content content, BadSamplePolicy policy) throws IOException {
        Path imgDir = root.resolve("leftImg8bit").resolve(split);
        Path lblDir = root.resolve("gtFine").resolve(split);
        boolean wantImages = content != Content.LABELS_ONLY, wantLabels = content != Content.IMAGES_ONLY;
        if (wantLabels && space == null) throw new IllegalArgumentException("label space needed for " + content + " data");
        BadSampleReport report = new BadSampleReport();
        int ignored = 0;
        TreeMap<String, Path> images = new TreeMap<>(), ids = new TreeMap<>(), trainIds = new TreeMap<>();
        if (wantImages) {
            requireDir(imgDir);
            for (Path f : walk(imgDir)) {
                String key = cityscapesKey(imgDir, f, CS_IMAGE, ".png");
                if (key == null) ignored++;
                else images.put(key, f);
            }
        }
        if (wantLabels) {
            requireDir(lblDir);
            for (Path f : walk(lblDir)) {
                String k1 = cityscapesKey(lblDir, f, CS_IDS, ".png"), k2 = cityscapesKey(lblDir, f, CS_TRAIN_IDS, ".png");
                if (k1 != null) ids.put(k1, f);
                else if (k2 != null) trainIds.put(k2, f);
                else ignored++;
            }
        }
        boolean trainIdClasses = space != null && space.sameClassesAs(LabelSpaces.cityscapesTrainIds());
        boolean preferTrainIdFiles = space == LabelSpaces.cityscapesTrainIdsFromTrainIdFiles();
        TreeMap<String, Boolean> keys = new TreeMap<>();
        images.keySet().forEach(k -> keys.put(k, true));
        ids.keySet().forEach(k -> keys.put(k, true));
        trainIds.keySet().forEach(k -> keys.put(k, true));
        List<SampleFiles> out = new ArrayList<>();
        for (String key : keys.keySet()) {
            String id = key.substring(key.lastIndexOf('/') + 1);
            Path img = images.get(key), label = null;
            LabelSpace lookup = null;
            if (wantLabels) {
                Path idFile = ids.get(key), trainFile = trainIds.get(key);
                if (trainIdClasses) {
                    if (trainFile != null && (preferTrainIdFiles || idFile == null)) {
                        label = trainFile;
                        lookup = LabelSpaces.cityscapesTrainIdsFromTrainIdFiles();
                    } else if (idFile != null) {
                        label = idFile;
                        lookup = LabelSpaces.cityscapesTrainIds();
                    }
                } else if (idFile != null) {
                    label = idFile;
                    lookup = space;
                } else if (trainFile != null) {
                    problem(policy, report, trainFile, "only a labelTrainIds map, which label space " + space.name()
                        + " cannot read (it needs " + id + CS_IDS + ".png; use cityscapes-20 for train ids)");
                    continue;
                }
            }
            if (wantImages && wantLabels) {
                if (img == null) {
                    problem(policy, report, label, "no image (expected " + imgDir.resolve(key.substring(0, key.lastIndexOf('/') + 1) + id + CS_IMAGE + ".png") + ")");
                    continue;
                }
                if (label == null) {
                    problem(policy, report, img, "no label map (expected " + lblDir.resolve(key.substring(0, key.lastIndexOf('/') + 1) + id + CS_IDS + ".png") + ")");
                    continue;
                }
            }
            out.add(new SampleFiles(id, img, label, lookup));
        }
        String what = "cityscapes " + split + contentSuffix(content) + " (" + root + ")";
        return finish(what, wantImages ? imgDir : lblDir, out, space, policy, report, ignored,
            wantImages ? "<city>/*" + CS_IMAGE + ".png" : "<city>/*" + CS_IDS + ".png");
    }

    /**
     * The ADE20K SceneParsing layout under {@code root} (the folder holding {@code images/} and
     * {@code annotations/}); {@code split} is {@code training} or {@code validation} (or {@code train}/{@code val}).
     * Use {@link LabelSpaces#ade150()}, or a mapping-file space (e.g. ADE-Indoor).
     */
    public static FileSampleSource ade20k(Path root, String split, LabelSpace space, Content content, BadSamplePolicy policy) throws IOException {
        String s = switch (split) {
            case "train" -> "training";
            case "val" -> "validation";
            default -> split;
        };
        Path images = root.resolve("images").resolve(s), labels = root.resolve("annotations").resolve(s);
        return scanFolders("ade20k " + s + contentSuffix(content) + " (" + root + ")",
            content == Content.LABELS_ONLY ? null : images, content == Content.IMAGES_ONLY ? null : labels, space, policy);
    }

    /** An images folder and a labels folder, paired by relative path without extension. */
    public static FileSampleSource paired(Path imagesDir, Path labelsDir, LabelSpace space, BadSamplePolicy policy) throws IOException {
        return scanFolders("paired " + imagesDir + " + " + labelsDir, imagesDir, labelsDir, space, policy);
    }

    /** Label maps only (PNG), for the layout GAN. */
    public static FileSampleSource labelFolder(Path labelsDir, LabelSpace space, BadSamplePolicy policy) throws IOException {
        return scanFolders("labels " + labelsDir, null, labelsDir, space, policy);
    }

    /** Unlabelled images only (PNG or JPEG). */
    public static FileSampleSource imageFolder(Path imagesDir, BadSamplePolicy policy) throws IOException {
        return scanFolders("images " + imagesDir, imagesDir, null, null, policy);
    }

    /** Pixel counts per class over every sample's label map (loads each sample once). */
    public static long[] classHistogram(SampleSource source, int numClasses) throws IOException {
        long[] h = new long[numClasses];
        for (int i = 0; i < source.size(); i++) {
            Sample s = source.load(i);
            if (s.classes() == null) continue;
            for (int c : s.classes()) h[c]++;
        }
        return h;
    }

    private static FileSampleSource scanFolders(String what, Path imagesDir, Path labelsDir, LabelSpace space, BadSamplePolicy policy) throws IOException {
        if (labelsDir != null && space == null) throw new IllegalArgumentException("label space needed to read " + labelsDir);
        BadSampleReport report = new BadSampleReport();
        int ignored = 0;
        TreeMap<String, Path> images = new TreeMap<>(), labels = new TreeMap<>();
        List<SampleFiles> out = new ArrayList<>();
        if (imagesDir != null) {
            requireDir(imagesDir);
            for (Path f : walk(imagesDir)) {
                if (!isImage(f)) {
                    ignored++;
                    continue;
                }
                String key = stemKey(imagesDir, f);
                Path prev = images.putIfAbsent(key, f);
                if (prev != null) problem(policy, report, f, "a second image for sample " + key + " (also " + prev.getFileName() + ")");
            }
        }
        if (labelsDir != null) {
            requireDir(labelsDir);
            for (Path f : walk(labelsDir)) {
                if (!extension(f).equals("png")) {
                    ignored++;
                    continue;
                }
                labels.put(stemKey(labelsDir, f), f);
            }
        }
        TreeMap<String, Boolean> keys = new TreeMap<>();
        images.keySet().forEach(k -> keys.put(k, true));
        labels.keySet().forEach(k -> keys.put(k, true));
        for (String key : keys.keySet()) {
            Path img = images.get(key), lbl = labels.get(key);
            if (imagesDir != null && labelsDir != null) {
                if (img == null) {
                    problem(policy, report, lbl, "no image for this label map in " + imagesDir + " (expected " + key + ".png or .jpg)");
                    continue;
                }
                if (lbl == null) {
                    problem(policy, report, img, "no label map for this image in " + labelsDir + " (expected " + key + ".png)");
                    continue;
                }
            }
            out.add(new SampleFiles(key, img, lbl, lbl == null ? null : space));
        }
        return finish(what, imagesDir != null ? imagesDir : labelsDir, out, space, policy, report, ignored,
            imagesDir != null ? "*.png or *.jpg images" : "*.png label maps");
    }

    private static FileSampleSource finish(String what, Path dir, List<SampleFiles> out, LabelSpace space, BadSamplePolicy policy,
                                           BadSampleReport report, int ignored, String expected) throws BadSampleException {
        if (out.isEmpty()) {
            if (report.count() > 0) throw new BadSampleException(dir, "no usable samples (" + report.summary() + "; first: " + report.lines().get(0) + ")");
            throw new BadSampleException(dir, "no samples found (expected " + expected + ")");
        }
        boolean labelled = out.get(0).label() != null;
        return new FileSampleSource(what, dir, out, labelled ? space : null, policy, report, ignored);
    }

    /** FAIL: throws; SKIP: records and returns false. */
    private static boolean problem(BadSamplePolicy policy, BadSampleReport report, Path file, String problem) throws BadSampleException {
        if (policy == BadSamplePolicy.FAIL) throw new BadSampleException(file, problem);
        report.add(BadSampleReport.Stage.SCAN, file, problem);
        return false;
    }

    private static void requireDir(Path dir) throws BadSampleException {
        if (!Files.isDirectory(dir)) throw new BadSampleException(dir, Files.exists(dir) ? "not a directory" : "no such directory");
    }

    /** Whether a file is an image by its name: PNG or JPEG ({@code .png .jpg .jpeg}, any case). */
    public static boolean isImage(Path f) {
        String ext = extension(f);
        return ext.equals("png") || ext.equals("jpg") || ext.equals("jpeg");
    }

    /** Regular, non-hidden files under dir, sorted by path. */
    static List<Path> walk(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                .filter(p -> !dir.relativize(p).toString().startsWith(".") && !p.getFileName().toString().startsWith("."))
                .sorted()
                .toList();
        } catch (UncheckedIOException e) {
            throw new BadSampleException(dir, "cannot list (" + e.getCause().getMessage() + ")");
        }
    }

    private static String extension(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Relative path without extension, '/'-separated. */
    private static String stemKey(Path dir, Path f) {
        String rel = dir.relativize(f).toString().replace('\\', '/');
        int dot = rel.lastIndexOf('.');
        return dot > rel.lastIndexOf('/') ? rel.substring(0, dot) : rel;
    }

    /** "city/name" for a file "city/name<suffix><ext>", else null. */
    private static String cityscapesKey(Path dir, Path f, String suffix, String ext) {
        String rel = dir.relativize(f).toString().replace('\\', '/');
        String tail = suffix + ext;
        if (!rel.endsWith(tail) || rel.length() == tail.length()) return null;
        String key = rel.substring(0, rel.length() - tail.length());
        return key.endsWith("/") ? null : key;
    }

    private static String contentSuffix(Content c) {
        return switch (c) {
            case PAIRED -> "";
            case LABELS_ONLY -> " labels";
            case IMAGES_ONLY -> " images";
        };
    }
}
