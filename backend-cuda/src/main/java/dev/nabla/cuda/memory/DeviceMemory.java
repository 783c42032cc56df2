package dev.nabla.cuda.memory;

/**
 * The raw memory of one device, as the {@link CachingAllocator} uses it: {@code cuMemAlloc}/{@code cuMemFree}/
 * {@code cuMemGetInfo} on a GPU, a counting fake in the tests. Calls come from the device's own thread.
 */
public interface DeviceMemory {
    /** A new block of exactly {@code bytes} bytes, or null when the device has not that much free. */
    Long allocate(long bytes);

    /** Frees a block returned by {@link #allocate}. */
    void free(long address);

    /** The device's free bytes, as the driver reports them now. */
    long freeBytes();

    /** The device's total bytes. */
    long totalBytes();
}
