package dev.nabla.cpu;

import dev.nabla.Device;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BackendProvider;
import dev.nabla.spi.Probe;

/** Service entry of the CPU backend: always available, priority 0. */
public final class CpuBackendProvider implements BackendProvider {
    private volatile Probe probe;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Probe probe() {
        Probe p = probe;
        if (p == null) {
            String kernels;
            try {
                kernels = Kernels.floats().description();
            } catch (Throwable e) { // never throw from probe()
                kernels = "kernels unknown (" + e + ")";
            }
            p = Probe.available("pure Java, " + kernels);
            probe = p;
        }
        return p;
    }

    @Override
    public Backend create(Device device) {
        if (!"cpu".equals(device.type()) || device.index() != 0) {
            throw new IllegalArgumentException("the cpu backend serves device cpu, found " + device);
        }
        return new CpuBackend();
    }
}
