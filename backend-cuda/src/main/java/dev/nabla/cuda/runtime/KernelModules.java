package dev.nabla.cuda.runtime;

import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.util.List;
import java.util.function.Function;

import static dev.nabla.cuda.runtime.CudaErrors.checkDriver;

/**
 * The PTX modules of one device, loaded with {@code cuModuleLoadDataEx} (the driver JIT-compiles them for the device
 * and caches the result), kernels found with {@code cuModuleGetFunction}, and launched with {@code cuLaunchKernel}
 * on the device's stream. Device thread only: {@code CudaDevice#launch} queues launches there.
 */
public final class KernelModules implements AutoCloseable {
    private final KernelTable<CUmodule, CUfunction> table;
    private final CudaStream stream;

    public KernelModules(CudaStream stream, List<String> modules, Function<String, byte[]> ptx) {
        this.stream = stream;
        this.table = new KernelTable<>(new KernelTable.Binding<>() {
            @Override
            public CUmodule load(String module, byte[] text) {
                CUmodule m = new CUmodule();
                checkDriver(JCudaDriver.cuModuleLoadDataEx(m, Pointer.to(text), 0, new int[0], Pointer.to(new int[0])),
                        "cuModuleLoadDataEx(" + module + ")");
                return m;
            }

            @Override
            public CUfunction function(CUmodule module, String name) {
                CUfunction f = new CUfunction();
                int r = JCudaDriver.cuModuleGetFunction(f, module, name);
                if (r == CUresult.CUDA_ERROR_NOT_FOUND) {
                    return null;
                }
                checkDriver(r, "cuModuleGetFunction(" + name + ")");
                return f;
            }

            @Override
            public void unload(CUmodule module) {
                checkDriver(JCudaDriver.cuModuleUnload(module), "cuModuleUnload");
            }
        }, modules, ptx);
    }

    public void loadAll() {
        table.loadAll();
    }

    /**
     * Launches kernel {@code name} with {@code config} and {@code kernelParams} (see
     * {@link JCudaDeviceDriver#kernelParams}) on the stream (returns at once).
     */
    public void launch(String name, LaunchConfig config, Pointer kernelParams) {
        CUfunction f = table.function(name);
        checkDriver(JCudaDriver.cuLaunchKernel(f, config.grid(), 1, 1, config.block(), 1, 1, config.sharedBytes(),
                stream.handle(), kernelParams, null), "cuLaunchKernel(" + name + ")");
    }

    @Override
    public void close() {
        table.close();
    }
}
