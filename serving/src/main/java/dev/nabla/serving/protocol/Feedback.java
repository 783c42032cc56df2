package dev.nabla.serving.protocol;

import java.util.Arrays;

/** Ground truth for one served request: its id and one label (a class index) per sample. */
public record Feedback(String requestId, long[] labels) {
    public Feedback {
        labels = labels.clone();
    }

    @Override
    public long[] labels() {
        return labels.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Feedback f && f.requestId.equals(requestId) && Arrays.equals(f.labels, labels);
    }

    @Override
    public int hashCode() {
        return requestId.hashCode() * 31 + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "Feedback[" + requestId + ", " + Arrays.toString(labels) + "]";
    }
}
