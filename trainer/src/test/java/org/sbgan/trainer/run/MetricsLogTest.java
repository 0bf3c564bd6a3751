package org.sbgan.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir Path dir;

    /** Steps 1..5 written whole, then step 6 cut off mid-number, as a killed process leaves it. */
    private Path killedRun() throws IOException {
        Path file = dir.resolve("run/metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file, Long.MAX_VALUE)) {
            for (int s = 1; s <= 5; s++) log.write(Map.of("step", s, "stage", "seg", "loss", 1.0 / s));
        }
        Files.writeString(file, "{\"step\":6,\"stage\":\"seg\",\"loss\":0.1", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        return file;
    }

    @Test
    void readSkipsTheHalfWrittenLastLine() throws IOException {
        List<ObjectNode> records = MetricsLog.read(killedRun());
        assertEquals(5, records.size());
        for (int i = 0; i < 5; i++) assertEquals(i + 1, records.get(i).get("step").asInt());
        assertEquals(0.25, records.get(3).get("loss").asDouble());
    }

    @Test
    void resumeKeepsStepsUpToTheCheckpointAndAppendsAfterThem() throws IOException {
        Path file = killedRun();
        try (MetricsLog log = MetricsLog.open(file, 3)) {
            log.write(Map.of("step", 4, "stage", "seg", "loss", 7.0));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size(), "steps 1..3 kept, 4 and 5 and the half line dropped, new 4 appended: " + lines);
        ObjectMapper m = new ObjectMapper();
        for (String line : lines) m.readTree(line);
        List<ObjectNode> records = MetricsLog.read(file);
        assertEquals(List.of(1, 2, 3, 4), records.stream().map(r -> r.get("step").asInt()).toList());
        assertEquals(7.0, records.get(3).get("loss").asDouble());
    }

    @Test
    void maxValueKeepsEveryParseableLineAndRepairsTheEnd() throws IOException {
        Path file = killedRun();
        try (MetricsLog log = MetricsLog.open(file, Long.MAX_VALUE)) {
            log.write(Map.of("step", 6, "loss", 0.5));
        }
        List<ObjectNode> records = MetricsLog.read(file);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), records.stream().map(r -> r.get("step").asInt()).toList());
        assertEquals(0.5, records.get(5).get("loss").asDouble(), "the new line is not glued to the half line");
        assertFalse(Files.readString(file).contains("0.1"), "the half line is gone from the file");
    }

    @Test
    void nonFiniteFloatsAreWrittenAsValidJsonStrings() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", 1L);
        record.put("loss.d", Double.NaN);
        record.put("loss.g", Float.POSITIVE_INFINITY);
        record.put("loss.r1", Double.NEGATIVE_INFINITY);
        record.put("loss.fm", 0.1f);
        record.put("ok", true);
        try (MetricsLog log = MetricsLog.open(file, Long.MAX_VALUE)) {
            log.write(record);
        }
        String line = Files.readAllLines(file).get(0);
        new ObjectMapper().readTree(line);
        assertEquals("{\"step\":1,\"loss.d\":\"NaN\",\"loss.g\":\"Infinity\",\"loss.r1\":\"-Infinity\",\"loss.fm\":0.1,\"ok\":true}", line);
        ObjectNode back = MetricsLog.read(file).get(0);
        assertTrue(Double.isNaN(Double.parseDouble(back.get("loss.d").asText())));
        assertEquals(Double.POSITIVE_INFINITY, Double.parseDouble(back.get("loss.g").asText()));
    }

    @Test
    void badRecordsAndMissingFilesFailInOneLine() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file, Long.MAX_VALUE)) {
            IllegalArgumentException noStep = assertThrows(IllegalArgumentException.class, () -> log.write(Map.of("loss", 1.0)));
            assertTrue(noStep.getMessage().startsWith(file + ": "), noStep.getMessage());
            IllegalArgumentException badType = assertThrows(IllegalArgumentException.class, () -> log.write(Map.of("step", 1, "x", List.of())));
            assertTrue(badType.getMessage().contains("\"x\""), badType.getMessage());
        }
        assertEquals("", Files.readString(file), "rejected records leave nothing behind");
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> MetricsLog.read(dir.resolve("absent.jsonl")));
        assertEquals(dir.resolve("absent.jsonl") + ": no such metrics file", missing.getMessage());
    }
}
