package dev.nabla.serving.capture;

/** Small inference records for the capture tests: inputs [n, 4], outputs [n, 3] of values made from the id. */
final class Records {
    private Records() {
    }

    static InferenceRecord of(String model, String requestId, int samples, long timestampMillis) {
        float[] input = new float[samples * 4];
        float[] output = new float[samples * 3];
        int h = requestId.hashCode();
        for (int i = 0; i < input.length; i++) {
            input[i] = (h % 1000) + i * 0.25f;
        }
        for (int s = 0; s < samples; s++) {
            // sample s predicts class s % 3
            output[s * 3 + (s % 3)] = 1f;
        }
        return new InferenceRecord(requestId, model, "1", timestampMillis, new int[]{samples, 4}, input,
                new int[]{samples, 3}, output);
    }

    static InferenceRecord of(String model, String requestId, int samples) {
        return of(model, requestId, samples, System.currentTimeMillis());
    }
}
