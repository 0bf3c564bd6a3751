package org.sbgan.trainer.segmenter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.runtime.labels.LabelSpace;
import org.sbgan.runtime.labels.LabelSpaces;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.CheckedSplits;
import org.sbgan.trainer.data.ClassWeights;
import org.sbgan.trainer.data.DataFormat;
import org.sbgan.trainer.data.Sample;
import org.sbgan.trainer.data.SampleSource;
import org.sbgan.trainer.graphs.SegmenterBundle;
import org.sbgan.trainer.step.StateFile;

/**
 * The segmenter trained on the bundled testdata/: it learns the val split far above chance, labels drawn at random teach
 * it nothing, a stopped run resumes bit for bit, and a folder with a run in it is not overwritten.
 */
class SegmenterTrainingTest {
    static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");
    static final LabelSpace SPACE = LabelSpaces.cityscapesCategories();
    @TempDir
    static Path tmp;
    static SampleSource train;
    static SegmenterEval.Pairs val;

    @BeforeAll
    static void data() throws Exception {
        train = CheckedSplits.labelled(TESTDATA, DataFormat.CITYSCAPES, "train", SPACE, BadSamplePolicy.FAIL, 256, s -> {});
        val = SegmenterEval.load(SegmenterEval.open(TESTDATA, DataFormat.CITYSCAPES, "val", SPACE), 32, 64);
    }

    static SegmenterTraining.Options options(int iterations) {
        return SegmenterTraining.Options.of(32, 64, 1).withIterations(iterations);
    }

    static double valMiou(SegmenterBundle b) {
        try (SegmenterModel m = SegmenterModel.open(b, 2)) {
            return SegmenterEval.score(m, val).confusion().meanIou();
        }
    }

