package org.sbgan.graphs.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.sbgan.graphs.step.StepGraph;

/**
 * A training stage, defined once (docs/METHOD.md §1–§3): its phases, the step graphs they run (one name each: the
 * file stem under {@code graphs/steps/}, the key in {@code manifest.json} and in the log), the Adam groups it trains
 * with each group's preset optimiser and learning-rate rules, and which generator's moving average it swaps in.
 * {@code build-graphs} builds every stage's {@link #steps}; the trainer's schedule turns its {@link #phases} into
 * iterations; {@code bench train} times a stage's {@link #timed} pair. Adding a stage means a constant here, its step
 * builders in {@link Stages}, and what its samples show.
 */
public enum TrainingStage {
    /** The progressive layout GAN: G_seg and D_seg, WGAN-GP, one level after the other. */
    SEG(Set.of(Stages.GSEG, Stages.DSEG)),
    /** G_img with the conditional multi-scale D1. */
    SPADE(Set.of(Stages.GIMG, Stages.D1)),
    /** One pass of D2 pre-training, then everything end to end. */
    E2E(Set.of(Stages.GSEG, Stages.DSEG, Stages.GIMG, Stages.D1, Stages.D2)),
    /** The paper's baseline: a ProGAN on RGB images with G_seg's and D_seg's architecture and schedule. */
    PROGAN_RGB(Set.of(Stages.PRGB_G, Stages.PRGB_D));

    private final Set<String> groups;

    TrainingStage(Set<String> groups) {
        this.groups = groups;
    }

    /** {@code seg}, {@code spade}, {@code e2e}, {@code progan-rgb}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The stage of an id. */
    public static TrainingStage of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** What a phase does. FADE and STABILIZE are the progressive GANs' (layout, or RGB). */
    public enum Kind { STABILIZE, FADE, SPADE, D2_PRETRAIN, E2E }

    /** Which batch size a phase or step uses: the layout GAN's (per level), SPADE's (also D2 pre-training), end-to-end's. */
    public enum BatchOf { SEG, SPADE, E2E }

    /** Which length a phase has, in passes over its data. */
    public enum EpochsOf { SEG_PHASE, SPADE, D2_PRETRAIN, E2E }

    /** What a phase's batches are drawn from: label maps, images (labelled and unlabelled: D2's real side), or pairs. */
    public enum Data { LABELS, IMAGES, PAIRS }

    /**
     * One phase as the stage defines it; the schedule gives it a length.
     *
     * @param id    stable name ({@code seg/L2/fade}, {@code spade}, {@code e2e/d2_pretrain}, {@code e2e}); noise, data
     *              order and checkpoints are keyed by it
     * @param gStep G step graph, or null (D2 pre-training)
     * @param dStep D step graph
     */
    public record Phase(String id, TrainingStage stage, Kind kind, int level, String gStep, String dStep, Data data, BatchOf batch,
            EpochsOf epochs) {
        /** A short label for progress lines: "seg L2 fade", "spade", "e2e d2-pretrain". */
        public String label() {
            return switch (kind) {
                case STABILIZE, FADE -> stage.id() + " L" + level + " " + kind.name().toLowerCase(Locale.ROOT);
                case SPADE -> "spade";
                case D2_PRETRAIN -> "e2e d2-pretrain";
                case E2E -> "e2e";
            };
        }

        public boolean progressive() {
            return kind == Kind.STABILIZE || kind == Kind.FADE;
        }
    }

    /** Builds one step graph at a batch size. */
    @FunctionalInterface
    public interface StepBuilder {
        StepGraph build(Preset p, int batch, long seed, Stages.ImageLosses extra);
    }

    /** One step graph of the stage: its name, level (the top level outside the progressive stages), batch and builder. */
    public record Step(String name, int level, BatchOf batch, StepBuilder builder) {
        public StepGraph build(Preset p, int batchSize, long seed, Stages.ImageLosses extra) {
            return builder.build(p, batchSize, seed, extra);
        }
    }

    /** The step graphs of this stage, in the order they are built (which fixes the initial state's order). */
    public List<Step> steps(Preset p) {
        int top = p.levels() - 1;
        List<Step> out = new ArrayList<>();
        switch (this) {
            case SEG, PROGAN_RGB -> {
                for (int l = 0; l <= top; l++) {
                    int level = l;
                    out.add(new Step(levelStep("g", l), l, BatchOf.SEG, this == SEG
                            ? (q, b, s, v) -> Stages.segG(q, level, b, s) : (q, b, s, v) -> Stages.proganG(q, level, b, s)));
                    out.add(new Step(levelStep("d", l), l, BatchOf.SEG, this == SEG
                            ? (q, b, s, v) -> Stages.segD(q, level, b, s) : (q, b, s, v) -> Stages.proganD(q, level, b, s)));
                }
            }
            case SPADE -> {
                out.add(new Step("spade_g", top, BatchOf.SPADE, (q, b, s, v) -> Stages.spadeG(q, b, s, v)));
                out.add(new Step("spade_d", top, BatchOf.SPADE, (q, b, s, v) -> Stages.spadeD(q, b, s)));
            }
            case E2E -> {
                out.add(new Step("d2_pretrain", top, BatchOf.SPADE, (q, b, s, v) -> Stages.d2Pretrain(q, b, s)));
                out.add(new Step("e2e_g", top, BatchOf.E2E, (q, b, s, v) -> Stages.e2eG(q, b, s, v)));
                out.add(new Step("e2e_d", top, BatchOf.E2E, (q, b, s, v) -> Stages.e2eD(q, b, s)));
            }
        }
        return out;
    }

