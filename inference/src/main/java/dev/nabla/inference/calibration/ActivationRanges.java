package dev.nabla.inference.calibration;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Value;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The range of values a graph's chosen values take on calibration data, for the scale of an int8 quantization:
 * the largest magnitude seen ({@link Method#MIN_MAX}), or a high percentile of the magnitudes
 * ({@link Method#PERCENTILE}), which ignores rare outliers at the cost of clipping them so that the common values
 * keep more resolution.
 */
public final class ActivationRanges {
    /** Magnitudes kept per value for the percentile (beyond this many, a uniform sample of all seen). */
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
    private final Map<Integer, Long> seen = new HashMap<>();
    private final Map<Integer, Float> max = new HashMap<>();
    /** Fixed seed: the same calibration data gives the same ranges. */
    private final SplittableRandom random = new SplittableRandom(0x5EED);

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
            try (var scope = TensorScope.open()) {
                Interpreter.run(graph, List.of(batch), (Value value, Tensor result) -> {
                    if (wanted.containsKey(value.id())) {
                        r.add(value.id(), result.toFloatArray());
                    }
                });
            }
        }
        return r;
    }

    /** Keeps every magnitude until the sample is full, then each new one with the chance a uniform sample gives it. */
    private void add(int id, float[] v) {
        float[] kept = samples.computeIfAbsent(id, k -> new float[MAX_SAMPLES]);
        long n = seen.getOrDefault(id, 0L);
        float m = max.getOrDefault(id, 0f);
        for (float x : v) {
            float a = Math.abs(x);
            m = Math.max(m, a);
            if (n < MAX_SAMPLES) {
                kept[(int) n] = a;
            } else {
                long slot = random.nextLong(n + 1);
                if (slot < MAX_SAMPLES) {
                    kept[(int) slot] = a;
                }
            }
            n++;
        }
        seen.put(id, n);
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
        int n = (int) Math.min(seen.get(value.id()), MAX_SAMPLES);
        if (n == 0) {
            return 0;
        }
        float[] sorted = Arrays.copyOf(samples.get(value.id()), n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * n);
        return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
    }
}
