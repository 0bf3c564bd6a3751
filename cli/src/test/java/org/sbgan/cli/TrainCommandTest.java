package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sbgan.cli.Cli.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbgan.cli.Cli.Run;
import org.sbgan.graphs.ir.Tensor;
import org.sbgan.runtime.files.FolderLock;
import org.sbgan.trainer.train.Checkpoints;

/** {@code sbgan-cli train}: a process killed with SIGKILL resumes to the uninterrupted state; errors are one line. */
class TrainCommandTest {
    private static final Path TESTDATA = Path.of(System.getProperty("user.dir")).resolveSibling("testdata");


    private static List<String> segArgs(Path run, String maxSteps) {
        return new ArrayList<>(List.of("train", "--stage", "seg", "--data", TESTDATA.toString(), "--run", run.toString(), "--max-steps",
                maxSteps, "--checkpoint-every", "2", "--sample-every", "1000", "--threads", "2", "--progress", "lines"));
    }

    private static Map<String, Tensor> finalState(Path run) throws IOException {
        return new Checkpoints(run.resolve("checkpoints"), 2).latest().orElseThrow().state();
    }

    private static long lines(Path f) throws IOException {
        if (!Files.exists(f)) return 0;
        try (var s = Files.lines(f)) {
            return s.count();
        }
    }

    @Test
    void aProcessKilledWithSigkillResumesToTheSameState(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        Run ra = run(segArgs(a, "6").toArray(String[]::new));
        assertEquals(0, ra.code(), ra.err());
        long total = lines(a.resolve("metrics.jsonl"));
        assertEquals(42, total, "7 phases of 6 iterations");

        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                Main.class.getName()));
        cmd.addAll(segArgs(b, "6"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("b.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (lines(b.resolve("metrics.jsonl")) < 15 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(p.isAlive(), "the process was still training when killed: " + Files.readString(tmp.resolve("b.log")));
        FolderLock.BusyException busy = assertThrows(FolderLock.BusyException.class, () -> FolderLock.acquire(b, "a second train"));
        assertTrue(busy.getMessage().startsWith(b + ": in use by process " + p.pid() + " (sbgan-cli train, since "), busy.getMessage());
        p.destroyForcibly(); // SIGKILL on Linux and macOS
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue());
        long seen = lines(b.resolve("metrics.jsonl"));
        assertTrue(seen < total, "killed before the end: " + seen + " of " + total + " steps logged");

        Run rb = run("train", "--stage", "seg", "--run", b.toString(), "--resume", "--threads", "2", "--progress", "lines");
        assertEquals(0, rb.code(), rb.err());
        assertTrue(rb.err().contains("resuming from step-"), rb.err());
        Map<String, Tensor> sa = finalState(a), sb = finalState(b);
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) assertEquals(sa.get(k), sb.get(k), "state '" + k + "' after SIGKILL and --resume");
        assertEquals(total, lines(b.resolve("metrics.jsonl")), "each step logged once");
        assertTrue(Files.isRegularFile(b.resolve("model/model.json")));
    }

    @Test
    void refusalsAreOneLine(@TempDir Path tmp) throws Exception {
        Path r = tmp.resolve("r");
        Run first = run(segArgs(r, "1").toArray(String[]::new));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("model:"), first.out());

        Run again = run(segArgs(r, "1").toArray(String[]::new));
        assertEquals(1, again.code());
        assertTrue(again.err().strip().startsWith("error: " + r + " already has a checkpoint"), again.err());
        assertEquals(1, again.err().strip().lines().count(), again.err());

        Run changed = run("train", "--stage", "seg", "--run", r.toString(), "--resume", "--preset", "small");
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("drop --preset"), changed.err());

        Run past = run("train", "--stage", "spade", "--run", r.toString(), "--resume", "--max-steps", "1");
        assertEquals(2, past.code(), "schedule options come from the saved config on resume");

        Run badStage = run("train", "--stage", "everything");
        assertEquals(2, badStage.code());
        assertTrue(badStage.err().contains("--stage must be seg, spade, e2e, all or progan-rgb"), badStage.err());
    }

    @Test
    void aBusyRunFolderIsRefusedInOneLineBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        Path r = tmp.resolve("r");
        try (FolderLock held = FolderLock.acquire(r, "another train")) {
            Run res = run(segArgs(r, "1").toArray(String[]::new));
            assertEquals(1, res.code());
            String last = res.err().strip().lines().reduce((x, y) -> y).orElse("");
            assertEquals("error: " + r + ": in use by this process (" + ProcessHandle.current().pid() + "); wait for it to end, or use another folder", last);
        }
        try (var s = Files.list(r)) {
            assertEquals(List.of(FolderLock.FILE), s.map(x -> x.getFileName().toString()).toList(), "no config, graphs or checkpoints");
        }
    }

    @Test
    void theOptionsResumeRefusesAreReadOffTheCommand() {
        picocli.CommandLine cl = new picocli.CommandLine(new TrainCommand());
        List<String> config = TrainCommand.configOptions(cl.getCommandSpec());
        for (String o : List.of("--preset", "--seed", "--data", "--data-format", "--labels", "--max-steps", "--on-bad-sample", "--vgg", "--segmenter-loss", "--segmenter-loss-weight", "--segmenter-loss-classes",
                "--layout-recipe", "--minibatch-stddev", "--seg-ema", "--batch-seg", "--lr-d2")) {
            assertTrue(config.contains(o), o + " is part of config.json: " + config);
        }
        for (String o : List.of("--run", "--resume", "--stage", "--threads", "--device", "--progress")) {
            assertFalse(config.contains(o), o + " says how the run executes, not what it computes");
        }
    }

    @Test
    void aUsageErrorIsOneLineAndAHint() {
        Run res = run("train", "--threads", "two");
        assertEquals(2, res.code());
        assertEquals(List.of("error: Invalid value for option '--threads': 'two' is not an int", "try 'sbgan-cli train --help'"),
                res.err().strip().lines().toList());
        Run typo = run("train", "--max-step", "3");
        assertEquals(2, typo.code());
        assertTrue(typo.err().startsWith("error: Unknown options: '--max-step', '3'"), typo.err());
        assertTrue(typo.err().contains("--max-steps"), "a suggestion: " + typo.err());
        assertTrue(typo.err().strip().endsWith("try 'sbgan-cli train --help'"), typo.err());
        assertTrue(typo.err().lines().count() <= 4, typo.err());
    }

    @Test
    void aCheckpointFolderThatCannotBeWrittenIsNamed(@TempDir Path tmp) throws Exception {
        Path r = tmp.resolve("r");
        Files.createDirectories(r);
        Files.writeString(r.resolve("checkpoints"), "not a folder");
        Run res = run(segArgs(r, "1").toArray(String[]::new));
        assertEquals(1, res.code());
        String line = res.err().strip().lines().reduce((x, y) -> y).orElse("");
        assertTrue(line.startsWith("error: cannot write a checkpoint in " + r.resolve("checkpoints")), res.err());
        assertFalse(res.err().contains("\tat "), "no stack trace");
    }

    @Test
    void cudaWithoutTheGpuBuildIsOneLine(@TempDir Path tmp) {
        Run res = run("train", "--run", tmp.resolve("r").toString(), "--device", "cuda", "--max-steps", "1");
        assertEquals(1, res.code());
        assertTrue(res.err().strip().startsWith("error: CUDA"), res.err());
        assertEquals(1, res.err().strip().lines().count(), res.err());
    }
}
