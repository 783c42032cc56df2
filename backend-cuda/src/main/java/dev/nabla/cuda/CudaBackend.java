package dev.nabla.cuda;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.cuda.memory.AllocatorStatistics;
import dev.nabla.cuda.memory.CachingAllocator;
import dev.nabla.cuda.runtime.DeviceAddress;
import dev.nabla.cuda.runtime.DeviceDriver;
import dev.nabla.cuda.runtime.HostArrays;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FastPath;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.JavaArrays;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import java.util.function.Supplier;

/**
 * The CUDA backend of one device, on the runtime of {@link CudaDevice}: memory, host transfers, copies, fills,
 * synchronization, matmul through cuBLAS and the convolution/pooling fast paths through cuDNN are implemented here;
 * the element-wise, reduction, indexing and random primitives, Adam and ReLU's gradient are launches of this
 * module's own kernels ({@link KernelLaunches}).
 *
 * <p><b>Threads and ordering</b> (the rules of {@link Backend}): every method checks its arguments on the calling
 * thread, then queues its device work on the device's single {@code DeviceExecutor} queue, which the device thread
 * issues to the device's one stream in the same order. So each thread's work runs in its call order, and
 * <ul>
 *   <li>{@link #allocate} is queued too (it returns before the memory exists); a buffer's address is read only by
 *       tasks queued after it;</li>
 *   <li>{@link #release} queues the block's return to the caching allocator. That is a stream-ordered free: the
 *       allocator is driven only from the device thread, so the block can be handed out again only to a task queued
 *       after the release, whose GPU work the stream orders after every kernel or copy queued before the release
 *       (those that use the block). No event or synchronization is needed;</li>
 *   <li>{@link #toArray} and {@link #synchronize} wait; every other method returns once its work is queued (uploads
 *       once the array has been copied into pinned memory);</li>
 *   <li>each method except {@link #release} first rethrows an earlier asynchronous error of the calling thread's work
 *       (or one that belongs to no live thread); {@code release} never does, so it cannot consume one.</li>
 * </ul>
 */
public final class CudaBackend implements Backend, AutoCloseable {
    private final Device nablaDevice;
    private final CudaDevice device;
    private final KernelLaunches kernels;

    CudaBackend(Device nablaDevice, CudaDevice device) {
        this.nablaDevice = nablaDevice;
        this.device = device;
        this.kernels = new KernelLaunches(this, device);
    }

    /** Opens CUDA device {@code ordinal} with the PTX modules of this jar and their launches. */
    static CudaBackend open(Device nablaDevice, int ordinal) {
        CudaDevice device = CudaDevice.open(ordinal, CudaKernels.MODULES, CudaKernels::ptx);
        return new CudaBackend(nablaDevice, device);
    }

