package org.sbgan.trainer.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sbgan.graphs.models.Preset;
import org.sbgan.graphs.models.TrainingStage;

/**
 * The phases a run goes through, as plain data: each stage's phases ({@link TrainingStage#phases}) with a length.
 * A phase's length is its epochs times the batches in one pass over its data, capped by {@code maxSteps}. One
 * iteration = one G step then one D step (D2 pre-training: one D2 step).
 */
public record Schedule(List<Phase> phases) {

    /**
     * One phase with its length.
     *
     * @param def        what the stage defines: id, kind, level, steps, data
     * @param iterations length
     * @param batch      batch size
     * @param epochs     length in passes over the phase's data, before the cap
     */
    public record Phase(TrainingStage.Phase def, long iterations, int batch, double epochs) {
        public String id() {
            return def.id();
        }

        public TrainingStage stage() {
            return def.stage();
        }

        public TrainingStage.Kind kind() {
            return def.kind();
        }

        public int level() {
            return def.level();
        }

        public String gStep() {
            return def.gStep();
        }

        public String dStep() {
            return def.dStep();
        }

        public String label() {
            return def.label();
        }
    }

    /**
     * The phases of the given stages. {@code labelled} is the number of training samples with label maps (and
     * images), {@code d2Images} the number of images (labelled and unlabelled) that D2's real side and the RGB ProGAN draw from.
     */
    public static Schedule of(TrainConfig cfg, List<TrainingStage> stages, int labelled, int d2Images) {
        Preset p = cfg.presetRecord();
        List<Phase> out = new ArrayList<>();
        for (TrainingStage s : TrainingStage.values()) {
            if (!stages.contains(s)) continue;
            for (TrainingStage.Phase def : s.phases(p)) {
                int b = cfg.batch(def.batch(), def.level());
                double e = cfg.epochs(def.epochs());
                int n = def.data() == TrainingStage.Data.IMAGES ? d2Images : labelled;
                out.add(new Phase(def, length(cfg, e, n, b), b, e));
            }
        }
        return new Schedule(List.copyOf(out));
    }

    /**
     * Iterations for {@code epochs} passes: full batches per pass ({@code samples / batch}), or, for data smaller than
     * one batch (the loader then runs batches across epoch boundaries), the fraction of a batch one pass fills.
     */
    private static long length(TrainConfig cfg, double epochs, int samples, int batch) {
        if (samples < 1) throw new IllegalArgumentException("the dataset has no samples");
        double perEpoch = samples >= batch ? samples / batch : (double) samples / batch;
        long n = Math.max(1, Math.round(epochs * perEpoch));
        return cfg.maxSteps() > 0 ? Math.min(n, cfg.maxSteps()) : n;
    }

    public long totalIterations() {
        return phases.stream().mapToLong(Phase::iterations).sum();
    }

    /** Index of the phase with this id, or −1. */
    public int indexOf(String id) {
        for (int i = 0; i < phases.size(); i++) if (phases.get(i).id().equals(id)) return i;
        return -1;
    }

    /** The stages named on the command line ({@code seg}, {@code spade}, {@code e2e}, {@code progan-rgb}, or {@code all}: the first three). */
    public static List<TrainingStage> stages(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("all")) return List.of(TrainingStage.SEG, TrainingStage.SPADE, TrainingStage.E2E);
        try {
            return List.of(TrainingStage.of(n));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--stage must be seg, spade, e2e, all or progan-rgb, not '" + name + "'");
        }
    }
}