    /** A progressive stage's G or D step at a level: {@code seg_g_L2}, {@code progan_d_L0}. */
    private String levelStep(String net, int level) {
        return (this == SEG ? "seg" : "progan") + "_" + net + "_L" + level;
    }

    /** The step of this stage with that name. */
    public Step step(Preset p, String name) {
        return steps(p).stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("stage " + id() + " has no step '" + name + "'"));
    }

    /** The phases of this stage, in order. */
    public List<Phase> phases(Preset p) {
        int top = p.levels() - 1;
        List<Phase> out = new ArrayList<>();
        switch (this) {
            case SEG, PROGAN_RGB -> {
                Data data = this == SEG ? Data.LABELS : Data.IMAGES;
                for (int l = 0; l <= top; l++) {
                    String g = levelStep("g", l), d = levelStep("d", l), id = id() + "/L" + l;
                    if (l > 0) out.add(new Phase(id + "/fade", this, Kind.FADE, l, g, d, data, BatchOf.SEG, EpochsOf.SEG_PHASE));
                    out.add(new Phase(id + "/stabilize", this, Kind.STABILIZE, l, g, d, data, BatchOf.SEG, EpochsOf.SEG_PHASE));
                }
            }
            case SPADE -> out.add(new Phase("spade", this, Kind.SPADE, top, "spade_g", "spade_d", Data.PAIRS, BatchOf.SPADE, EpochsOf.SPADE));
            case E2E -> {
                out.add(new Phase("e2e/d2_pretrain", this, Kind.D2_PRETRAIN, top, null, "d2_pretrain", Data.IMAGES, BatchOf.SPADE,
                        EpochsOf.D2_PRETRAIN));
                out.add(new Phase("e2e", this, Kind.E2E, top, "e2e_g", "e2e_d", Data.PAIRS, BatchOf.E2E, EpochsOf.E2E));
            }
        }
        return out;
    }

    /** The G and D steps {@code bench train} times: the top level's for the progressive stages, the last phase's otherwise. */
    public List<Step> timed(Preset p) {
        List<Phase> phases = phases(p);
        Phase last = phases.get(phases.size() - 1);
        return List.of(step(p, last.gStep()), step(p, last.dStep()));
    }

    /** The Adam groups this stage's steps update. */
    public Set<String> groups() {
        return groups;
    }

    /** The preset's optimiser of a group in this stage (betas are baked into the step graph; the lr is fed per step). */
    public Preset.AdamSpec adam(Preset p, String group) {
        Preset.Optim o = p.optim();
        return switch (group) {
            case Stages.GSEG, Stages.PRGB_G -> this == E2E ? o.e2eSeg() : o.segG();
            case Stages.DSEG, Stages.PRGB_D -> this == E2E ? o.e2eSeg() : o.segD();
            case Stages.GIMG -> o.spadeG();
            case Stages.D1 -> o.spadeD();
            case Stages.D2 -> o.d2();
            default -> throw new IllegalArgumentException("stage " + id() + " has no Adam group '" + group + "'");
        };
    }

    /** Whether a group's lr decays linearly to 0 over the second half of this stage's phases (SPADE's networks, §2–§3). */
    public boolean decays(String group) {
        return (this == SPADE || this == E2E) && (group.equals(Stages.GIMG) || group.equals(Stages.D1));
    }

    /** The groups whose Adam state (moments and step count) starts afresh where {@link #refreshesAdam} says. */
    public static final Set<String> REFRESHED_GROUPS = Set.of(Stages.GSEG, Stages.DSEG, Stages.PRGB_G, Stages.PRGB_D);

    /**
     * Whether the {@link #REFRESHED_GROUPS}' Adam state starts afresh when {@code phase} starts (after {@code previous},
     * null for the first): at every new level of a progressive stage (the level adds parameters; a carried-over step
     * count would skew the bias correction) and at end-to-end fine-tuning (§3: fresh optimizer state for G_seg, D_seg).
     */
    public static boolean refreshesAdam(Phase phase, Phase previous) {
        if (phase.kind() == Kind.E2E) return true;
        return phase.progressive() && (previous == null || previous.level() != phase.level() || previous.stage() != phase.stage());
    }

    /** The generator whose moving average replaces its weights at this stage's end (when the recipe keeps one), or null. */
    public String averagedGenerator() {
        return switch (this) {
            case SEG -> Stages.GSEG;
            case PROGAN_RGB -> Stages.PRGB_G;
            default -> null;
        };
    }
}
