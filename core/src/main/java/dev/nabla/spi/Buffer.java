package dev.nabla.spi;

import dev.nabla.DType;

/**
 * A flat block of elements owned by a backend. Core never looks inside: it only hands buffers
 * back to the backend that made them, together with a {@link Layout}.
 */
public interface Buffer {
    DType dtype();

    /** Number of elements the buffer holds. */
    int capacity();
}
