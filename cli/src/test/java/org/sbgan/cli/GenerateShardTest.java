package org.sbgan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --shard K/N}: N processes on one folder write exactly what one run writes. */
class GenerateShardTest {
    /** Relative paths of the files in {@code dir}, lock files left out (each must be released: empty). */
    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
            for (Path p : all) if (p.getFileName().toString().startsWith(".lock")) assertEquals(0, Files.size(dir.resolve(p)), p + " released");
            return all.stream().filter(p -> !p.getFileName().toString().startsWith(".lock")).toList();
        }
    }

    /** Same relative paths, same bytes. */
    static void assertSameFiles(Path expected, Path actual) throws IOException {
        List<Path> fe = files(expected), fa = files(actual);
        assertEquals(fe, fa);
        for (Path f : fe) assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f.toString());
    }

    static String[] shardArgs(Path model, Path out, String count, String shard, String... more) {
        List<String> a = GenerateCommandTest.args(model, out, count);
        a.addAll(List.of("--shard", shard));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void threeShardsAtOnceOnOneFolderWriteWhatOneRunWrites(@TempDir Path tmp) throws Exception {
        Path model = GenerateCommandTest.initialBundle(tmp.resolve("model")), whole = tmp.resolve("whole"), shards = tmp.resolve("shards");
        Cli.Run w = Cli.run(GenerateCommandTest.args(model, whole, "10").toArray(String[]::new));
        assertEquals(0, w.code(), w.err());
        assertTrue(w.out().startsWith("10 scenes in " + whole + " (cityscapes format): 10 generated in "), w.out());

        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (String k : List.of("0/3", "1/3", "2/3")) runs.add(pool.submit(() -> Main.execute(shardArgs(model, shards, "10", k))));
            for (Future<Integer> f : runs) assertEquals(0, f.get());
        } finally {
            pool.shutdownNow();
        }
        assertSameFiles(whole, shards);
        assertEquals(10 * 3 + 1, files(shards).size(), "3 files per scene and the contact sheet");
        for (String lock : List.of(".lock-shard-0-of-3", ".lock-shard-1-of-3", ".lock-shard-2-of-3")) assertTrue(Files.exists(shards.resolve(lock)), lock);
        assertFalse(Files.exists(shards.resolve(".lock")), "shards do not take the whole folder's lock");

        Cli.Run again = Cli.run(shardArgs(model, shards, "10", "1/3"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().startsWith("shard 1/3 (scenes 3..5 of 10) in " + shards + " (cityscapes format): 0 generated in "), again.out());
        assertTrue(again.out().contains(", 3 already there"), again.out());
        assertTrue(again.err().contains("found 3 finished scenes"), again.err());
        assertSameFiles(whole, shards);
    }

    @Test
    void moreShardsThanScenesLeaveSomeEmptyAndBadShardsAreUsageErrors(@TempDir Path tmp) throws Exception {
        Path model = GenerateCommandTest.initialBundle(tmp.resolve("model")), whole = tmp.resolve("whole"), shards = tmp.resolve("shards");
        assertEquals(0, Cli.run(GenerateCommandTest.args(model, whole, "2").toArray(String[]::new)).code());
        for (String k : List.of("0/3", "1/3", "2/3")) {
            Cli.Run r = Cli.run(shardArgs(model, shards, "2", k));
            assertEquals(0, r.code(), r.err());
            if (k.equals("0/3")) assertTrue(r.out().startsWith("shard 0/3 (no scenes of 2) in " + shards + " (cityscapes format): 0 generated"), r.out());
        }
        assertSameFiles(whole, shards);

        for (String[] bad : List.of(new String[] {"3/3", "shard 3/3: K must be 0..2 (counted from 0)"},
                new String[] {"2of3", "shard '2of3' is not K/N (process K of N, K from 0, e.g. 0/4)"},
                new String[] {"0/0", "shard 0/0: N must be at least 1"})) {
            Cli.Run r = Cli.run(shardArgs(model, tmp.resolve("bad"), "2", bad[0]));
            assertEquals(2, r.code(), r.err());
            assertEquals(List.of("error: Invalid value for option '--shard': " + bad[1], "try 'sbgan-cli generate --help'"), r.err().strip().lines().toList());
        }
        assertFalse(Files.exists(tmp.resolve("bad")), "nothing written");
    }

    @Test
    void aShardRemovesOnlyItsOwnScenesLeftovers(@TempDir Path tmp) throws Exception {
        Path model = GenerateCommandTest.initialBundle(tmp.resolve("model")), out = tmp.resolve("out");
        // Shard 0/3 of 10 is scenes 0..2; scene 5 is shard 1/3's, whose write may be in flight.
        Path mine = out.resolve("leftImg8bit/train/sbgan/.sbgan_000001_000019_leftImg8bit.png.5f3a.tmp"),
                other = out.resolve("gtFine/train/sbgan/.sbgan_000005_000019_gtFine_labelIds.png.5f3b.tmp"),
                sheet = out.resolve(".contact_sheet.png.5f3c.tmp");
        for (Path p : List.of(mine, other, sheet)) {
            Files.createDirectories(p.getParent());
            Files.writeString(p, "half a png");
        }
        Cli.Run r = Cli.run(shardArgs(model, out, "10", "0/3"));
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(mine), "its own leftover is removed");
        assertTrue(Files.exists(other), "another shard's file in flight stays");
        assertTrue(Files.exists(sheet), "the contact sheet is every shard's: its temporaries stay");

        // An unsharded run owns the whole folder and clears every leftover.
        Cli.Run all = Cli.run(GenerateCommandTest.args(model, out, "10").toArray(String[]::new));
        assertEquals(0, all.code(), all.err());
        assertFalse(Files.exists(other));
        assertFalse(Files.exists(sheet));
    }
}
