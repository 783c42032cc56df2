package dev.nabla.inference.calibration;

import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Value;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The range of values a graph's chosen values take on calibration data, for the scale of an int8 quantization:
 * the largest magnitude seen ({@link Method#MIN_MAX}), or a high percentile of the magnitudes
 * ({@link Method#PERCENTILE}), which ignores rare outliers at the cost of clipping them so that the common values
 * keep more resolution.
 */
public final class ActivationRanges {
    /** Magnitudes kept per value for the percentile (a uniform sample beyond this many). */
    static final int MAX_SAMPLES = 1 << 22;

    /** How a range is taken from the observed magnitudes. */
    public enum Method {
        MIN_MAX, PERCENTILE;

        /** {@code minmax} or {@code percentile}, as the command line spells it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace("_", "");
        }

        public static Method parse(String text) {
            for (Method m : values()) {
                if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("expected minmax or percentile, found '" + text + "'");
        }
    }

    private final Map<Integer, float[]> samples = new HashMap<>();
    private final Map<Integer, Integer> counts = new HashMap<>();
    private final Map<Integer, Float> max = new HashMap<>();

    private ActivationRanges() {
    }

    /** Runs {@code graph} on every batch and records the magnitudes of {@code values}. */
    public static ActivationRanges collect(Graph graph, Set<Value> values, Iterable<Tensor> batches) {
        ActivationRanges r = new ActivationRanges();
        Map<Integer, Value> wanted = new HashMap<>();
        for (Value v : values) {
            wanted.put(v.id(), v);
        }
        for (Tensor batch : batches) {
            Interpreter.run(graph, List.of(batch), (Value value, Tensor result) -> {
                if (wanted.containsKey(value.id())) {
                    r.add(value.id(), result.toFloatArray());
                }
            });
        }
        return r;
    }

    private void add(int id, float[] v) {
        float[] kept = samples.computeIfAbsent(id, k -> new float[MAX_SAMPLES]);
        int n = counts.getOrDefault(id, 0);
        int stride = Math.max(1, (int) Math.ceil(v.length / (double) Math.max(1, MAX_SAMPLES - n)));
        float m = max.getOrDefault(id, 0f);
        for (int i = 0; i < v.length; i++) {
            float a = Math.abs(v[i]);
            m = Math.max(m, a);
            if (i % stride == 0 && n < MAX_SAMPLES) {
                kept[n++] = a;
            }
        }
        counts.put(id, n);
        max.put(id, m);
    }

    /** The magnitude a quantization of {@code value} should cover (0 if it was never seen non-zero). */
    public double range(Value value, Method method, double percentile) {
        Float m = max.get(value.id());
        if (m == null) {
            throw new IllegalArgumentException("no calibration values were recorded for " + value.name());
        }
        if (method == Method.MIN_MAX) {
            return m;
        }
        int n = counts.get(value.id());
        float[] sorted = Arrays.copyOf(samples.get(value.id()), n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * n);
        return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
    }
}
