package dev.nabla.serving.batching;

import java.time.Duration;

/**
 * How requests for one model are coalesced.
 *
 * @param maxBatchSize  the most samples one execution runs; 1 turns dynamic batching off. A request with more samples
 *                      runs alone, in executions of at most this many
 * @param maxQueueDelay how long a batch waits for more requests, timed from its first request's arrival; zero runs
 *                      whatever is queued as soon as the model is free (batches then form only under load)
 * @param queueCapacity requests that may wait; one more is refused (HTTP 503) instead of growing the queue
 */
public record BatchingOptions(int maxBatchSize, Duration maxQueueDelay, int queueCapacity) {
    /** Largest batch accepted: far beyond where batching stops paying, small enough to bound a batch's memory. */
    public static final int MAX_BATCH_SIZE = 4096;
    /** Longest delay accepted: a batching delay is a latency budget, and a minute is not one. */
    public static final Duration MAX_QUEUE_DELAY = Duration.ofSeconds(60);
    /** Largest queue accepted. */
    public static final int MAX_QUEUE_CAPACITY = 1_000_000;

    public static final BatchingOptions DEFAULT = new BatchingOptions(64, Duration.ZERO, 1024);

    public BatchingOptions {
        if (maxBatchSize < 1 || maxBatchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("max batch size must be 1 to " + MAX_BATCH_SIZE + ", found "
                    + maxBatchSize);
        }
        if (maxQueueDelay == null || maxQueueDelay.isNegative() || maxQueueDelay.compareTo(MAX_QUEUE_DELAY) > 0) {
            throw new IllegalArgumentException("max queue delay must be 0 to " + MAX_QUEUE_DELAY.toSeconds()
                    + " s, found " + maxQueueDelay);
        }
        if (queueCapacity < 1 || queueCapacity > MAX_QUEUE_CAPACITY) {
            throw new IllegalArgumentException("queue capacity must be 1 to " + MAX_QUEUE_CAPACITY + ", found "
                    + queueCapacity);
        }
    }
}
