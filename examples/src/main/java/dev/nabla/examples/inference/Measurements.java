package dev.nabla.examples.inference;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/** What the optimize and retrain reports measure of a model, given as a function from a batch of inputs to logits. */
public final class Measurements {
    /** Batches of this many test images when a whole split is evaluated. */
    static final int EVAL_BATCH = 500;

    private Measurements() {
    }

    /** Share of {@code data}'s examples whose largest logit is at the label. */
    public static double accuracy(UnaryOperator<Tensor> model, Dataset data) {
        long correct = 0;
        for (int start = 0; start < data.size(); start += EVAL_BATCH) {
            try (var scope = TensorScope.open(); var off = GradMode.noGrad()) {
                Batch b = batch(data, start, Math.min(EVAL_BATCH, data.size() - start));
                long[] predicted = model.apply(b.inputs()).argmax(1, false).toLongArray();
                long[] labels = b.targets().toLongArray();
                for (int i = 0; i < labels.length; i++) {
                    correct += predicted[i] == labels[i] ? 1 : 0;
                }
            }
        }
        return data.size() == 0 ? Double.NaN : correct / (double) data.size();
    }

    /** The largest |a - b| over {@code data}'s outputs, and the largest |a| (for the relative difference). */
    record Difference(double maxAbs, double maxReference) {
        double relative() {
            return maxReference == 0 ? maxAbs : maxAbs / maxReference;
        }
    }

    static Difference difference(UnaryOperator<Tensor> reference, UnaryOperator<Tensor> other, Dataset data) {
        double maxAbs = 0;
        double maxRef = 0;
        for (int start = 0; start < data.size(); start += EVAL_BATCH) {
            try (var scope = TensorScope.open(); var off = GradMode.noGrad()) {
                Tensor x = batch(data, start, Math.min(EVAL_BATCH, data.size() - start)).inputs();
                float[] a = reference.apply(x).toFloatArray();
                float[] b = other.apply(x).toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs((double) a[i] - b[i]));
                    maxRef = Math.max(maxRef, Math.abs(a[i]));
                }
            }
        }
        return new Difference(maxAbs, maxRef);
    }

    /** Median and 99th percentile of one call's wall time, in milliseconds. */
    record Latency(double p50, double p99) {
    }

    /** Untimed calls last at least this long, so that the JIT has compiled the kernels (the Vector API's above all). */
    static final long WARMUP_NANOS = 2_000_000_000L;

    /**
     * Times {@code runs} calls on {@code input} after at least {@code warmup} untimed ones and at least
     * {@link #WARMUP_NANOS}: measured cold, the eager model's batch-256 call took 187 ms against 27 ms warm.
     */
    static Latency latency(UnaryOperator<Tensor> model, Tensor input, int warmup, int runs) {
        try (var off = GradMode.noGrad()) {
            long start = System.nanoTime();
            for (int i = 0; i < warmup || System.nanoTime() - start < WARMUP_NANOS; i++) {
                try (var scope = TensorScope.open()) {
                    model.apply(input);
                }
            }
            double[] ms = new double[runs];
            for (int i = 0; i < runs; i++) {
                try (var scope = TensorScope.open()) {
                    long t0 = System.nanoTime();
                    model.apply(input);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(ms);
            return new Latency(percentile(ms, 0.50), percentile(ms, 0.99));
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public static Batch batch(Dataset data, int start, int count) {
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = start + i;
        }
        return data.batch(indices);
    }
}