    /** The runtime of this backend's device (for the kernel hook and benchmarks). */
    CudaDevice cudaDevice() {
        return device;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Device device() {
        return nablaDevice;
    }

    // ---- memory

    @Override
    public Buffer allocate(DType dtype, int numel) {
        surface();
        if (numel < 0) {
            throw new IllegalArgumentException("numel must be >= 0, found " + numel);
        }
        CudaBuffer buffer = new CudaBuffer(device, dtype, numel);
        if (numel > 0) {
            long bytes = (long) numel * dtype.byteSize();
            device.executor().submit(() -> {
                CachingAllocator.Block block = device.allocator().allocate(bytes);
                buffer.bind(block);
            });
        }
        return buffer;
    }

    @Override
    public void release(Buffer buffer) {
        // No surface(): releases come from the Cleaner thread too (Backend#release).
        CudaBuffer b = own(buffer);
        if (!b.markReleased()) {
            throw new IllegalStateException(b + " was released twice");
        }
        if (b.capacity() > 0) {
            device.executor().submitUnowned(() -> {
                CachingAllocator.Block block = b.block();
                if (block != null) { // null: its allocation failed, and was reported to the allocating thread
                    device.allocator().free(block);
                }
            });
        }
    }

    @Override
    public Buffer fromArray(Object javaArray) {
        DType dtype = JavaArrays.dtypeOf(javaArray);
        return upload(javaArray, dtype);
    }

    /** Copies half bits directly (the default would convert through FLOAT32 on the device). */
    @Override
    public Buffer fromArray(Object javaArray, DType dtype) {
        HostArrays.length(javaArray, dtype);
        return upload(javaArray, dtype);
    }

    private Buffer upload(Object array, DType dtype) {
        return upload(array, dtype, 0, HostArrays.length(array, dtype));
    }

    /** From a backend whose memory is the Java heap (the CPU): uploads the region straight from its array. */
    @Override
    public Buffer copyFrom(Backend source, Operand src) {
        Object heap = source.hostArray(src.buffer());
        if (heap == null || !src.layout().isContiguous()) {
            return null;
        }
        return upload(heap, src.dtype(), src.layout().offset(), src.numel());
    }

    /** A new buffer holding {@code array[from, from + n)}; returns once the elements are in pinned memory. */
    private Buffer upload(Object array, DType dtype, int from, int n) {
        surface();
        CudaBuffer buffer = (CudaBuffer) allocate(dtype, n);
        if (n > 0) {
            try {
                // Waits until the elements are in pinned memory (not for the device): the caller may change them after.
                device.executor().call(() -> {
                    device.transfers().upload(array, dtype, from, n, buffer.pointer(), 0);
                    return null;
                });
            } catch (RuntimeException | Error e) {
                release(buffer);
                throw e;
            }
        }
        return buffer;
    }

    @Override
    public Object toArray(Operand src) {
        surface();
        CudaBuffer b = live(src);
        DType dtype = b.dtype();
        Layout layout = src.layout();
        int n = layout.numel();
        if (n == 0) {
            return JavaArrays.newArray(dtype, 0);
        }
        return device.executor().call(() -> {
            Object out;
            if (layout.isContiguous()) {
                out = JavaArrays.newArray(dtype, n);
                device.transfers().download(b.pointer(), layout.offset(), dtype, out, 0, n);
            } else {
                // Strided: copy the span the elements occupy, pick them on the host (no kernel needed).
                long[] span = HostArrays.span(layout);
                int spanLength = (int) (span[1] - span[0]);
                Object spanArray = JavaArrays.newArray(dtype, spanLength);
                device.transfers().download(b.pointer(), span[0], dtype, spanArray, 0, spanLength);
                out = HostArrays.gather(spanArray, span[0], dtype, layout);
            }
            device.checkDeviceErrors(); // the stream is idle: the download waited for everything before it
            return out;
        });
    }

    @Override
    public void copy(Operand src, Operand dst) {
        surface();
        CudaBuffer s = live(src);
        CudaBuffer d = live(dst);
        int n = src.numel();
        if (n == 0) {
            return;
        }
        if (s.dtype() == d.dtype() && src.layout().isContiguous() && dst.layout().isContiguous()) {
            long so = src.layout().offset();
            long dOff = dst.layout().offset();
            if (s == d && so == dOff) {
                return; // the same elements
            }
            if (s != d || so + n <= dOff || dOff + n <= so) { // cuMemcpy ranges must not overlap
                long bytes = (long) n * s.dtype().byteSize();
                device.executor().submit(() -> device.driver().copy(d.pointer(dOff), s.pointer(so), bytes));
                return;
            }
        }
        kernels.copy(src, dst);
    }

    @Override
    public void fill(Operand dst, double value) {
        surface();
        CudaBuffer d = live(dst);
        int n = dst.numel();
        if (n == 0) {
            return;
        }
        FillPattern p = dst.layout().isContiguous() ? FillPattern.of(d.dtype(), value, n) : null;
        if (p == null) {
            kernels.fill(dst, value);
            return;
        }
        long offset = dst.layout().offset();
        device.executor().submit(() -> memset(d.pointer(offset), p));
    }

    private void memset(DeviceAddress at, FillPattern p) {
        switch (p.width()) {
            case 1 -> device.driver().memset8(at, (byte) p.bits(), p.count());
            case 2 -> device.driver().memset16(at, (short) p.bits(), p.count());
            default -> device.driver().memset32(at, p.bits(), p.count());
        }
    }

    @Override
    public void synchronize() {
        surface();
        device.executor().call(() -> {
            device.synchronizeStream();
            device.checkDeviceErrors();
            return null;
        });
    }

    // ---- compute: kernels

    @Override
    public void unary(UnaryOp op, Operand x, Operand out, double alpha) {
        begin(x, out);
        kernels.unary(op, x, out, alpha);
    }

    @Override
    public void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        begin(a, b, out);
        kernels.binary(op, a, b, out);
    }

    @Override
    public void binaryScalar(BinaryOp op, Operand x, double scalar, boolean scalarOnLeft, Operand out) {
        begin(x, out);
        kernels.binaryScalar(op, x, scalar, scalarOnLeft, out);
    }

    @Override
    public void where(Operand cond, Operand a, Operand b, Operand out) {
        begin(cond, a, b, out);
        kernels.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        begin(x, out);
        kernels.reduce(op, x, dims.clone(), out);
    }

