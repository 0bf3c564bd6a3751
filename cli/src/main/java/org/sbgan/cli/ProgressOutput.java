package org.sbgan.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a long command shows on stderr while it works: a progress bar on a terminal ({@code --progress}), else a
 * line every 10 s and where the caller asks for one. Messages in between go above the bar. Read by train, segmenter train and
 * generate, so all three report alike.
 */
final class ProgressOutput implements AutoCloseable {
    private static final long LINE_EVERY_NANOS = 10_000_000_000L;

    private final PrintStream err;
    private final boolean useBar;
    private final String task, unit;
    private final boolean speed;
    private ProgressBar bar;
    private long lastLine;

    /**
     * @param unit  what a step counts, with its leading space (" scenes"), or null for plain steps
     * @param speed whether the bar shows steps per second
     */
    ProgressOutput(PrintStream err, boolean useBar, String task, String unit, boolean speed) {
        this.err = err;
        this.useBar = useBar;
        this.task = task;
        this.unit = unit;
        this.speed = speed;
        this.lastLine = System.nanoTime();
    }

    /**
     * Now at step {@code done} of {@code total}. {@code extra} is the bar's message; {@code line} the text of a progress
     * line, asked for only when one is printed; {@code force} prints a line whatever the time (a phase's last step, say).
     */
    void step(long done, long total, String extra, boolean force, Supplier<String> line) {
        if (useBar) {
            if (bar == null) {
                ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(500).startsFrom(done - 1, Duration.ZERO);
                if (unit != null) b.setUnit(unit, 1);
                if (speed) b.showSpeed();
                bar = b.build();
            }
            bar.stepTo(done);
            if (extra != null) bar.setExtraMessage(extra);
            return;
        }
        long now = System.nanoTime();
        if (now - lastLine > LINE_EVERY_NANOS || force) {
            lastLine = now;
            err.println(line.get());
        }
    }

    /** A line of its own, above the bar if one is drawn. */
    void message(String line) {
        if (bar != null) {
            bar.pause();
            err.println();
        }
        err.println(line);
        if (bar != null) bar.resume();
    }

    /** Whether a bar is being drawn (a message then needs its own line). */
    boolean drawing() {
        return bar != null;
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
        bar = null;
    }
}
