package org.sbgan.trainer.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sbgan.runtime.files.AtomicFiles;

/**
 * A run's {@code metrics.jsonl}: one JSON object per line, each with a numeric {@code "step"}.
 *
 * <p>JSON Lines so that a killed process loses at most its last, half-written line, and readers (this class,
 * {@link LossCurves}, jq, pandas) skip it. A resumed run opens the log with the last step it keeps, so the
 * records of the steps it redoes are not there twice. A line that cannot be written whole (a full disk) is cut off again. Lines are written one by one but not fsynced: a line lost
 * in a crash is a step the run redoes from its last checkpoint anyway.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader LINE_READER = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path file;
    private FileChannel out;

    private MetricsLog(Path file, FileChannel out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Opens {@code file} for appending, first keeping only the parseable lines whose {@code "step"} is at most
     * {@code keepThroughStep} (rewritten atomically, so a crash here leaves the old file); parent folders are
     * created. {@code Long.MAX_VALUE} keeps every parseable line that has a step.
     */
    public static MetricsLog open(Path file, long keepThroughStep) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (Line line : lines(file)) {
                JsonNode step = line.record().get("step");
                if (step != null && step.isNumber() && atMost(step, keepThroughStep)) kept.add(line.text());
            }
            AtomicFiles.write(file, o -> {
                for (String line : kept) o.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            });
        }
        try {
            return new MetricsLog(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw AtomicFiles.failure(file, e);
        }
    }

    /** Every parseable line of {@code file}, in order; a truncated (killed mid-write) line is skipped. */
    public static List<ObjectNode> read(Path file) throws IOException {
        List<ObjectNode> records = new ArrayList<>();
        for (Line line : lines(file)) records.add(line.record());
        return records;
    }

    /**
     * Appends {@code record} as one line and flushes it. Values are numbers, strings or booleans; a non-finite
     * float is written as the string {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"}, since JSON has no
     * such numbers. The record must have a numeric {@code "step"}, the key {@link #open} truncates by.
     */
    public synchronized void write(Map<String, ?> record) throws IOException {
        if (out == null) throw new IllegalStateException(file + ": metrics log is closed");
        if (!(record.get("step") instanceof Number)) throw new IllegalArgumentException(file + ": record has no numeric \"step\": " + record);
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, ?> e : record.entrySet()) put(node, e.getKey(), e.getValue());
        ByteBuffer line = ByteBuffer.wrap((MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8));
        long end = out.size();
        try {
            while (line.hasRemaining()) out.write(line, end + line.position());
        } catch (IOException e) {
            try {
                out.truncate(end); // no half line left behind (a full disk)
            } catch (IOException ignored) {
                // readers skip a half line anyway
            }
            throw AtomicFiles.failure(file, e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (out == null) return;
        try {
            out.close();
        } finally {
            out = null;
        }
    }

    private void put(ObjectNode node, String key, Object v) {
        if (v instanceof Double d) {
            if (Double.isFinite(d)) node.put(key, d); else node.put(key, d.toString());
        } else if (v instanceof Float f) {
            if (Float.isFinite(f)) node.put(key, f); else node.put(key, f.toString());
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            node.put(key, ((Number) v).longValue());
        } else if (v instanceof BigInteger b) {
            node.put(key, b);
        } else if (v instanceof BigDecimal b) {
            node.put(key, b);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) node.put(key, d); else node.put(key, Double.toString(d));
        } else if (v instanceof String s) {
            node.put(key, s);
        } else if (v instanceof Boolean b) {
            node.put(key, b);
        } else {
            String type = v == null ? "null" : v.getClass().getName();
            throw new IllegalArgumentException(file + ": field \"" + key + "\" is a " + type + ", not a number, string or boolean");
        }
    }

    private static boolean atMost(JsonNode step, long limit) {
        if (step.isIntegralNumber()) return step.bigIntegerValue().compareTo(BigInteger.valueOf(limit)) <= 0;
        return step.doubleValue() <= limit;
    }

    private record Line(String text, ObjectNode record) {}

    /** The lines of {@code file} that are JSON objects; bad UTF-8 (a cut multi-byte character) is replaced, not fatal. */
    private static List<Line> lines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such metrics file");
        List<Line> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            for (String text; (text = r.readLine()) != null; ) {
                if (text.isBlank()) continue;
                ObjectNode record = parse(text);
                if (record != null) lines.add(new Line(text, record));
            }
        }
        return lines;
    }

    private static ObjectNode parse(String text) {
        try {
            return LINE_READER.readTree(text) instanceof ObjectNode o ? o : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
