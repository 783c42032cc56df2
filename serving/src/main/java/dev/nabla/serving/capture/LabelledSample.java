package dev.nabla.serving.capture;

/**
 * One captured sample with the ground-truth label that feedback attached to it, as retraining reads it.
 *
 * @param inputShape the sample's input shape, without the batch dimension (e.g. [1, 28, 28])
 */
public record LabelledSample(String requestId, int sampleIndex, String version, long capturedAtMillis,
                             long labelledAtMillis, int[] inputShape, float[] input, long label) {
}
