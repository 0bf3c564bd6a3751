package org.sbgan.trainer.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.ArrayList;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.sbgan.runtime.image.BadImageException;
import org.sbgan.runtime.image.Images;
import org.sbgan.runtime.image.LabelRaster;
import org.sbgan.runtime.image.RgbImage;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.Messages;

/**
 * A dataset split on disk: the samples a scan found ({@link Datasets}), decoded on demand.
 *
 * <p>Decoding reads the label map's raw values ({@link Images#readLabels}; 8- or 16-bit gray or palette) and
 * maps them through the label space; the image ({@link Images#readRgb}; PNG or JPEG) becomes planar floats in
 * [0, 1]. A sample is bad when a file cannot be decoded (corrupt, truncated, missing), when its label map and
 * image differ in size, or when the label map holds raw values the label space does not map (a 16-bit map is
 * accepted when all its values fit the space).
 *
 * <p><b>Bad samples at load time.</b> With {@link BadSamplePolicy#FAIL}, {@link #load} throws a
 * {@link BadSampleException} (one line: file and problem). With {@link BadSamplePolicy#SKIP}, {@link #load}
 * never throws for a bad sample: it records the sample in {@link #report()} (once), remembers it as bad, and
 * returns the next good sample in index order (wrapping around), so a training loop never crashes mid-run; the
 * returned {@link Sample#id()} says which sample it really is. Only when every sample is bad does it throw.
 * {@link #size()} stays the number of scanned samples. Call {@link #validate} once at open time to decode
 * every sample up front instead: it finds all bad samples before training starts (FAIL: throws the first;
 * SKIP: records them all and returns a source of the good ones).
 *
 * <p>Thread-safe: {@link #load} may be called from several threads at once.
 */
public final class FileSampleSource implements SampleSource {
    private final String description;
    private final Path root;
    private final List<SampleFiles> files;
    private final LabelSpace labelSpace;
    private final BadSamplePolicy policy;
    private final BadSampleReport report;
    private final int ignoredFiles;
    /** 1 = known bad (SKIP). */
    private final AtomicIntegerArray bad;

    /**
     * @param root         the dataset folder, named when every sample is bad
     * @param labelSpace   the classes of the label maps (null for image-only data)
     * @param report       the report the scan filled (scan-time skips); load-time skips are added to it
     * @param ignoredFiles files the scan passed over (not images or not part of the layout)
     */
    public FileSampleSource(String description, Path root, List<SampleFiles> files, LabelSpace labelSpace,
                            BadSamplePolicy policy, BadSampleReport report, int ignoredFiles) {
        if (files.isEmpty()) throw new IllegalArgumentException(description + ": no samples");
        this.description = description;
        this.root = root;
        this.files = List.copyOf(files);
        this.labelSpace = labelSpace;
        this.policy = policy;
        this.report = report;
        this.ignoredFiles = ignoredFiles;
        this.bad = new AtomicIntegerArray(files.size());
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public String describe() {
        return description;
    }

    /** The classes of the label maps; null for image-only data. */
    public LabelSpace labelSpace() {
        return labelSpace;
    }

    public BadSamplePolicy policy() {
        return policy;
    }

    /** Samples skipped so far (scan time and load time). */
    public BadSampleReport report() {
        return report;
    }

    /** The scanned samples' files, in index order. */
    public List<SampleFiles> files() {
        return files;
    }

    /** Files the scan passed over without error: non-image files and files outside the layout's naming. */
    public int ignoredFiles() {
        return ignoredFiles;
    }

    public boolean hasLabels() {
        return files.get(0).label() != null;
    }

    public boolean hasImages() {
        return files.get(0).image() != null;
    }

    @Override
    public Sample load(int index) throws IOException {
        if (index < 0 || index >= files.size()) throw new IndexOutOfBoundsException("sample " + index + " of " + files.size() + " in " + description);
        if (policy == BadSamplePolicy.FAIL) return decode(files.get(index));
        int n = files.size();
        for (int k = 0; k < n; k++) {
            int j = (index + k) % n;
            if (bad.get(j) != 0) continue;
            try {
                return decode(files.get(j));
            } catch (BadSampleException e) {
                markBad(j, e);
            }
        }
        throw new BadSampleException(root, "all " + n + " samples of " + description + " are bad (" + report.summary() + ")");
    }

    /** What {@link #validate} found: the good samples as a source of their own, and those it kept decoded. */
    public record Validated(FileSampleSource good, Sample[] decoded) {}

    /**
     * Decodes every sample once (in parallel), before anything is trained or written. FAIL: throws the first bad
     * sample in index order (one line: file and problem). SKIP: records every bad one in {@link #report()} and
     * returns a source of the good ones only; throws when none is good. Decoded samples are kept, up to
     * {@code keepBytes}, so that a cache can start full instead of decoding them again. With many samples,
     * {@code progress} gets a line every few seconds.
     */
    public Validated validate(long keepBytes, Consumer<String> progress) throws IOException {
        int n = files.size();
        BadSampleException[] problems = new BadSampleException[n];
        Sample[] decoded = new Sample[n];
        AtomicLong budget = new AtomicLong(keepBytes);
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        AtomicLong lastLine = new AtomicLong(start);
        IntStream.range(0, n).parallel().forEach(i -> {
            if (bad.get(i) == 0) {
                try {
                    Sample s = decode(files.get(i));
                    if (budget.addAndGet(-CachedSampleSource.bytes(s)) >= 0) decoded[i] = s;
                    else budget.addAndGet(CachedSampleSource.bytes(s));
                } catch (BadSampleException e) {
                    problems[i] = e;
                }
            }
            int d = done.incrementAndGet();
            long now = System.nanoTime(), last = lastLine.get();
            if (now - last > PROGRESS_NANOS && d < n && lastLine.compareAndSet(last, now)) {
                progress.accept(String.format(Locale.ROOT, "checking %s: %d of %d samples decoded (%.0f s)", description, d, n, (now - start) / 1e9));
            }
        });
        List<SampleFiles> good = new ArrayList<>(n);
        List<Sample> kept = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (problems[i] != null) {
                if (policy == BadSamplePolicy.FAIL) throw problems[i];
                markBad(i, problems[i]);
            } else if (bad.get(i) == 0) {
                good.add(files.get(i));
                kept.add(decoded[i]);
            }
        }
        if (good.isEmpty()) throw new BadSampleException(root, "all " + n + " samples of " + description + " are bad (" + report.summary() + ")");
        FileSampleSource goodOnly = good.size() == n ? this
                : new FileSampleSource(description, root, good, labelSpace, policy, report, ignoredFiles);
        return new Validated(goodOnly, kept.toArray(new Sample[0]));
    }

