package org.sbgan.trainer.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sbgan.graphs.models.Preset;

/**
 * The phases a run goes through (docs/METHOD.md §1–§3), as plain data: the layout GAN stabilizes at its first level,
 * then fades in and stabilizes every later level; SPADE trains G_img with D1; end-to-end pre-trains D2 for one
 * epoch, then fine-tunes everything. A phase's length is its epochs times the batches in one pass over its data,
 * capped by {@code maxSteps}. One iteration = one G step then one D step (D2 pre-training: one D2 step).
 */
public record Schedule(List<Phase> phases) {

    /**
     * Training stages in order; {@code all} runs the first three. PROGAN_RGB is the paper's baseline (a ProGAN on RGB
     * images with G_seg's and D_seg's architecture and schedule), a run of its own.
     */
    public enum Stage {
        SEG, SPADE, E2E, PROGAN_RGB;

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The stage of an id ({@code seg}, …, {@code progan-rgb}). */
        public static Stage of(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** What a phase does. FADE and STABILIZE are the progressive GANs' (layout, or RGB with {@link Stage#PROGAN_RGB}). */
    public enum Kind { STABILIZE, FADE, SPADE, D2_PRETRAIN, E2E }

    /**
     * One phase.
     *
     * @param id         stable name ({@code seg/L2/fade}, {@code spade}, {@code e2e/d2_pretrain}, {@code e2e}); noise,
     *                   data order and checkpoints are keyed by it
     * @param level      G_seg level (the top level outside the layout GAN)
     * @param gStep      G step graph, or null (D2 pre-training)
     * @param dStep      D step graph
     * @param iterations length
     * @param batch      batch size
     * @param epochs     length in passes over the phase's data, before the cap
     */
    public record Phase(String id, Stage stage, Kind kind, int level, String gStep, String dStep, long iterations, int batch,
            double epochs) {
        /** A short label for progress lines: "seg L2 fade", "spade", "e2e d2-pretrain". */
        public String label() {
            return switch (kind) {
                case STABILIZE, FADE -> stage.id() + " L" + level + " " + kind.name().toLowerCase(Locale.ROOT);
                case SPADE -> "spade";
                case D2_PRETRAIN -> "e2e d2-pretrain";
                case E2E -> "e2e";
            };
        }
    }

    /**
     * The phases of the given stages. {@code labelled} is the number of training samples with label maps (and
     * images), {@code d2Images} the number of images (labelled and unlabelled) that D2's real side and the RGB ProGAN draw from.
     */
    public static Schedule of(TrainConfig cfg, List<Stage> stages, int labelled, int d2Images) {
        Preset p = cfg.presetRecord();
        int top = p.levels() - 1;
        List<Phase> out = new ArrayList<>();
        for (Stage s : Stage.values()) {
            if (!stages.contains(s)) continue;
            switch (s) {
                case SEG, PROGAN_RGB -> {
                    String prefix = s == Stage.SEG ? "seg" : "progan";
                    for (int l = 0; l <= top; l++) {
                        int b = cfg.segBatch(l);
                        String g = prefix + "_g_L" + l, d = prefix + "_d_L" + l, id = s.id() + "/L" + l;
                        double e = cfg.segPhaseEpochsOrPreset();
                        int n = s == Stage.SEG ? labelled : d2Images;
                        if (l > 0) out.add(new Phase(id + "/fade", s, Kind.FADE, l, g, d, length(cfg, e, n, b), b, e));
                        out.add(new Phase(id + "/stabilize", s, Kind.STABILIZE, l, g, d, length(cfg, e, n, b), b, e));
                    }
                }
                case SPADE -> {
                    int b = cfg.spadeBatch();
                    double e = cfg.spadeEpochsOrPreset();
                    out.add(new Phase("spade", s, Kind.SPADE, top, "spade_g", "spade_d", length(cfg, e, labelled, b), b, e));
                }
                case E2E -> {
                    int b = cfg.spadeBatch();
                    double e = cfg.d2EpochsOrPreset();
                    out.add(new Phase("e2e/d2_pretrain", s, Kind.D2_PRETRAIN, top, null, "d2_pretrain", length(cfg, e, d2Images, b), b, e));
                    int be = cfg.e2eBatch();
                    double ee = cfg.e2eEpochsOrPreset();
                    out.add(new Phase("e2e", s, Kind.E2E, top, "e2e_g", "e2e_d", length(cfg, ee, labelled, be), be, ee));
                }
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

    /** The stages named on the command line ({@code seg}, {@code spade}, {@code e2e}, {@code all}). */
    public static List<Stage> stages(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "all" -> List.of(Stage.SEG, Stage.SPADE, Stage.E2E);
            case "seg" -> List.of(Stage.SEG);
            case "spade" -> List.of(Stage.SPADE);
            case "e2e" -> List.of(Stage.E2E);
            case "progan-rgb" -> List.of(Stage.PROGAN_RGB);
            default -> throw new IllegalArgumentException("--stage must be seg, spade, e2e, all or progan-rgb, not '" + name + "'");
        };
    }
}
