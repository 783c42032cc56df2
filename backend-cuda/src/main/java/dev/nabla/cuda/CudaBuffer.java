package dev.nabla.cuda;

import dev.nabla.DType;
import dev.nabla.cuda.memory.CachingAllocator;
import dev.nabla.spi.Buffer;
import dev.nabla.cuda.runtime.DeviceAddress;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A CUDA device buffer: {@code capacity} elements of {@code dtype} in a block of the device's
 * {@link CachingAllocator}, at {@link #pointer()}. Nothing is allocated for an empty buffer. Released once
 * ({@link CudaBackend#release}); a use after release fails at the call.
 */
public final class CudaBuffer implements Buffer {
    private final CudaDevice device;
    private final DType dtype;
    private final int capacity;
    // Set by the allocation task on the device thread and read only there (by later tasks): allocation is queued
    // like everything else, so allocate() returns without a round trip to the device thread.
    private CachingAllocator.Block block;
    private DeviceAddress pointer;
    private final AtomicBoolean released = new AtomicBoolean();

    CudaBuffer(CudaDevice device, DType dtype, int capacity) {
        this.device = device;
        this.dtype = dtype;
        this.capacity = capacity;
    }

    /** Device thread: the buffer's memory, once its allocation task has run. */
    void bind(CachingAllocator.Block block) {
        this.block = block;
        this.pointer = new DeviceAddress(block.address(), 0);
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** The device that owns the memory. */
    CudaDevice device() {
        return device;
    }

    /** The allocator block (device thread; null for an empty buffer or before/without a successful allocation). */
    CachingAllocator.Block block() {
        return block;
    }

    /**
     * The device address of element 0: a kernel's {@code T *} argument. Device thread only (pass
     * {@code buffer::pointer} to {@code KernelArgs#pointer(Supplier)} when building arguments elsewhere).
     *
     * @throws IllegalStateException when the buffer has no memory: it is empty, or its allocation failed (that error
     *                               is reported to the allocating thread)
     */
    public DeviceAddress pointer() {
        if (pointer == null) {
            throw new IllegalStateException(this + " has no device memory (empty, or its allocation failed)");
        }
        return pointer;
    }

    /** The device address of element {@code element} (e.g. a layout's offset), for cuBLAS and cuDNN. */
    public DeviceAddress pointer(long element) {
        return pointer().plus(element * dtype.byteSize());
    }

    /** Marks the buffer released; false if it was already. */
    boolean markReleased() {
        return released.compareAndSet(false, true);
    }

    boolean isReleased() {
        return released.get();
    }

    @Override
    public String toString() {
        return "CudaBuffer[" + device.name() + ", " + dtype + " x " + capacity + (isReleased() ? ", released" : "") + "]";
    }
}
