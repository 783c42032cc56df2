package dev.nabla;

import dev.nabla.spi.Backend;
import dev.nabla.spi.Buffer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend buffer shared by a tensor and its views, freed when the last of them lets go.
 * Each {@link Tensor} holds exactly one reference.
 */
final class Storage {
    final Backend backend;
    final Buffer buffer;
    private final AtomicInteger references = new AtomicInteger(1);
    /** Bumped by every in-place write, so autograd can refuse gradients computed from stale values. */
    private volatile int version;

    Storage(Backend backend, Buffer buffer) {
        this.backend = backend;
        this.buffer = buffer;
    }

    int version() {
        return version;
    }

    void bumpVersion() {
        version++;
    }

    /** Whether more than one tensor (a view, say) holds this storage. */
    boolean isShared() {
        return references.get() > 1;
    }

    Storage retain() {
        if (references.getAndIncrement() <= 0) {
            throw new IllegalStateException("storage was already freed");
        }
        return this;
    }

    void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            backend.release(buffer);
        } else if (left < 0) {
            throw new IllegalStateException("storage released more often than retained");
        }
    }
}
