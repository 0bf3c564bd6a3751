package org.sbgan.graphs.ir;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX node attributes. Values are Long, Float, String, long[], float[] or {@link Tensor}.
 * Immutable once built; {@link #with} returns a copy.
 */
public final class Attrs {
    public static final Attrs NONE = new Attrs(Map.of());

    private final Map<String, Object> values;

    private Attrs(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static Attrs of(Object... kv) {
        return NONE.with(kv);
    }

    public Attrs with(Object... kv) {
        if (kv.length % 2 != 0) throw new IllegalArgumentException("attribute list must be key/value pairs");
        LinkedHashMap<String, Object> m = new LinkedHashMap<>(values);
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], normalize(kv[i + 1]));
        return new Attrs(m);
    }

    private static Object normalize(Object v) {
        if (v instanceof Integer i) return (long) i;
        if (v instanceof Double d) return (float) (double) d;
        if (v instanceof int[] a) return Arrays.stream(a).asLongStream().toArray();
        if (v instanceof long[] a) return a.clone();
        if (v instanceof float[] a) return a.clone();
        if (v instanceof Long || v instanceof Float || v instanceof String || v instanceof Tensor) return v;
        throw new IllegalArgumentException("unsupported attribute value " + v);
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String k) {
        return values.containsKey(k);
    }

    public long i(String k, long dflt) {
        Object v = values.get(k);
        return v == null ? dflt : (Long) v;
    }

    public float f(String k, float dflt) {
        Object v = values.get(k);
        return v == null ? dflt : (Float) v;
    }

    public String s(String k, String dflt) {
        Object v = values.get(k);
        return v == null ? dflt : (String) v;
    }

    public long[] ints(String k, long[] dflt) {
        Object v = values.get(k);
        return v == null ? dflt : ((long[]) v).clone();
    }

    public long[] ints(String k) {
        long[] v = ints(k, null);
        if (v == null) throw new ShapeError("missing attribute '" + k + "'");
        return v;
    }
}
