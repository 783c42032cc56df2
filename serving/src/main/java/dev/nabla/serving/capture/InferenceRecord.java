package dev.nabla.serving.capture;

/**
 * One served request: what came in and what went out, row-major. A request of {@code n} samples is one record whose
 * shapes start with {@code n}; feedback labels it sample by sample.
 *
 * @param requestId the request's id (the client's {@code id} where it sent one, else one the server made)
 * @param timestampMillis when the response was made, milliseconds since the epoch
 */
public record InferenceRecord(String requestId, String model, String version, long timestampMillis,
                              int[] inputShape, float[] input, int[] outputShape, float[] output) {
    public InferenceRecord {
        if (requestId == null || requestId.isEmpty() || model == null || version == null) {
            throw new IllegalArgumentException("a captured inference needs a request id, a model and a version");
        }
        if (inputShape.length == 0 || outputShape.length == 0 || inputShape[0] != outputShape[0]) {
            throw new IllegalArgumentException("input and output must both start with the number of samples");
        }
    }

    /** The number of samples in the request. */
    public int samples() {
        return inputShape[0];
    }
}
