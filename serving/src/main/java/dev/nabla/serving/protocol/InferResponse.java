package dev.nabla.serving.protocol;

import java.util.Arrays;

/**
 * A served inference's answer ({@code $inference_response}): the model and version that computed it, the request's
 * id, and the one output, FP32, row-major.
 *
 * @param binary whether {@link InferResponseEncoder} sends the output as binary data after the JSON header
 */
public record InferResponse(String modelName, String modelVersion, String id, String outputName, int[] outputShape,
                            float[] output, boolean binary) {
    public InferResponse {
        outputShape = outputShape.clone();
    }

    @Override
    public int[] outputShape() {
        return outputShape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InferResponse r && r.modelName.equals(modelName) && r.modelVersion.equals(modelVersion)
                && r.id.equals(id) && r.outputName.equals(outputName) && Arrays.equals(r.outputShape, outputShape)
                && Arrays.equals(r.output, output) && r.binary == binary;
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Arrays.hashCode(output);
    }

    @Override
    public String toString() {
        return "InferResponse[" + modelName + " v" + modelVersion + ", id=" + id + ", " + outputName
                + Arrays.toString(outputShape) + "]";
    }
}
