package dev.nabla.strict;

import dev.nabla.Device;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BackendProvider;
import dev.nabla.spi.Probe;

/**
 * Service entry of the strict test backend (device {@code "strict"}), registered from backend-cpu's test resources
 * only: it is never on a user's class path.
 */
public final class StrictBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "strict";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Probe probe() {
        return Probe.available("test backend: off-heap memory, asynchronous single worker thread, CPU arithmetic");
    }

    @Override
    public Backend create(Device device) {
        if (!StrictBackend.DEVICE.equals(device)) {
            throw new IllegalArgumentException("the strict backend serves device strict, found " + device);
        }
        return new StrictBackend();
    }
}
