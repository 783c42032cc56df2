package dev.nabla.cuda;

import dev.nabla.cuda.memory.CachingAllocator;
import dev.nabla.cuda.memory.DriverMemory;
import dev.nabla.cuda.runtime.CudaCallException;
import dev.nabla.cuda.runtime.CudaStream;
import dev.nabla.cuda.runtime.DeviceErrors;
import dev.nabla.cuda.runtime.DeviceExecutor;
import dev.nabla.cuda.runtime.DevicePointer;
import dev.nabla.cuda.runtime.GpuTimer;
import dev.nabla.cuda.runtime.KernelArgs;
import dev.nabla.cuda.runtime.KernelModules;
import dev.nabla.cuda.runtime.LaunchConfig;
import dev.nabla.cuda.runtime.PinnedStaging;
import dev.nabla.cuda.runtime.PrimaryContext;
import dev.nabla.cuda.runtime.StagedTransfers;
import jcuda.Pointer;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;

import static dev.nabla.cuda.runtime.CudaErrors.checkDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Everything of one CUDA device: its {@link DeviceExecutor} (the platform thread holding the primary context), and,
 * owned by that thread, the stream, the caching allocator over {@code cuMemAlloc}, the pinned staging ring, the PTX
 * modules, the cuBLAS handle and (if cuDNN loads) the cuDNN handle, all bound to the one stream.
 *
 * <p>The accessors marked "device thread" may only be used inside tasks run by {@link #executor()}; {@link #launch}
 * and {@link #executor()} may be used from any thread.
 */
final class CudaDevice implements AutoCloseable {
    private record State(CudaStream stream, DriverMemory memory, CachingAllocator allocator, PinnedStaging pinned,
                         StagedTransfers<CUdeviceptr> transfers, KernelModules modules, Cublas cublas, Cudnn cudnn,
                         String cudnnProblem, int multiprocessors, int maxThreadsPerMultiprocessor,
                         ErrorRecord errorRecord) {
    }

    /**
     * The device status record of {@link DeviceErrors} (five {@code long long}s, zeroed) and a pinned host copy of
     * it. Device thread.
     */
    private static final class ErrorRecord implements DeviceErrors.Record {
        static final int BYTES = 40;
        final CudaStream stream;
        final DevicePointer device = new DevicePointer();
        final Pointer host = new Pointer();
        final ByteBuffer hostBuffer;

        ErrorRecord(CudaStream stream) {
            this.stream = stream;
            checkDriver(JCudaDriver.cuMemAlloc(device, BYTES), "cuMemAlloc(error record)");
            checkDriver(JCudaDriver.cuMemHostAlloc(host, BYTES, 0), "cuMemHostAlloc(error record)");
            hostBuffer = host.getByteBuffer(0, BYTES).order(ByteOrder.nativeOrder());
            reset();
            stream.synchronize();
        }

        @Override
        public long[] read() {
            checkDriver(JCudaDriver.cuMemcpyDtoHAsync(host, device, BYTES, stream.handle()),
                    "cuMemcpyDtoHAsync(error record)");
            stream.synchronize();
            return new long[]{hostBuffer.getLong(0), hostBuffer.getLong(8), hostBuffer.getLong(16),
                    hostBuffer.getLong(24), hostBuffer.getLong(32)};
        }

        @Override
        public void reset() {
            checkDriver(JCudaDriver.cuMemsetD8Async(device, (byte) 0, BYTES, stream.handle()),
                    "cuMemsetD8Async(error record)");
        }

        void free() {
            JCudaDriver.cuMemFree(device);
            JCudaDriver.cuMemFreeHost(host);
        }
    }

    private final String name;
    private final DeviceExecutor executor;
    private final State state;
    private final DeviceErrors errors = new DeviceErrors();

    private CudaDevice(String name, DeviceExecutor executor, State state) {
        this.name = name;
        this.executor = executor;
        this.state = state;
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
            return new CudaDevice(name, executor, state);
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
        List<AutoCloseable> made = new ArrayList<>(); // closed in reverse if a later step fails
        try {
            CudaStream stream = new CudaStream();
            made.add(stream);
            DriverMemory memory = new DriverMemory(stream::synchronize);
            CachingAllocator allocator = new CachingAllocator(name, memory);
            PinnedStaging pinned = new PinnedStaging(stream, CudaSettings.STAGING_SLOTS, CudaSettings.STAGING_BYTES);
            made.add(pinned);
            KernelModules modules = new KernelModules(stream, moduleNames, ptx);
            made.add(modules);
            Cublas cublas = new Cublas(stream, CudaSettings.TF32);
            made.add(cublas);
            Cudnn cudnn = null;
            String cudnnProblem = null;
            try {
                JCudnn.setExceptionsEnabled(false);
                cudnn = new Cudnn(stream, CudaSettings.TF32, CudaSettings.CUDNN_WORKSPACE_LIMIT);
                made.add(cudnn);
            } catch (LinkageError | CudaCallException e) { // cuDNN is optional
                cudnnProblem = String.valueOf(e.getMessage());
            }
            int sms = context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            int threads = context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR);
            ErrorRecord record = new ErrorRecord(stream);
            return new State(stream, memory, allocator, pinned, new StagedTransfers<>(pinned), modules, cublas, cudnn,
                    cudnnProblem, sms, threads, record);
        } catch (RuntimeException | Error e) {
            for (AutoCloseable c : made.reversed()) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
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

    /** The allocator (device thread; its statistics from any thread). */
    CachingAllocator allocator() {
        return state.allocator();
    }

    /** The pointer of an allocator block (device thread). */
    CUdeviceptr pointer(CachingAllocator.Block block) {
        return state.memory().pointer(block.address());
    }

    /** Device thread. */
    CudaStream stream() {
        return state.stream();
    }

    /** Device thread. */
    StagedTransfers<CUdeviceptr> transfers() {
        return state.transfers();
    }

    /** Device thread. */
    Cublas cublas() {
        return state.cublas();
    }

    /** Device thread; null when cuDNN did not load. */
    Cudnn cudnn() {
        return state.cudnn();
    }

    /** Whether cuDNN loaded (any thread). */
    boolean hasCudnn() {
        return state.cudnn() != null;
    }

    /** Why cuDNN is missing, or null. */
    String cudnnProblem() {
        return state.cudnnProblem();
    }

    /** A grid-stride launch shape for {@code n} elements on this device (any thread). */
    LaunchConfig grid(long n) {
        return LaunchConfig.forElements(n, LaunchConfig.DEFAULT_BLOCK, state.multiprocessors(),
                state.maxThreadsPerMultiprocessor());
    }

    /**
     * Queues a launch of kernel {@code kernel} (its {@code extern "C"} name in one of the PTX modules) on the stream;
     * any thread, ordered after the calling thread's earlier work. Errors surface at the caller's next synchronizing
     * call.
     */
    void launch(String kernel, LaunchConfig config, KernelArgs args) {
        executor.submit(() -> state.modules().launch(kernel, config, args));
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
            state.modules().launch(kernel, config, args);
        });
    }

    /** Tickets for checked launches (any thread). */
    DeviceErrors errors() {
        return errors;
    }

    /** The device address of the error record, a checked kernel's {@code long long *status} (device thread). */
    CUdeviceptr errorRecord() {
        return state.errorRecord().device;
    }

    /**
     * Device thread, with the stream idle (after a stream synchronization or a completed download): reads the error
     * record if checked launches ran since the last check, and reports a failure to the thread that queued it.
     */
    void checkDeviceErrors() {
        DeviceErrors.Failure f = errors.check(state.errorRecord());
        if (f != null) {
            executor.report(f.owner(), f.error());
        }
    }

    /** A new timer on this device's stream (device thread; close it there). */
    GpuTimer timer() {
        return new GpuTimer(state.stream());
    }

    /** Waits for the stream (device thread). */
    void synchronizeStream() {
        state.stream().synchronize();
    }

    @Override
    public void close() {
        try {
            executor.call(() -> {
                state.stream().synchronize();
                state.modules().close();
                if (state.cudnn() != null) {
                    state.cudnn().close();
                }
                state.cublas().close();
                state.pinned().close();
                state.allocator().emptyCache();
                state.errorRecord().free();
                state.stream().close();
                return null;
            });
        } finally {
            executor.close();
        }
    }
}
