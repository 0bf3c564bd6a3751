package org.sbgan.cli;

import java.nio.file.Path;
import org.sbgan.trainer.data.BadSamplePolicy;
import org.sbgan.trainer.data.DataFormat;

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

    /** The labelled dataset a command trains on: {@code --data}, {@code --data-format}, {@code --labels}, {@code --on-bad-sample}, {@code --cache-mb}. */
    static final class Dataset {
        @Option(names = "--data", defaultValue = "testdata", paramLabel = "DIR", description = "Dataset folder (default: ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--data-format",
                description = "cityscapes (leftImg8bit/, gtFine/), ade20k (images/, annotations/) or pairs (images/, labels/) (default: read off the --data folder).")
        DataFormat dataFormat;

        @Option(names = "--labels", paramLabel = "SPACE|FILE",
                description = "Label space: cityscapes-8, cityscapes-20, cityscapes-35, ade150, or a mapping file (CSV/JSON). Default: by the preset's K (train) or the data format (segmenter: ade150 for ADE20K, else cityscapes-8).")
        String labels;

        @Option(names = "--on-bad-sample", defaultValue = "fail", description = "fail (stop at the first bad sample, naming the file) or skip (go on, list them at the end) (default: ${DEFAULT-VALUE}).")
        BadSamplePolicy onBadSample;

        @Option(names = "--cache-mb", defaultValue = "1024", description = "Decoded samples kept in memory, MB (default: ${DEFAULT-VALUE}).")
        long cacheMb;

        /**
         * The --data folder's layout when --data-format is not given; a folder of images only is a usage error, a missing
         * folder is left to the dataset reader's error.
         */
        DataFormat detectLabelled(CommandSpec spec, String what, String hint) throws java.io.IOException {
            if (!java.nio.file.Files.isDirectory(data)) return DataFormat.CITYSCAPES;
            DataFormat f = DataFormat.detect(data);
            if (!f.hasLabels()) {
                throw new ParameterException(spec.commandLine(), data + " holds only images; " + what + " needs label maps (cityscapes, ade20k or "
                        + "pairs layout)" + hint);
            }
            return f;
        }
    }

    /** The segmenter network's shape: {@code --size HxW}, {@code --base C}, {@code --depth L} (docs/SEGMENTER.md). */
    static final class SegmenterShape {
        @Option(names = "--size", defaultValue = "32x64", paramLabel = "HxW",
                description = "Input size; samples are resized to cover it and cropped (default: ${DEFAULT-VALUE}, the tiny preset's image size).")
        String size;

        @Option(names = "--base", defaultValue = "16", paramLabel = "C", description = "Channels of the first U-Net level (default: ${DEFAULT-VALUE}).")
        int base;

        @Option(names = "--depth", defaultValue = "3", paramLabel = "L", description = "U-Net levels (default: ${DEFAULT-VALUE}).")
        int depth;

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        /** {@code --size} as {height, width}; anything but HxW is a usage error. */
        int[] heightWidth() {
            String[] p = size.toLowerCase(Locale.ROOT).split("[x×]");
            try {
                if (p.length == 2) return new int[] {Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip())};
            } catch (NumberFormatException ignored) {
                // falls through to the usage error
            }
            throw new ParameterException(mixee.commandLine(), "--size must be HxW (e.g. 32x64), not '" + size + "'");
        }
    }
}
