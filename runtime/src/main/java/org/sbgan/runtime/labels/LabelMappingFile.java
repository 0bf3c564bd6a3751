package org.sbgan.runtime.labels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.sbgan.runtime.Messages;

/**
 * A user label space read from a mapping file: each entry maps a raw label value ("source id") to a class
 * index, and names the class and its colour. Used for anything the built-in {@link LabelSpaces} do not cover,
 * e.g. the 95-class ADE-Indoor remapping of ADE150.
 *
 * <p><b>CSV</b> ({@code .csv}): one entry a line, {@code source,class,name,color}; blank lines and lines starting
 * with {@code #} are skipped, and a first line whose first field is not a number (a header) is skipped.
 * <b>JSON</b> (any other extension): either an array of entries or {@code {"name": "...", "entries": [...]}},
 * each entry {@code {"source": 12, "class": 3, "name": "floor", "color": "#502d2d"}}; in JSON {@code source}
 * may also be an array of ids and {@code color} an array {@code [r, g, b]}.
 *
 * <p>Rules: {@code source} is 0..65535 or {@code *} (every value not listed otherwise); each source appears
 * once; classes are 0..K−1 with no gaps; a class's name must be given on at least one of its entries and
 * never differently; {@code color} is {@code #rrggbb} (optional: a class with none gets a generated colour).
 * Raw values that no entry maps are invalid in the space. The space is named by the JSON {@code name} or
 * the file's stem. Every problem is a {@link LabelMappingException}: one line naming the file, the line or
 * entry, and the problem.
 */
public final class LabelMappingFile {
    private LabelMappingFile() {}

    private record Entry(String where, int source, int cls, String name, Integer color) {}

