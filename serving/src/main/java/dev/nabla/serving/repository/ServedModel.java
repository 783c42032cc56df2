package dev.nabla.serving.repository;

import dev.nabla.inference.runtime.Predictor;
import dev.nabla.serving.batching.DynamicBatcher;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a model: its predictor behind a batcher, and a count of who uses it. The repository holds
 * one reference while the version serves; each request holds one from {@link ModelRepository#lease} until it has
 * answered. When the count reaches zero the batcher stops and the predictor's memory is freed, so a request always
 * finishes on the version it started on, and a replaced version lives exactly as long as its last request.
 */
public final class ServedModel {
    private final String name;
    private final long version;
    private final Path file;
    private final ModelFiles.Fingerprint fingerprint;
    private final ModelSignature signature;
    private final Map<String, String> metadata;
    private final Predictor predictor;
    private final DynamicBatcher batcher;
    private final Runnable onUnload;
    private final AtomicInteger references = new AtomicInteger(1);

    ServedModel(String name, long version, Path file, ModelFiles.Fingerprint fingerprint, ModelSignature signature,
                Map<String, String> metadata, Predictor predictor, DynamicBatcher batcher, Runnable onUnload) {
        this.name = name;
        this.version = version;
        this.file = file;
        this.fingerprint = fingerprint;
        this.signature = signature;
        this.metadata = Map.copyOf(metadata);
        this.predictor = predictor;
        this.batcher = batcher;
        this.onUnload = onUnload;
    }

    public String name() {
        return name;
    }

    public long version() {
        return version;
    }

    public Path file() {
        return file;
    }

    ModelFiles.Fingerprint fingerprint() {
        return fingerprint;
    }

    public ModelSignature signature() {
        return signature;
    }

    /** The caller's metadata from the model file. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Requests waiting for this version's batcher. */
    public int queued() {
        return batcher.queued();
    }

    /**
     * Queues {@code samples} samples of the input, row-major, for the batcher; the future gives their outputs.
     *
     * @throws dev.nabla.serving.batching.QueueFullException if the queue is full
     */
    public CompletableFuture<float[]> infer(float[] input, int samples) {
        return batcher.submit(input, samples);
    }

    /** Takes a reference unless the count has reached zero (the version is gone). */
    boolean tryAcquire() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives a reference back; the last one unloads the version. */
    void release() {
        int n = references.decrementAndGet();
        if (n == 0) {
            batcher.close();
            predictor.close();
            onUnload.run();
        } else if (n < 0) {
            throw new IllegalStateException(this + " was released more often than acquired");
        }
    }

    /** References held: the repository's while serving, plus one per request in flight. */
    int references() {
        return references.get();
    }

    @Override
    public String toString() {
        return name + " version " + version;
    }
}
