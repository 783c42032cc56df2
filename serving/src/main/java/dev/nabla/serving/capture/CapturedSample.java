package dev.nabla.serving.capture;

/**
 * One captured sample as drift detection reads it: the input and output of one sample of a served request.
 *
 * @param inputShape     the sample's input shape, without the batch dimension (e.g. [1, 28, 28])
 * @param predictedClass the index of the largest output, or -1 where the output is not a vector of class scores
 */
public record CapturedSample(String requestId, int sampleIndex, String version, long capturedAtMillis,
                             int[] inputShape, float[] input, int[] outputShape, float[] output, int predictedClass) {
}