    /** {@link #validate(long, Consumer)} keeping nothing: the number of good samples. */
    public int validate() throws IOException {
        return validate(0, line -> {}).good().size();
    }

    private static final long PROGRESS_NANOS = 5_000_000_000L;

    private void markBad(int i, BadSampleException e) {
        if (bad.compareAndSet(i, 0, 1)) report.add(BadSampleReport.Stage.LOAD, e.file(), e.problem());
    }

    /** Decodes one sample's files; every problem is a BadSampleException naming the file. */
    static Sample decode(SampleFiles f) throws BadSampleException {
        int[] classes = null;
        float[] rgb = null;
        int w = -1, h = -1;
        if (f.label() != null) {
            LabelRaster raster = readLabelMap(f.label());
            LabelSpace space = f.labelLookup();
            int[] invalid = new int[1];
            classes = space.map(raster.values(), invalid);
            if (invalid[0] > 0) {
                String values = Arrays.stream(space.invalidValues(raster.values(), 8)).mapToObj(String::valueOf).collect(Collectors.joining(", "));
                throw new BadSampleException(f.label(), (raster.bitDepth() == 16 ? "16-bit " : "") + "label map has " + invalid[0]
                    + " pixel" + (invalid[0] == 1 ? "" : "s") + " with values outside label space " + space.name() + " (K=" + space.numClasses() + "): " + values);
            }
            w = raster.width();
            h = raster.height();
        }
        if (f.image() != null) {
            RgbImage img = readImage(f.image());
            if (classes != null && (img.width() != w || img.height() != h)) {
                throw new BadSampleException(f.label(), "label map is " + w + "×" + h + " but image " + f.image().getFileName() + " is " + img.width() + "×" + img.height());
            }
            w = img.width();
            h = img.height();
            rgb = planar(img);
        }
        return new Sample(f.id(), h, w, classes, rgb);
    }

    /** RGB as planar CHW floats in [0, 1]. */
    static float[] planar(RgbImage img) {
        int n = img.width() * img.height();
        int[] px = img.rgb();
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            int p = px[i];
            out[i] = ((p >> 16) & 0xFF) / 255f;
            out[n + i] = ((p >> 8) & 0xFF) / 255f;
            out[2 * n + i] = (p & 0xFF) / 255f;
        }
        return out;
    }

    private static LabelRaster readLabelMap(Path file) throws BadSampleException {
        try {
            return Images.readLabels(file);
        } catch (BadImageException e) {
            throw new BadSampleException(file, problemOf(e, file));
        } catch (IOException | RuntimeException e) {
            throw new BadSampleException(file, "cannot read label map (" + Messages.oneLine(e) + ")");
        }
    }

    private static RgbImage readImage(Path file) throws BadSampleException {
        try {
            return Images.readRgb(file);
        } catch (BadImageException e) {
            throw new BadSampleException(file, problemOf(e, file));
        } catch (IOException | RuntimeException e) {
            throw new BadSampleException(file, "cannot read image (" + Messages.oneLine(e) + ")");
        }
    }

    private static String problemOf(BadImageException e, Path file) {
        String m = e.getMessage();
        String prefix = file + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

}
