package dev.nabla.cuda;

import dev.nabla.Device;
import dev.nabla.cuda.emu.EmuDevice;
import dev.nabla.cuda.emu.EmuDriver;
import dev.nabla.cuda.runtime.DeviceExecutor;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BackendProvider;
import dev.nabla.spi.Probe;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Service entry of the CUDA backend on the kernels' CPU emulation (device type {@code "cudaemu"}), registered from
 * this module's test resources only: the whole {@link CudaBackend} (executor, allocator, staging, error record,
 * launches) over {@link EmuDriver}, without cuBLAS and cuDNN. Unavailable, with the reason, where the emulator cannot
 * be built (no g++, no libffi). Launches run their threads in index order; {@code -Dnabla.cudaemu.order=1} (reversed)
 * or {@code 2} (shuffled) changes that.
 */
public final class CudaEmuBackendProvider implements BackendProvider {
    private static volatile Probe probe;

    @Override
    public String name() {
        return "cudaemu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (CudaEmuBackendProvider.class) {
                if (probe == null) {
                    probe = check();
                }
                p = probe;
            }
        }
        return p;
    }

    private static Probe check() {
        try {
            EmuDevice.build();
            return Probe.available("test backend: the CUDA backend over the CPU emulation of its kernels, "
                    + "no cuBLAS, no cuDNN");
        } catch (IllegalStateException | IOException e) {
            return Probe.unavailable("the CUDA kernel emulator cannot be built: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Probe.unavailable("interrupted while building the CUDA kernel emulator");
        }
    }

    @Override
    public Backend create(Device device) {
        String name = device.toString();
        DeviceExecutor executor = new DeviceExecutor(name, new DeviceExecutor.Context() {
            @Override
            public void enter() {
            }

            @Override
            public void exit() {
            }
        });
        int order = Integer.getInteger("nabla.cudaemu.order", 0);
        CudaDevice cuda = CudaDevice.over(name, executor, () -> {
            try {
                return new EmuDriver(EmuDevice.start(), order);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the CUDA kernel emulator", e);
            }
        }, "the emulated device has no cuDNN");
        return new CudaBackend(device, cuda);
    }
}
