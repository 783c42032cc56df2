package dev.nabla.serving.capture;

/**
 * Where the server hands every served request, and where feedback finds it again. The server calls
 * {@link #offer} on its request path after answering, so an implementation must not block there: it samples,
 * queues, and writes on its own thread, dropping (and counting) what it cannot keep up with.
 */
public interface PayloadSink extends AutoCloseable {
    /** A sink that keeps nothing: capture switched off. */
    PayloadSink NONE = new PayloadSink() {
        @Override
        public void offer(InferenceRecord record) {
        }

        @Override
        public FeedbackResult attachLabels(String model, String requestId, long[] labels) {
            return FeedbackResult.NOT_CAPTURED;
        }

        @Override
        public void close() {
        }
    };

    /** Takes a served request; it may be kept or not (sampling), never blocking the caller for long. */
    void offer(InferenceRecord record);

    /**
     * Attaches ground-truth labels, one per sample, to the captured request {@code requestId} of {@code model}.
     * Durable when it returns {@link FeedbackResult#ATTACHED}.
     */
    FeedbackResult attachLabels(String model, String requestId, long[] labels);

    /** Writes what is queued and releases the store. */
    @Override
    void close();

    /** What became of feedback. */
    enum FeedbackResult {
        ATTACHED,
        /** The request was not captured (sampled out, never served, or another model's). */
        NOT_CAPTURED,
        /** The number of labels differs from the request's number of samples. */
        WRONG_COUNT
    }
}