    public static LabelSpace read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new LabelMappingException(file, "no such file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabelMappingException(file, "cannot read (" + e.getMessage() + ")");
        }
        String fname = file.getFileName().toString();
        String stem = fname.contains(".") ? fname.substring(0, fname.lastIndexOf('.')) : fname;
        boolean csv = fname.toLowerCase(Locale.ROOT).endsWith(".csv");
        List<Entry> entries = new ArrayList<>();
        String name = csv ? parseCsv(file, text, entries) : parseJson(file, text, entries);
        return build(file, name == null ? stem : name, entries);
    }

    private static final int OTHERS = -2;

    private static String parseCsv(Path file, String text, List<Entry> out) throws LabelMappingException {
        String[] lines = text.split("\\R", -1);
        boolean first = true;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String where = "line " + (i + 1);
            String[] f = line.split(",", -1);
            if (first) {
                first = false;
                String s = f[0].strip();
                if (!s.equals("*") && !s.matches("-?\\d+")) continue; // header
            }
            if (f.length < 2 || f.length > 4) throw new LabelMappingException(file, where + ": expected source,class,name,color but got " + f.length + " fields");
            int source = parseSource(file, where, f[0].strip());
            int cls = parseInt(file, where, "class", f[1].strip());
            String name = f.length > 2 && !f[2].isBlank() ? f[2].strip() : null;
            Integer color = f.length > 3 && !f[3].isBlank() ? parseHex(file, where, f[3].strip()) : null;
            out.add(new Entry(where, source, cls, name, color));
        }
        return null;
    }

    private static String parseJson(Path file, String text, List<Entry> out) throws LabelMappingException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage() == null ? "syntax error" : Messages.oneLine(e.getOriginalMessage());
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new LabelMappingException(file, "invalid JSON" + (line > 0 ? " at line " + line : "") + ": " + m);
        }
        if (root == null || root.isMissingNode()) throw new LabelMappingException(file, "empty file");
        String name = null;
        JsonNode list = root;
        if (root.isObject()) {
            if (root.has("name")) {
                if (!root.get("name").isTextual()) throw new LabelMappingException(file, "\"name\" must be a string");
                name = root.get("name").asText().strip();
            }
            list = root.get("entries");
            if (list == null) throw new LabelMappingException(file, "expected an \"entries\" array");
        }
        if (!list.isArray()) throw new LabelMappingException(file, "expected an array of entries");
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String where = "entry " + i;
            if (!e.isObject()) throw new LabelMappingException(file, where + ": expected an object {source, class, name, color}");
            JsonNode src = e.get("source"), cls = e.get("class"), nm = e.get("name"), col = e.get("color");
            if (src == null) throw new LabelMappingException(file, where + ": no \"source\"");
            if (cls == null || !cls.canConvertToInt() || !cls.isIntegralNumber()) throw new LabelMappingException(file, where + ": \"class\" must be an integer");
            String name1 = null;
            if (nm != null && !nm.isNull()) {
                if (!nm.isTextual()) throw new LabelMappingException(file, where + ": \"name\" must be a string");
                name1 = nm.asText().isBlank() ? null : nm.asText().strip();
            }
            Integer color = null;
            if (col != null && !col.isNull()) {
                if (col.isTextual()) {
                    color = parseHex(file, where, col.asText().strip());
                } else if (col.isArray() && col.size() == 3 && col.get(0).isInt() && col.get(1).isInt() && col.get(2).isInt()) {
                    try {
                        color = LabelSpace.rgb(col.get(0).asInt(), col.get(1).asInt(), col.get(2).asInt());
                    } catch (IllegalArgumentException x) {
                        throw new LabelMappingException(file, where + ": " + x.getMessage());
                    }
                } else {
                    throw new LabelMappingException(file, where + ": \"color\" must be \"#rrggbb\" or [r, g, b]");
                }
            }
            List<JsonNode> sources = new ArrayList<>();
            if (src.isArray()) src.forEach(sources::add);
            else sources.add(src);
            if (sources.isEmpty()) throw new LabelMappingException(file, where + ": \"source\" is an empty list");
            for (JsonNode s : sources) {
                int source;
                if (s.isTextual()) source = parseSource(file, where, s.asText().strip());
                else if (s.isIntegralNumber() && s.canConvertToInt()) source = checkSource(file, where, s.asInt());
                else throw new LabelMappingException(file, where + ": source " + s + " is not an integer or \"*\"");
                out.add(new Entry(where, source, cls.asInt(), name1, color));
            }
        }
        return name;
    }

    private static LabelSpace build(Path file, String name, List<Entry> entries) throws LabelMappingException {
        if (entries.isEmpty()) throw new LabelMappingException(file, "no entries");
        TreeMap<Integer, String> names = new TreeMap<>();
        TreeMap<Integer, Integer> colors = new TreeMap<>();
        TreeMap<Integer, String> seen = new TreeMap<>();
        int maxClass = -1;
        for (Entry e : entries) {
            if (e.cls < 0) throw new LabelMappingException(file, e.where + ": class " + e.cls + " is negative");
            if (e.cls > LabelSpace.MAX_RAW) throw new LabelMappingException(file, e.where + ": class " + e.cls + " is too large");
            maxClass = Math.max(maxClass, e.cls);
            String prev = seen.put(e.source, e.where);
            if (prev != null) {
                throw new LabelMappingException(file, e.where + ": source " + (e.source == OTHERS ? "*" : String.valueOf(e.source)) + " is already mapped (" + prev + ")");
            }
            if (e.name != null) {
                String old = names.putIfAbsent(e.cls, e.name);
                if (old != null && !old.equals(e.name)) {
                    throw new LabelMappingException(file, e.where + ": class " + e.cls + " is named '" + e.name + "' but was named '" + old + "' before");
                }
            }
            if (e.color != null) {
                Integer old = colors.putIfAbsent(e.cls, e.color);
                if (old != null && !old.equals(e.color)) {
                    throw new LabelMappingException(file, e.where + ": class " + e.cls + " has colour " + LabelSpace.hex(e.color) + " but had " + LabelSpace.hex(old) + " before");
                }
            }
        }
        LabelSpace.Builder b = LabelSpace.builder(name);
        for (int c = 0; c <= maxClass; c++) {
            String n = names.get(c);
            if (n == null) {
                final int cc = c;
                boolean used = entries.stream().anyMatch(e -> e.cls == cc);
                throw new LabelMappingException(file, used ? "class " + c + " has no name" : "classes must be 0.." + maxClass + " with no gaps, but class " + c + " is missing");
            }
            b.addClass(n, colors.getOrDefault(c, generatedColor(c)));
        }
        for (Entry e : entries) {
            if (e.source == OTHERS) b.mapOthers(e.cls);
            else b.map(e.source, e.cls);
        }
        return b.build();
    }

    /** A distinct, deterministic colour for a class that the file gives none. */
    static int generatedColor(int c) {
        if (c == 0) return 0;
        float hue = (c * 0.618034f) % 1f;
        return Color.HSBtoRGB(hue, 0.65f + 0.35f * ((c / 7) % 2), 0.95f - 0.3f * ((c / 3) % 2)) & 0xFFFFFF;
    }

    private static int parseSource(Path file, String where, String s) throws LabelMappingException {
        if (s.equals("*")) return OTHERS;
        return checkSource(file, where, parseInt(file, where, "source", s));
    }

    private static int checkSource(Path file, String where, int v) throws LabelMappingException {
        if (v < 0 || v > LabelSpace.MAX_RAW) throw new LabelMappingException(file, where + ": source " + v + " is outside 0.." + LabelSpace.MAX_RAW);
        return v;
    }

    private static int parseInt(Path file, String where, String what, String s) throws LabelMappingException {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new LabelMappingException(file, where + ": " + what + " '" + s + "' is not an integer");
        }
    }

    private static int parseHex(Path file, String where, String s) throws LabelMappingException {
        if (!s.matches("#[0-9a-fA-F]{6}")) throw new LabelMappingException(file, where + ": colour '" + s + "' is not #rrggbb");
        return Integer.parseInt(s.substring(1), 16);
    }
}
