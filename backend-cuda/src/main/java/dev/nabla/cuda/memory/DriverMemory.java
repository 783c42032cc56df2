package dev.nabla.cuda.memory;

import dev.nabla.cuda.runtime.CudaErrors;
import dev.nabla.cuda.runtime.DevicePointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link DeviceMemory} over the driver: {@code cuMemAlloc}, {@code cuMemFree}, {@code cuMemGetInfo}. Called on the
 * device thread (the {@link CachingAllocator} is driven from there). {@code CUDA_ERROR_OUT_OF_MEMORY} answers null,
 * so the caching allocator empties its cache and retries; any other failure throws. It remembers each allocation's
 * {@link CUdeviceptr} by address ({@link #pointer}), because JCuda offers no way to make one from a number.
 */
public final class DriverMemory implements DeviceMemory {
    private final ConcurrentHashMap<Long, DevicePointer> pointers = new ConcurrentHashMap<>();
    private final Runnable quiesce;

    /**
     * @param quiesce run before each {@code cuMemFree}: synchronizes the device's stream, because a block in the
     *                allocator's cache may still be in use by queued GPU work (it was returned in stream order, not
     *                after that work finished), and {@code cuMemFree} is not documented to wait for it
     */
    public DriverMemory(Runnable quiesce) {
        this.quiesce = quiesce;
    }

    @Override
    public Long allocate(long bytes) {
        DevicePointer p = new DevicePointer();
        int r = JCudaDriver.cuMemAlloc(p, bytes);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return null;
        }
        CudaErrors.checkDriver(r, "cuMemAlloc(" + bytes + ")");
        long address = p.address();
        pointers.put(address, p);
        return address;
    }

    @Override
    public void free(long address) {
        DevicePointer p = pointers.remove(address);
        if (p == null) {
            throw new IllegalStateException("cuMemFree: 0x" + Long.toHexString(address) + " was not allocated here");
        }
        quiesce.run();
        CudaErrors.checkDriver(JCudaDriver.cuMemFree(p), "cuMemFree");
    }

    /** The pointer of the allocation at {@code address} (from {@link #allocate}). */
    public CUdeviceptr pointer(long address) {
        DevicePointer p = pointers.get(address);
        if (p == null) {
            throw new IllegalStateException("no device allocation at 0x" + Long.toHexString(address));
        }
        return p;
    }

    @Override
    public long freeBytes() {
        return info()[0];
    }

    @Override
    public long totalBytes() {
        return info()[1];
    }

    private static long[] info() {
        long[] free = new long[1];
        long[] total = new long[1];
        CudaErrors.checkDriver(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[]{free[0], total[0]};
    }
}
