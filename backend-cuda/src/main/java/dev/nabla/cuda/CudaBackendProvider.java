package dev.nabla.cuda;

import dev.nabla.Device;
import dev.nabla.DeviceException;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BackendProvider;
import dev.nabla.spi.Probe;

/**
 * Service entry of the CUDA backend (device type {@code "cuda"}, priority 10).
 *
 * <p>{@link #probe()} looks for the NVIDIA driver, a CUDA device, cuBLAS 12 and (optionally) cuDNN 9 once per JVM,
 * lazily, and never throws: see {@link CudaProbe}. This build has no CUDA compute yet (issue #11, part 2), so the
 * probe is unavailable on every machine; on a machine with a working driver and GPU its reason says what was found
 * and that the compute is missing.
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Probe probe() {
        return CudaProbe.get();
    }

    @Override
    public Backend create(Device device) {
        Probe probe = probe();
        if (!probe.available()) {
            throw new DeviceException("cannot create a CUDA backend for " + device + ": " + probe.reason());
        }
        return CudaBackend.open(device, device.index());
    }
}
