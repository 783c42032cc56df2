package dev.nabla.serving.capture;

import java.util.Map;

/**
 * Counts since the store was opened.
 *
 * @param offered          requests handed to {@link CaptureStore#offer}
 * @param sampledOut       of those, requests the sampler left out
 * @param capturedRequests requests committed to the database
 * @param capturedSamples  their samples (rows)
 * @param dropped          requests kept by the sampler but not captured, by reason
 * @param queuedRecords    requests waiting for the writer now
 * @param feedback         feedback calls by result
 * @param labelsAttached   labels committed by feedback
 */
public record CaptureStats(long offered, long sampledOut, long capturedRequests, long capturedSamples,
                           Map<DropReason, Long> dropped, int queuedRecords,
                           Map<PayloadSink.FeedbackResult, Long> feedback, long labelsAttached) {
    public CaptureStats {
        dropped = Map.copyOf(dropped);
        feedback = Map.copyOf(feedback);
    }

    /** Dropped requests, all reasons together. */
    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    public long dropped(DropReason reason) {
        return dropped.getOrDefault(reason, 0L);
    }
}
