package dev.nabla.cuda.runtime;

import dev.nabla.cuda.memory.DeviceMemory;

/**
 * What the CUDA backend needs from its device, on the device thread (the backend's {@code DeviceExecutor} runs every
 * call): memory, stream-ordered copies, memsets and kernel launches on the device's one stream, the
 * {@link DeviceErrors} record, and the device's shape. {@link JCudaDeviceDriver} is the GPU through JCuda; the tests
 * run the backend on the CPU emulation of the kernels through another implementation. cuBLAS and cuDNN are not part
 * of it: the backend holds them beside a JCuda driver, and does without them otherwise.
 *
 * <p>Every method may only be called on the device thread. "Queues" means the call is ordered on the stream after
 * every earlier one and may return before it runs; an implementation may also run it at once.
 */
public interface DeviceDriver extends AutoCloseable {
    /** A GPU timer on the stream (benchmarks). */
    interface Timer extends AutoCloseable {
        /** Marks the start on the stream. */
        void start();

        /** Marks the end on the stream. */
        void stop();

        /** Milliseconds between the marks; waits for the end mark. */
        float elapsedMillis();

        @Override
        void close();
    }

    /** The raw device memory: its block addresses are {@link DeviceAddress#block()}es. */
    DeviceMemory memory();

    /** The pinned staging and stream copies of host ↔ device transfers ({@link StagedTransfers}). */
    StagedTransfers.Engine<DeviceAddress> staging();

    /** Queues a copy of {@code bytes} from {@code src} to {@code dst}; the ranges must not overlap. */
    void copy(DeviceAddress dst, DeviceAddress src, long bytes);

    /** Queues setting {@code count} bytes at {@code at} to {@code value}. */
    void memset8(DeviceAddress at, byte value, long count);

    /** Queues setting {@code count} 16-bit words at {@code at} to {@code value}. */
    void memset16(DeviceAddress at, short value, long count);

    /** Queues setting {@code count} 32-bit words at {@code at} to {@code value}. */
    void memset32(DeviceAddress at, int value, long count);

    /**
     * Queues a launch of kernel {@code kernel} (its {@code extern "C"} name); pointer arguments are
     * {@link DeviceAddress}es or suppliers of them, resolved now.
     *
     * @throws IllegalArgumentException when no kernel has that name
     */
    void launch(String kernel, LaunchConfig config, KernelArgs args);

    /** Waits until everything queued on the stream is done. */
    void synchronize();

    /** The {@link DeviceErrors} record (five zeroed {@code long long}s in device memory). */
    DeviceErrors.Record errorRecord();

    /** The device address of the error record: a checked kernel's {@code long long *status}. */
    DeviceAddress errorRecordAddress();

    /** The device's multiprocessor count (grid caps). */
    int multiprocessors();

    /** Resident threads per multiprocessor (grid caps). */
    int maxThreadsPerMultiprocessor();

    /** A new timer on the stream; close it on the device thread. */
    Timer timer();

    /** Frees what {@link #memory()} does not own (the error record, staging, modules, the stream). */
    @Override
    void close();
}
