package dev.nabla.serving.capture;

/** What a store holds for one model: captured requests, their samples, and the samples that have a label. */
public record CaptureCounts(long requests, long samples, long labelledSamples) {
}
