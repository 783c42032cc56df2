package dev.nabla.serving.batching;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * The batch sizes executions run at. A predictor compiles a plan per batch size it meets (costing about two runs)
 * and keeps the plans of its 8 most recently used sizes, so a batcher that ran every size from 1 to 64 would compile
 * plans over and over. Instead a batch runs at the next of at most 8 sizes, padded with zero samples whose outputs
 * are dropped: the powers of two below the maximum, and the maximum. Beyond 128 the smallest powers give way, keeping
 * 1 (a lone request pays no padding).
 */
public final class PlanSizes {
    /** The batch sizes a predictor keeps plans for ({@code Predictor.BATCH_SIZES}). */
    static final int MAX_SIZES = 8;

    private final int[] sizes;

    private PlanSizes(int[] sizes) {
        this.sizes = sizes;
    }

    public static PlanSizes upTo(int maxBatchSize) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max batch size must be at least 1, found " + maxBatchSize);
        }
        TreeSet<Integer> chosen = new TreeSet<>();
        chosen.add(maxBatchSize);
        chosen.add(1);
        for (int s = Integer.highestOneBit(maxBatchSize); s > 1 && chosen.size() < MAX_SIZES; s >>= 1) {
            chosen.add(s);
        }
        return new PlanSizes(chosen.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The sizes, ascending; the last is the maximum. */
    public int[] sizes() {
        return sizes.clone();
    }

    public int max() {
        return sizes[sizes.length - 1];
    }

    /** The size a batch of {@code samples} (1 to {@link #max()}) runs at: the smallest size that holds it. */
    public int planFor(int samples) {
        if (samples < 1 || samples > max()) {
            throw new IllegalArgumentException("a batch holds 1 to " + max() + " samples, found " + samples);
        }
        for (int s : sizes) {
            if (s >= samples) {
                return s;
            }
        }
        throw new AssertionError();
    }

    @Override
    public String toString() {
        return Arrays.toString(sizes);
    }
}