    @Override
    public void gather(Operand src, int dim, Operand index, Operand out) {
        begin(src, index, out);
        kernels.gather(src, dim, index, out);
    }

    @Override
    public void scatterAdd(Operand dst, int dim, Operand index, Operand src) {
        begin(dst, index, src);
        kernels.scatterAdd(dst, dim, index, src);
    }

    @Override
    public void indexSelect(Operand src, int dim, Operand index, Operand out) {
        begin(src, index, out);
        kernels.indexSelect(src, dim, index, out);
    }

    @Override
    public void random(RandomDistribution dist, long seed, long offset, Operand out) {
        begin(out);
        kernels.random(dist, seed, offset, out);
    }

    // ---- matmul: cuBLAS (matmul.cu without it)

    @Override
    public void matmul(Operand a, Operand b, Operand out) {
        surface();
        CudaBuffer ba = live(a);
        CudaBuffer bb = live(b);
        CudaBuffer bo = live(out);
        DType dtype = out.dtype();
        MatmulPlan plan = device.hasCublas() && (dtype == DType.FLOAT32 || dtype == DType.FLOAT64)
                ? MatmulPlan.of(a.layout(), b.layout(), out.layout()) : null;
        if (plan == null) {
            kernels.matmul(a, b, out);
            return;
        }
        if (plan.empty()) {
            return;
        }
        if (plan.zeroK()) {
            fill(out, 0.0);
            return;
        }
        long ao = a.layout().offset();
        long bOff = b.layout().offset();
        long oo = out.layout().offset();
        device.executor().submit(() -> device.cublas().gemm(dtype, plan, device.cuPointer(ba.pointer(ao)),
                device.cuPointer(bb.pointer(bOff)), device.cuPointer(bo.pointer(oo))));
    }

    // ---- fast paths: own kernels

    @Override
    public boolean adamStep(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, double lr, double beta1,
                            double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        surface();
        if (!contiguous(param, grad, expAvg, expAvgSq)) {
            return false;
        }
        requireLive(param, grad, expAvg, expAvgSq);
        kernels.adamStep(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, decoupled, step);
        return true;
    }

    @Override
    public boolean reluBackward(Operand grad, Operand input, Operand out) {
        surface();
        if (!contiguous(grad, input, out)) {
            return false;
        }
        requireLive(grad, input, out);
        kernels.reluBackward(grad, input, out);
        return true;
    }

    // ---- fast paths: cuDNN

