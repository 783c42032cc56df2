package dev.nabla.cuda;

import dev.nabla.cuda.memory.CachingAllocator;
import dev.nabla.cuda.runtime.CudaCallException;
import dev.nabla.cuda.runtime.DeviceAddress;
import dev.nabla.cuda.runtime.DeviceDriver;
import dev.nabla.cuda.runtime.DeviceErrors;
import dev.nabla.cuda.runtime.DeviceExecutor;
import dev.nabla.cuda.runtime.JCudaDeviceDriver;
import dev.nabla.cuda.runtime.KernelArgs;
import dev.nabla.cuda.runtime.LaunchConfig;
import dev.nabla.cuda.runtime.PrimaryContext;
import dev.nabla.cuda.runtime.StagedTransfers;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything of one CUDA device: its {@link DeviceExecutor} (the platform thread holding the primary context), and,
 * owned by that thread, the {@link DeviceDriver} (stream, memory, staging, PTX modules, error record), the caching
 * allocator over the driver's memory and, on a GPU, the cuBLAS handle and (if cuDNN loads) the cuDNN handle, all
 * bound to the one stream.
 *
 * <p>The accessors marked "device thread" may only be used inside tasks run by {@link #executor()}; {@link #launch}
 * and {@link #executor()} may be used from any thread.
 */
final class CudaDevice implements AutoCloseable {
    /** cuBLAS and cuDNN beside a JCuda driver ({@code cudnn} null when it did not load). */
    private record Libraries(JCudaDeviceDriver driver, Cublas cublas, Cudnn cudnn, String cudnnProblem) {
    }

    private record State(DeviceDriver driver, CachingAllocator allocator, StagedTransfers<DeviceAddress> transfers,
                         Libraries libraries) {
    }

    private final String name;
    private final DeviceExecutor executor;
    private final State state;
    private final String librariesProblem;
    private final DeviceErrors errors = new DeviceErrors();

    private CudaDevice(String name, DeviceExecutor executor, State state, String librariesProblem) {
        this.name = name;
        this.executor = executor;
        this.state = state;
        this.librariesProblem = librariesProblem;
    }

    /**
     * Opens device {@code ordinal}: starts its thread, retains its primary context and creates the stream, memory,
     * staging, module table and library handles there. PTX modules load on first use.
     */
    static CudaDevice open(int ordinal, List<String> modules, Function<String, byte[]> ptx) {
        String name = "cuda:" + ordinal;
        PrimaryContext context = new PrimaryContext(ordinal);
        DeviceExecutor executor = new DeviceExecutor(name, context);
        try {
            State state = executor.call(() -> init(name, context, modules, ptx));
            return new CudaDevice(name, executor, state, null);
        } catch (RuntimeException | Error e) {
            executor.close();
            throw e;
        }
    }

    /**
     * A device over {@code driver} without cuBLAS and cuDNN (the tests' emulated device): {@code executor} is its
     * thread, {@code driver} makes its device calls there (it opens it there); {@code noLibraries} says why
     * there are no libraries.
     */
    static CudaDevice over(String name, DeviceExecutor executor, Supplier<DeviceDriver> driver, String noLibraries) {
        try {
            State state = executor.call(() -> {
                DeviceDriver d = driver.get();
                return new State(d, new CachingAllocator(name, d.memory()), new StagedTransfers<>(d.staging()), null);
            });
            return new CudaDevice(name, executor, state, noLibraries);
        } catch (RuntimeException | Error e) {
            executor.close();
            throw e;
        }
    }

    private static State init(String name, PrimaryContext context, List<String> moduleNames,
                              Function<String, byte[]> ptx) {
        // Statuses are checked by CudaErrors at every call: JCuda's own exceptions would turn an out-of-memory
        // result into an exception and misname cuDNN 9 statuses.
        JCudaDriver.setExceptionsEnabled(false);
        JCublas2.setExceptionsEnabled(false);
        JCudaDeviceDriver driver = JCudaDeviceDriver.open(context, moduleNames, ptx, CudaSettings.STAGING_SLOTS,
                CudaSettings.STAGING_BYTES);
        Cublas cublas = null;
        try {
            cublas = new Cublas(driver.stream(), CudaSettings.TF32);
            Cudnn cudnn = null;
            String cudnnProblem = null;
            try {
                JCudnn.setExceptionsEnabled(false);
                cudnn = new Cudnn(driver.stream(), CudaSettings.TF32, CudaSettings.CUDNN_WORKSPACE_LIMIT);
            } catch (LinkageError | CudaCallException e) { // cuDNN is optional
                cudnnProblem = String.valueOf(e.getMessage());
            }
            return new State(driver, new CachingAllocator(name, driver.memory()),
                    new StagedTransfers<>(driver.staging()), new Libraries(driver, cublas, cudnn, cudnnProblem));
        } catch (RuntimeException | Error e) {
            if (cublas != null) {
                try {
                    cublas.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            try {
                driver.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** {@code cuda:N}. */
    String name() {
        return name;
    }

    /** Any thread. */
    DeviceExecutor executor() {
        return executor;
    }

    /** The device driver (device thread). */
    DeviceDriver driver() {
        return state.driver();
    }

    /** The allocator (device thread; its statistics from any thread). */
    CachingAllocator allocator() {
        return state.allocator();
    }

    /** Device thread. */
    StagedTransfers<DeviceAddress> transfers() {
        return state.transfers();
    }

    /** Whether cuBLAS is there (any thread): on a GPU, not on the emulated device. */
    boolean hasCublas() {
        return state.libraries() != null;
    }

    /** Device thread; only when {@link #hasCublas()}. */
    Cublas cublas() {
        return state.libraries().cublas();
    }

    /** Device thread; null when cuDNN did not load. */
    Cudnn cudnn() {
        return state.libraries() == null ? null : state.libraries().cudnn();
    }

    /** Whether cuDNN loaded (any thread). */
    boolean hasCudnn() {
        return cudnn() != null;
    }

    /** Why cuDNN is missing, or null. */
    String cudnnProblem() {
        return state.libraries() == null ? librariesProblem : state.libraries().cudnnProblem();
    }

    /** The {@code CUdeviceptr} of {@code address}, for cuBLAS and cuDNN (device thread; only with them). */
    CUdeviceptr cuPointer(DeviceAddress address) {
        return state.libraries().driver().pointer(address);
    }

    /** A grid-stride launch shape for {@code n} elements on this device (any thread). */
    LaunchConfig grid(long n) {
        return LaunchConfig.forElements(n, LaunchConfig.DEFAULT_BLOCK, state.driver().multiprocessors(),
                state.driver().maxThreadsPerMultiprocessor());
    }

    /**
     * Queues a launch of kernel {@code kernel} (its {@code extern "C"} name in one of the PTX modules) on the stream;
     * any thread, ordered after the calling thread's earlier work. Errors surface at the caller's next synchronizing
     * call.
     */
    void launch(String kernel, LaunchConfig config, KernelArgs args) {
        executor.submit(() -> state.driver().launch(kernel, config, args));
    }

    /**
     * Queues a checked launch (a kernel that reports errors through the {@link DeviceErrors} record): {@code args}
     * must pass {@link #errorRecord()} (as {@code args.pointer(device::errorRecord)}) and {@code ticket} (from
     * {@code errors().newTicket()}) where the kernel expects them. A failure is reported at the calling thread's
     * next synchronizing call, as {@code describe} builds it.
     */
    void launchChecked(String kernel, LaunchConfig config, KernelArgs args, long ticket,
                       DeviceErrors.Describe describe) {
        Thread owner = Thread.currentThread();
        executor.submit(() -> {
            errors.issued(ticket, owner, describe);
            state.driver().launch(kernel, config, args);
        });
    }

    /** Tickets for checked launches (any thread). */
    DeviceErrors errors() {
        return errors;
    }

    /** The device address of the error record, a checked kernel's {@code long long *status} (device thread). */
    DeviceAddress errorRecord() {
        return state.driver().errorRecordAddress();
    }

    /**
     * Device thread, with the stream idle (after a stream synchronization or a completed download): reads the error
     * record if checked launches ran since the last check, and reports a failure to the thread that queued it.
     */
    void checkDeviceErrors() {
        DeviceErrors.Failure f = errors.check(state.driver().errorRecord());
        if (f != null) {
            executor.report(f.owner(), f.error());
        }
    }

    /** A new timer on this device's stream (device thread; close it there). */
    DeviceDriver.Timer timer() {
        return state.driver().timer();
    }

    /** Waits for the stream (device thread). */
    void synchronizeStream() {
        state.driver().synchronize();
    }

    @Override
    public void close() {
        try {
            executor.call(() -> {
                state.driver().synchronize();
                Libraries libraries = state.libraries();
                if (libraries != null) {
                    if (libraries.cudnn() != null) {
                        libraries.cudnn().close();
                    }
                    libraries.cublas().close();
                }
                state.allocator().emptyCache();
                state.driver().close();
                return null;
            });
        } finally {
            executor.close();
        }
    }
}