    /** The best mIoU of two predictors that do not look at the image: the most frequent class everywhere, and uniform noise. */
    static double chance() {
        int k = SPACE.numClasses();
        long[] counts = new long[k];
        for (int c : val.labels()) counts[c]++;
        int top = 0;
        for (int c = 1; c < k; c++) if (counts[c] > counts[top]) top = c;
        int[] constant = new int[val.labels().length], noise = new int[val.labels().length];
        java.util.Arrays.fill(constant, top);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < noise.length; i++) noise[i] = r.nextInt(k);
        return Math.max(new ConfusionMatrix(k).add(val.labels(), constant).meanIou(), new ConfusionMatrix(k).add(val.labels(), noise).meanIou());
    }

    @Test
    void learnsTheValSplitAndRandomLabelsScoreNearChance() throws Exception {
        double chance = chance();
        SegmenterTraining.Result real = SegmenterTraining.train(train, SPACE, options(200), tmp.resolve("real"), false, null, 2, null);
        double learned = valMiou(real.bundle());

        // the same images, every pixel's label drawn uniformly at random (fixed per sample)
        SampleSource random = relabelled("testdata train with random labels", (i, s) -> {
            SplittableRandom r = new SplittableRandom(1000 + i);
            int[] labels = new int[s.classes().length];
            for (int p = 0; p < labels.length; p++) labels[p] = r.nextInt(SPACE.numClasses());
            return labels;
        });
        SegmenterTraining.Result noise = SegmenterTraining.train(random, SPACE, options(200), tmp.resolve("random"), false, null, 2, null);
        double fromNoise = valMiou(noise.bundle());
        assertTrue(learned > 0.5 && learned > chance + 0.3, "val mIoU " + learned + ", chance " + chance);
        assertTrue(fromNoise < chance + 0.05, "random labels gave val mIoU " + fromNoise + ", chance " + chance + " (learned: " + learned + ")");
    }

    @Test
    void aStoppedRunResumesBitForBit() throws Exception {
        SegmenterTraining.Options o = new SegmenterTraining.Options(16, 32, 4, 2, 4, 6, 2e-3f, ClassWeights.BALANCED, 7, 3);
        Path straight = tmp.resolve("straight"), stopped = tmp.resolve("stopped");
        SegmenterTraining.train(train, SPACE, o, straight, false, null, 2, null);
        RuntimeException stop = assertThrows(RuntimeException.class, () -> SegmenterTraining.train(train, SPACE, o, stopped, false, null, 2,
                new SegmenterTraining.Listener() {
                    @Override
                    public void stepped(long it, long total, float loss, float acc, double ms) {
                        if (it == 5) throw new IllegalStateException("killed");
                    }
                }));
        assertEquals("killed", stop.getMessage());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> SegmenterTraining.train(train, SPACE, o, stopped, false, null, 2, null));
        assertTrue(refused.getMessage().contains("--resume"), refused.getMessage());
        SegmenterTraining.Result r = SegmenterTraining.train(train, SPACE, o, stopped, true, null, 2, null);
        assertEquals(3, r.ran());
        Map<String, Tensor> a = StateFile.read(Files.list(straight.resolve("checkpoints")).sorted().reduce((x, y) -> y).orElseThrow().resolve("state.onnx"));
        Map<String, Tensor> b = StateFile.read(Files.list(stopped.resolve("checkpoints")).sorted().reduce((x, y) -> y).orElseThrow().resolve("state.onnx"));
        assertEquals(a.keySet(), b.keySet());
        for (String n : a.keySet()) assertArrayEquals(a.get(n).floats(), b.get(n).floats(), n);
        assertArrayEquals(Files.readAllBytes(straight.resolve("model/segmenter.onnx")), Files.readAllBytes(stopped.resolve("model/segmenter.onnx")));
        assertThrows(IllegalArgumentException.class, () -> SegmenterTraining.train(train, SPACE, o.withSeed(8), stopped, true, null, 2, null));
    }

    /** The training images with the label maps {@code labels(index, sample)} gives. */
    static SampleSource relabelled(String describe, java.util.function.BiFunction<Integer, Sample, int[]> labels) {
        return new SampleSource() {
            public int size() {
                return train.size();
            }

            public String describe() {
                return describe;
            }

            public Sample load(int i) throws java.io.IOException {
                Sample s = train.load(i);
                return new Sample(s.id(), s.height(), s.width(), labels.apply(i, s), s.rgb());
            }
        };
    }

    /** The training images with every pixel labelled {@code c}. */
    static SampleSource everywhere(int c) {
        return relabelled("testdata train, every pixel class " + c, (i, s) -> {
            int[] labels = new int[s.classes().length];
            java.util.Arrays.fill(labels, c);
            return labels;
        });
    }

    /** The share of val pixels the segmenter labels {@code c}. */
    static double predictedShare(SegmenterBundle b, int c) {
        try (SegmenterModel m = SegmenterModel.open(b, 2)) {
            int[] p = m.predict(val.images(), val.n(), val.height(), val.width(), false).labels();
            return (double) java.util.Arrays.stream(p).filter(x -> x == c).count() / p.length;
        }
    }

    @Test
    void aCurriculumEndsOnItsFinishingDataAndResumesAcrossTheSwitch() throws Exception {
        SegmenterTraining.Options o = new SegmenterTraining.Options(16, 32, 4, 2, 4, 40, 1e-2f, ClassWeights.NONE, 7, 1000);
        SampleSource first = everywhere(1), finish = everywhere(2);
        SegmenterTraining.Result plain = SegmenterTraining.train(first, SPACE, o, tmp.resolve("first-only"), false, null, 2, null);
        SegmenterTraining.Result then = SegmenterTraining.train(new SegmenterTraining.Curriculum(first, finish, 10), SPACE, o, tmp.resolve("then"),
                false, null, 2, null);
        assertTrue(predictedShare(plain.bundle(), 1) > 0.9, "one source: its class everywhere");
        double s2 = predictedShare(then.bundle(), 2), s1 = predictedShare(then.bundle(), 1);
        assertTrue(s2 > 0.9, "the finishing source's class, after 30 of 40 iterations on it: " + s2 + " (class 1: " + s1 + ")");
        var run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("then").resolve(SegmenterTraining.RUN_FILE).toFile());
        assertEquals(10, run.path("finish_from").asLong());
        assertTrue(run.path("data").path("source").asText().contains("then from iteration 11 testdata train, every pixel class 2"), run.toString());

        // stopped after the switch and resumed from the checkpoint of iteration 20: the same state as the straight run
        SegmenterTraining.Options every10 = new SegmenterTraining.Options(16, 32, 4, 2, 4, 40, 1e-2f, ClassWeights.NONE, 7, 10);
        SegmenterTraining.Curriculum c = new SegmenterTraining.Curriculum(first, finish, 10);
        Path straight = tmp.resolve("then-straight"), stopped = tmp.resolve("then-stopped");
        SegmenterTraining.train(c, SPACE, every10, straight, false, null, 2, null);
        assertThrows(IllegalStateException.class, () -> SegmenterTraining.train(c, SPACE, every10, stopped, false, null, 2, new SegmenterTraining.Listener() {
            @Override
            public void stepped(long it, long total, float loss, float acc, double ms) {
                if (it == 25) throw new IllegalStateException("killed");
            }
        }));
        assertEquals(20, SegmenterTraining.train(c, SPACE, every10, stopped, true, null, 2, null).ran());
        assertArrayEquals(Files.readAllBytes(straight.resolve("model/segmenter.onnx")), Files.readAllBytes(stopped.resolve("model/segmenter.onnx")));
    }

    @Test
    void aMissingOrForeignSegmenterIsOneLineNamingTheFolder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SegmenterBundle.read(tmp.resolve("nothing")));
        assertTrue(e.getMessage().contains("nothing") && e.getMessage().contains("no such"), e.getMessage());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> SegmenterBundle.read(TESTDATA));
        assertTrue(f.getMessage().contains("not a segmenter"), f.getMessage());
    }
}