    @Override
    public boolean supports(FastPath path, DType dtype) {
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
            return false;
        }
        return switch (path) {
            // own kernels (max-pool backward: the first maximum of a window, as Backend wants; cuDNN's tie rule is
            // not documented)
            case ADAM_STEP, RELU_BACKWARD, MAX_POOL2D, MAX_POOL2D_BACKWARD, MAX_POOL2D_RELU_BACKWARD -> true;
            case BATCH_NORM_STATS, BATCH_NORM, BATCH_NORM_BACKWARD -> dtype == DType.FLOAT32;
            // cuDNN
            case CONV2D, CONV2D_BACKWARD_DATA, CONV2D_BACKWARD_FILTER, CONV2D_BACKWARD_FILTER_AND_BIAS ->
                    device.hasCudnn();
            case LINEAR, QUANTIZED_LINEAR -> false;
        };
    }

    private static int cudnnType(DType dtype) {
        return dtype == DType.FLOAT64 ? Cudnn.DATA_DOUBLE : Cudnn.DATA_FLOAT;
    }

    private static boolean contiguous(Operand... operands) {
        for (Operand o : operands) {
            if (o != null && !o.layout().isContiguous()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean conv2d(Operand x, Operand weight, Operand bias, Conv2dGeometry geometry, int groups,
                          FusedActivation activation, Operand out) {
        surface();
        if (!supports(FastPath.CONV2D, out.dtype()) || !contiguous(x, weight, bias, out)) {
            return false;
        }
        ConvSpec spec = ConvSpec.of(cudnnType(out.dtype()), x.shape(), weight.shape(), out.shape(), geometry, groups);
        if (spec == null) {
            return false;
        }
        Supplier<CUdeviceptr> px = at(x);
        Supplier<CUdeviceptr> pw = at(weight);
        Supplier<CUdeviceptr> pb = bias == null ? null : at(bias);
        Supplier<CUdeviceptr> po = at(out);
        boolean relu = activation == FusedActivation.RELU;
        device.executor().submit(() -> device.cudnn().convForward(spec, px.get(), pw.get(),
                pb == null ? null : pb.get(), relu, po.get(), this::workspace));
        return true;
    }

    @Override
    public boolean conv2dBackwardData(Operand gradOut, Operand weight, Conv2dGeometry geometry, int groups,
                                      Operand gradIn) {
        surface();
        if (!supports(FastPath.CONV2D_BACKWARD_DATA, gradIn.dtype()) || !contiguous(gradOut, weight, gradIn)) {
            return false;
        }
        ConvSpec spec = ConvSpec.of(cudnnType(gradIn.dtype()), gradIn.shape(), weight.shape(), gradOut.shape(),
                geometry, groups);
        if (spec == null) {
            return false;
        }
        Supplier<CUdeviceptr> pw = at(weight);
        Supplier<CUdeviceptr> pdy = at(gradOut);
        Supplier<CUdeviceptr> pdx = at(gradIn);
        device.executor().submit(() -> device.cudnn().convBackwardData(spec, pw.get(), pdy.get(), pdx.get(),
                this::workspace));
        return true;
    }

    @Override
    public boolean conv2dBackwardFilter(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                        Operand gradWeight) {
        return backwardFilter(x, gradOut, geometry, groups, gradWeight, null);
    }

    @Override
    public boolean conv2dBackwardFilterAndBias(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                               Operand gradWeight, Operand gradBias) {
        return backwardFilter(x, gradOut, geometry, groups, gradWeight, gradBias);
    }

    private boolean backwardFilter(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                   Operand gradWeight, Operand gradBias) {
        surface();
        FastPath path = gradBias == null ? FastPath.CONV2D_BACKWARD_FILTER : FastPath.CONV2D_BACKWARD_FILTER_AND_BIAS;
        if (!supports(path, gradWeight.dtype()) || !contiguous(x, gradOut, gradWeight, gradBias)) {
            return false;
        }
        ConvSpec spec = ConvSpec.of(cudnnType(gradWeight.dtype()), x.shape(), gradWeight.shape(), gradOut.shape(),
                geometry, groups);
        if (spec == null) {
            return false;
        }
        Supplier<CUdeviceptr> px = at(x);
        Supplier<CUdeviceptr> pdy = at(gradOut);
        Supplier<CUdeviceptr> pdw = at(gradWeight);
        Supplier<CUdeviceptr> pdb = gradBias == null ? null : at(gradBias);
        device.executor().submit(() -> device.cudnn().convBackwardFilter(spec, px.get(), pdy.get(), pdw.get(),
                pdb == null ? null : pdb.get(), this::workspace));
        return true;
    }

    @Override
    public boolean maxPool2d(Operand x, Conv2dGeometry geometry, Operand out) {
        surface();
        if (!supports(FastPath.MAX_POOL2D, out.dtype()) || !contiguous(x, out)) {
            return false;
        }
        requireLive(x, out);
        PoolSpec spec = device.hasCudnn() ? PoolSpec.of(cudnnType(out.dtype()), x.shape(), out.shape(), geometry) : null;
        if (spec == null) {
            kernels.maxPool2d(x, geometry, out);
            return true;
        }
        Supplier<CUdeviceptr> px = at(x);
        Supplier<CUdeviceptr> py = at(out);
        device.executor().submit(() -> device.cudnn().maxPoolForward(spec, px.get(), py.get()));
        return true;
    }

    @Override
    public boolean maxPool2dBackward(Operand gradOut, Operand x, Conv2dGeometry geometry, Operand gradIn) {
        return poolBackward(gradOut, x, geometry, gradIn, false);
    }

    @Override
    public boolean maxPool2dReluBackward(Operand gradOut, Operand reluOut, Conv2dGeometry geometry, Operand gradIn) {
        return poolBackward(gradOut, reluOut, geometry, gradIn, true);
    }

    private boolean poolBackward(Operand gradOut, Operand x, Conv2dGeometry geometry, Operand gradIn, boolean relu) {
        surface();
        FastPath path = relu ? FastPath.MAX_POOL2D_RELU_BACKWARD : FastPath.MAX_POOL2D_BACKWARD;
        if (!supports(path, gradIn.dtype()) || !contiguous(gradOut, x, gradIn)) {
            return false;
        }
        requireLive(gradOut, x, gradIn);
        kernels.maxPool2dBackward(gradOut, x, geometry, gradIn, relu);
        return true;
    }

    // ---- fast paths: batch norm (own kernels, FLOAT32)

    @Override
    public boolean batchNormStats(Operand x, Operand out) {
        surface();
        if (!supports(FastPath.BATCH_NORM_STATS, x.dtype()) || !contiguous(x, out) || x.numel() == 0) {
            return false;
        }
        requireLive(x, out);
        kernels.batchNormStats(x, out);
        return true;
    }

    @Override
    public boolean batchNorm(Operand x, Operand mean, Operand var, Operand weight, Operand bias, double eps,
                             Operand out) {
        surface();
        if (!supports(FastPath.BATCH_NORM, x.dtype()) || !contiguous(x, mean, var, weight, bias, out)
                || x.numel() == 0) {
            return false;
        }
        requireLive(x, mean, var, weight, bias, out);
        kernels.batchNorm(x, mean, var, weight, bias, eps, out);
        return true;
    }

    @Override
    public boolean batchNormBackward(Operand gradOut, Operand x, Operand mean, Operand var, Operand weight,
                                     double eps, boolean training, Operand gradIn, Operand gradWeight,
                                     Operand gradBias) {
        surface();
        if (!supports(FastPath.BATCH_NORM_BACKWARD, x.dtype())
                || !contiguous(gradOut, x, mean, var, weight, gradIn, gradWeight, gradBias) || x.numel() == 0) {
            return false;
        }
        requireLive(gradOut, x, mean, var, weight, gradIn, gradWeight, gradBias);
        kernels.batchNormBackward(gradOut, x, mean, var, weight, eps, training, gradIn, gradWeight, gradBias);
        return true;
    }

    /**
     * A scratch block of at least {@code bytes} from the caching allocator (device thread); closing it returns the
     * block to the allocator, which is safe right after the call using it is queued (one stream, see the class).
     */
    private Cudnn.Workspace workspace(long bytes) {
        if (bytes <= 0) {
            return new Cudnn.Workspace() {
                @Override
                public Pointer pointer() {
                    return new CUdeviceptr(); // NULL with size 0
                }

                @Override
                public void close() {
                }
            };
        }
        CachingAllocator.Block block = device.allocator().allocate(bytes);
        CUdeviceptr p = device.cuPointer(new DeviceAddress(block.address(), 0));
        return new Cudnn.Workspace() {
            @Override
            public Pointer pointer() {
                return p;
            }

            @Override
            public void close() {
                device.allocator().free(block);
            }
        };
    }

    /** The device address of {@code o}'s first element as cuDNN takes it, resolved on the device thread. */
    private Supplier<CUdeviceptr> at(Operand o) {
        CudaBuffer b = (CudaBuffer) o.buffer();
        long offset = o.layout().offset();
        return () -> device.cuPointer(b.pointer(offset));
    }

    // ---- plumbing

    /** The device's allocator statistics (any thread; they lag the queued work). */
    public AllocatorStatistics memoryStatistics() {
        return device.allocator().statistics();
    }

    /**
     * Runs {@code body} between two events on the stream and answers the GPU time it queued, in milliseconds:
     * {@code body} runs on the calling thread and queues work (backend calls); the timer's events are queued before
     * and after it. Waits for the work. For benchmarks; other threads' work queued meanwhile is timed too.
     */
    public float timeMillis(Runnable body) {
        surface();
        DeviceDriver.Timer timer = device.executor().call(() -> {
            DeviceDriver.Timer t = device.timer();
            t.start();
            return t;
        });
        try {
            body.run();
            device.executor().submit(timer::stop);
            return device.executor().call(timer::elapsedMillis);
        } finally {
            device.executor().submitUnowned(timer::close);
        }
    }

    private void surface() {
        device.executor().surface();
    }

    /**
     * The start of a call: rethrows an earlier asynchronous error of this thread, then checks that every operand
     * (null ones skipped) is a live buffer of this device.
     */
    private void begin(Operand... operands) {
        surface();
        requireLive(operands);
    }

    /** Checks that every operand (null ones skipped) is a live buffer of this device. */
    private void requireLive(Operand... operands) {
        for (Operand o : operands) {
            if (o != null) {
                live(o);
            }
        }
    }

    private CudaBuffer own(Buffer buffer) {
        if (buffer instanceof CudaBuffer b && b.device() == device) {
            return b;
        }
        throw new IllegalArgumentException("expected a buffer of " + device.name() + ", found " + buffer);
    }

    private CudaBuffer live(Operand operand) {
        CudaBuffer b = own(operand.buffer());
        if (b.isReleased()) {
            throw new IllegalStateException("use of a released buffer: " + b);
        }
        return b;
    }

    /** Finishes the queued work, frees the device's resources and ends its thread. */
    @Override
    public void close() {
        device.close();
    }

    @Override
    public String toString() {
        return "CudaBackend[" + device.name() + (device.hasCudnn() ? ", cuDNN" : ", no cuDNN: " + device.cudnnProblem())
                + "]";
    }
}
