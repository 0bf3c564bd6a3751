package org.sbgan.cli;

import io.micronaut.context.annotation.Prototype;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.sbgan.trainer.eval.LayoutMetrics;
import org.sbgan.trainer.eval.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sbgan-cli report}: metric tables with spread over runs, a chart and sample grids side by side. */
@Prototype
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarize sbgan-cli eval results of several runs: results are grouped by (label, mode) and each metric is "
                + "reported as mean ± sample std over the group. Writes report.md, metrics.png (FID means with error bars) and "
                + "samples.png (each run's samples/final_images.png, side by side)."})
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--runs", required = true, arity = "1..*", paramLabel = "DIR",
            description = "Run folders (each with eval/*.json from sbgan-cli eval) or evaluation JSON files.")
    List<Path> runs;

    @Option(names = "--out", defaultValue = "report", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Report.Written w = Report.write(runs, out);
        for (Report.Group g : w.groups()) {
            StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "%-8s %-28s n=%d", g.mode(), g.label(), g.n()));
            g.stats().forEach((k, s) -> {
                if (LayoutMetrics.isLayoutKey(k) && !LayoutMetrics.KEYS.contains(k)) return; // a real-data value: shown with its metric
                sb.append("  ").append(k).append(' ').append(s.format());
                Report.Stat real = g.stats().get(LayoutMetrics.realKey(k));
                if (LayoutMetrics.KEYS.contains(k) && real != null) sb.append(" (real ").append(real.format()).append(')');
            });
            System.out.println(sb);
        }
        System.out.println("wrote " + w.markdown() + ", " + w.metricsPng() + (w.samplesPng() != null ? ", " + w.samplesPng() : " (no sample grids found)"));
        return 0;
    }
}
