package dev.nabla.spi;

import dev.nabla.Device;

/**
 * Entry point of a backend module, found through {@link java.util.ServiceLoader}. A provider must be
 * cheap to construct and must never throw from {@link #probe()}: a missing native library or device is
 * reported as an unavailable probe with its reason.
 */
public interface BackendProvider {
    /** Device type this provider serves, e.g. {@code "cpu"} or {@code "cuda"}. */
    String name();

    /** Higher wins when two providers serve the same device type. */
    int priority();

    /** Checks once whether the backend can run here. Implementations cache the answer. */
    Probe probe();

    /** Creates the backend for {@code device}; only called after an available probe. */
    Backend create(Device device);
}
