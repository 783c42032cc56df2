package dev.nabla.serving.protocol;

import java.util.Arrays;

/**
 * A decoded and checked inference request for one model: the input converted to FP32, row-major, whose shape
 * matches the model's input except for the number of samples.
 *
 * @param id            the client's {@code id}, or null when it sent none
 * @param inputShape    the input's shape as sent, {@code [samples, ...]}
 * @param input         the input's values converted to FP32
 * @param outputBinary  whether the output goes back as binary data (the binary tensor extension)
 */
public record InferRequest(String id, int[] inputShape, float[] input, boolean outputBinary) {
    public InferRequest {
        inputShape = inputShape.clone();
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The number of samples: the input's first dimension. */
    public int samples() {
        return inputShape[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InferRequest r && java.util.Objects.equals(r.id, id)
                && Arrays.equals(r.inputShape, inputShape) && Arrays.equals(r.input, input)
                && r.outputBinary == outputBinary;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputShape) * 31 + Arrays.hashCode(input);
    }

    @Override
    public String toString() {
        return "InferRequest[id=" + id + ", shape=" + Arrays.toString(inputShape) + ", binary=" + outputBinary + "]";
    }
}
