package dev.nabla.serving.capture;

import java.util.concurrent.CompletableFuture;

/** A request between {@code offer} and its commit, and what became of it (feedback for it waits on that). */
final class QueuedRecord {
    /** Where a request is found by feedback: its model and id. */
    record Key(String model, String requestId) {
    }

    /** What became of a record: the writer's three results, or dropped before it reached the writer. */
    enum Outcome {
        WRITTEN,
        DUPLICATE,
        FAILED,
        DROPPED
    }

    final InferenceRecord record;
    final Key key;
    /** The tensors' bytes, counted against the queue's byte limit. */
    final long bytes;
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

    QueuedRecord(InferenceRecord record, long bytes) {
        this.record = record;
        this.key = new Key(record.model(), record.requestId());
        this.bytes = bytes;
    }
}
