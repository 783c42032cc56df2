package dev.nabla.cuda.runtime;

import dev.nabla.cuda.memory.DeviceMemory;
import dev.nabla.cuda.memory.DriverMemory;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static dev.nabla.cuda.runtime.CudaErrors.checkDriver;

/**
 * The {@link DeviceDriver} of a GPU, through JCuda's driver API, in the current context (the device thread's primary
 * context): one stream, {@code cuMemAlloc} memory ({@link DriverMemory}), the pinned staging ring
 * ({@link PinnedStaging}), the PTX modules ({@link KernelModules}) and the error record. A {@link DeviceAddress}
 * becomes a {@code CUdeviceptr} through {@link #pointer}. Create, use and close it on the device thread.
 */
public final class JCudaDeviceDriver implements DeviceDriver {
    private final CudaStream stream;
    private final DriverMemory memory;
    private final PinnedStaging pinned;
    private final StagedTransfers.Engine<DeviceAddress> staging;
    private final KernelModules modules;
    private final ErrorRecord errorRecord;
    private final int multiprocessors;
    private final int maxThreadsPerMultiprocessor;

    /**
     * The device record of {@link DeviceErrors} (five {@code long long}s, zeroed) and a pinned host copy of it.
     * Device thread.
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
            int r = JCudaDriver.cuMemHostAlloc(host, BYTES, 0);
            if (r != 0) {
                JCudaDriver.cuMemFree(device);
                checkDriver(r, "cuMemHostAlloc(error record)");
            }
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

    private JCudaDeviceDriver(CudaStream stream, DriverMemory memory, PinnedStaging pinned, KernelModules modules,
                              ErrorRecord errorRecord, int multiprocessors, int maxThreadsPerMultiprocessor) {
        this.stream = stream;
        this.memory = memory;
        this.pinned = pinned;
        this.modules = modules;
        this.errorRecord = errorRecord;
        this.multiprocessors = multiprocessors;
        this.maxThreadsPerMultiprocessor = maxThreadsPerMultiprocessor;
        this.staging = new StagedTransfers.Engine<>() {
            @Override
            public int slots() {
                return pinned.slots();
            }

            @Override
            public ByteBuffer slot(int i) {
                return pinned.slot(i);
            }

            @Override
            public void awaitSlot(int i) {
                pinned.awaitSlot(i);
            }

            @Override
            public void upload(int i, long bytes, DeviceAddress dst, long dstOffset) {
                pinned.upload(i, bytes, pointer(dst), dstOffset);
            }

            @Override
            public void download(int i, long bytes, DeviceAddress src, long srcOffset) {
                pinned.download(i, bytes, pointer(src), srcOffset);
            }
        };
    }

    /**
     * Creates the stream, memory, staging ({@code stagingSlots} pinned buffers of {@code stagingBytes}), the module
     * table of {@code moduleNames} (whose PTX {@code ptx} gives; loaded on first use) and the error record, in the
     * device thread's current context; {@code context} answers the device's attributes.
     */
    public static JCudaDeviceDriver open(PrimaryContext context, List<String> moduleNames,
                                         Function<String, byte[]> ptx, int stagingSlots, int stagingBytes) {
        List<AutoCloseable> made = new ArrayList<>(); // closed in reverse if a later step fails
        try {
            CudaStream stream = new CudaStream();
            made.add(stream);
            DriverMemory memory = new DriverMemory(stream::synchronize);
            PinnedStaging pinned = new PinnedStaging(stream, stagingSlots, stagingBytes);
            made.add(pinned);
            KernelModules modules = new KernelModules(stream, moduleNames, ptx);
            made.add(modules);
            int sms = context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            int threads = context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR);
            ErrorRecord record = new ErrorRecord(stream);
            return new JCudaDeviceDriver(stream, memory, pinned, modules, record, sms, threads);
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

    /** The stream (for cuBLAS and cuDNN handles). */
    public CudaStream stream() {
        return stream;
    }

    /** The {@code CUdeviceptr} of {@code address}. */
    public CUdeviceptr pointer(DeviceAddress address) {
        CUdeviceptr base = address.block() == errorRecord.device.address() ? errorRecord.device
                : memory.pointer(address.block());
        return address.offset() == 0 ? base : base.withByteOffset(address.offset());
    }

    @Override
    public DeviceMemory memory() {
        return memory;
    }

    @Override
    public StagedTransfers.Engine<DeviceAddress> staging() {
        return staging;
    }

    @Override
    public void copy(DeviceAddress dst, DeviceAddress src, long bytes) {
        checkDriver(JCudaDriver.cuMemcpyDtoDAsync(pointer(dst), pointer(src), bytes, stream.handle()),
                "cuMemcpyDtoDAsync");
    }

    @Override
    public void memset8(DeviceAddress at, byte value, long count) {
        checkDriver(JCudaDriver.cuMemsetD8Async(pointer(at), value, count, stream.handle()), "cuMemsetD8Async");
    }

    @Override
    public void memset16(DeviceAddress at, short value, long count) {
        checkDriver(JCudaDriver.cuMemsetD16Async(pointer(at), value, count, stream.handle()), "cuMemsetD16Async");
    }

    @Override
    public void memset32(DeviceAddress at, int value, long count) {
        checkDriver(JCudaDriver.cuMemsetD32Async(pointer(at), value, count, stream.handle()), "cuMemsetD32Async");
    }

    @Override
    public void launch(String kernel, LaunchConfig config, KernelArgs args) {
        modules.launch(kernel, config, kernelParams(args, this::pointer));
    }

    /**
     * {@code kernelParams} for {@code cuLaunchKernel}: a pointer to an array of pointers, one per argument, device
     * addresses turned into driver pointers by {@code pointers}.
     */
    public static Pointer kernelParams(KernelArgs args, Function<DeviceAddress, ? extends Pointer> pointers) {
        NativePointerObject[] ps = new NativePointerObject[args.size()];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = switch (args.value(i)) {
                case DeviceAddress a -> Pointer.to(pointers.apply(a));
                case int[] a -> Pointer.to(a);
                case long[] a -> Pointer.to(a);
                case double[] a -> Pointer.to(a);
                case float[] a -> Pointer.to(a);
                default -> throw new IllegalStateException("unknown kernel argument " + args.value(i));
            };
        }
        return Pointer.to(ps);
    }

    @Override
    public void synchronize() {
        stream.synchronize();
    }

    @Override
    public DeviceErrors.Record errorRecord() {
        return errorRecord;
    }

    @Override
    public DeviceAddress errorRecordAddress() {
        return new DeviceAddress(errorRecord.device.address(), 0);
    }

    @Override
    public int multiprocessors() {
        return multiprocessors;
    }

    @Override
    public int maxThreadsPerMultiprocessor() {
        return maxThreadsPerMultiprocessor;
    }

    @Override
    public Timer timer() {
        return new GpuTimer(stream);
    }

    /** Synchronizes, then unloads the modules and frees the staging, the error record and the stream. */
    @Override
    public void close() {
        stream.synchronize();
        modules.close();
        pinned.close();
        errorRecord.free();
        stream.close();
    }
}
