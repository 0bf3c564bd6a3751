package org.sbgan.cli;

import java.util.Locale;
import org.sbgan.graphs.models.Preset;
import org.sbgan.runtime.Device;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options that several commands share, each declared once as a picocli mixin ({@code @Mixin SharedOptions.Seed seed}). */
final class SharedOptions {
    private SharedOptions() {}

    /** {@code --threads N}; absent, the command's own default (all cores, or 2 for benchmarks so that runs compare). */
    static final class Threads {
        @Option(names = "--threads", paramLabel = "N",
                description = "ONNX Runtime intra-op threads (default: the number of cores; 2 for benchmarks).")
        Integer value;

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        /** The threads asked for, or {@code fallback}; fewer than one is a usage error. */
        int or(int fallback) {
            int t = value != null ? value : fallback;
            if (t < 1) throw new ParameterException(mixee.commandLine(), "--threads must be at least 1, not " + t);
            return t;
        }

        /** The threads asked for, or all cores. */
        int orCores() {
            return or(Runtime.getRuntime().availableProcessors());
        }
    }

    /** {@code --seed S}. */
    static final class Seed {
        @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
                description = "Seed of everything random the command does (weights, noise, data order, scenes): the same seed, the same result (default: ${DEFAULT-VALUE}).")
        long value;
    }

    /** {@code --device cpu|cuda}. */
    static final class OnDevice {
        @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda",
                description = "cpu or cuda (cuda needs a jar built with `mvn -Pcuda package`, CUDA 12 and cuDNN 9) (default: ${DEFAULT-VALUE}).")
        Device value;

        String id() {
            return value.name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code --preset NAME}. */
    static final class PresetName {
        @Option(names = "--preset", defaultValue = "tiny", paramLabel = "NAME",
                description = "Preset: tiny, small, cityscapes or ade-indoor (default: ${DEFAULT-VALUE}).")
        String value;

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        /** The preset's name in lower case, checked. */
        String id() {
            return resolve().name();
        }

        Preset resolve() {
            try {
                return Preset.byName(value.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(mixee.commandLine(), "--preset: " + e.getMessage());
            }
        }
    }

    /** {@code --json}. */
    static final class Json {
        @Option(names = "--json", description = "After the table, print the result as one JSON object.")
        boolean value;
    }

    /** {@code --progress auto|bar|lines}. */
    static final class Progress {
        enum Style { AUTO, BAR, LINES }

        @Option(names = "--progress", defaultValue = "auto", paramLabel = "auto|bar|lines",
                description = "bar, lines or auto (a bar on a terminal, else a line every 10 s) (default: ${DEFAULT-VALUE}).")
        Style value;

        /** Whether to draw a bar: asked for, or auto on a terminal. */
        boolean bar() {
            return value == Style.BAR || value == Style.AUTO && System.console() != null;
        }
    }
}
