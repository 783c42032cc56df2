package dev.nabla.cuda;

import dev.nabla.DType;
import dev.nabla.cuda.kernels.KernelCall;
import dev.nabla.cuda.kernels.KernelCalls;
import dev.nabla.cuda.runtime.DeviceAddress;
import dev.nabla.cuda.runtime.KernelArgs;
import dev.nabla.cuda.runtime.LaunchConfig;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;

import java.util.function.Supplier;

/**
 * The primitives the CUDA backend runs as this module's own kernels: {@link KernelCalls} says what to launch (kernel
 * names, argument order, layouts, grids; pure and run through the CPU emulation of the kernels in the tests), and this
 * class queues those launches on the device. Device pointers travel as suppliers, resolved on the device thread
 * (a queued allocation has no address before it runs). Every method returns without waiting.
 */
final class KernelLaunches {
    private final CudaBackend backend;
    private final CudaDevice device;

    KernelLaunches(CudaBackend backend, CudaDevice device) {
        this.backend = backend;
        this.device = device;
    }

    /** The buffer's base address (strided kernels: the layout's offset travels in the NablaLayout). */
    private static Supplier<DeviceAddress> base(Operand o) {
        CudaBuffer b = (CudaBuffer) o.buffer();
        return b::pointer;
    }

    /** The address of the operand's first element (contiguous-only kernels). */
    private static Supplier<DeviceAddress> first(Operand o) {
        CudaBuffer b = (CudaBuffer) o.buffer();
        long offset = o.layout().offset();
        return () -> b.pointer(offset);
    }

    private void launch(KernelCall call) {
        if (call != null) {
            device.launch(call.kernel(), config(call), args(call));
        }
    }

    private void launchAll(KernelCall[] calls) {
        for (KernelCall call : calls) {
            launch(call);
        }
    }

    private static LaunchConfig config(KernelCall call) {
        return new LaunchConfig(call.grid(), call.block(), 0);
    }

    @SuppressWarnings("unchecked")
    static KernelArgs args(KernelCall call) {
        KernelArgs args = new KernelArgs();
        for (Object a : call.args()) {
            switch (a) {
                case Supplier<?> pointer -> args.pointer((Supplier<DeviceAddress>) pointer);
                case int[] layout -> args.layout(layout);
                case Integer i -> args.int32(i);
                case Long l -> args.int64(l);
                case Float f -> args.float32(f);
                case Double d -> args.float64(d);
                default -> throw new IllegalStateException("kernel argument of type " + a.getClass().getName()
                        + " in " + call);
            }
        }
        return args;
    }

    void fill(Operand dst, double value) {
        launch(KernelCalls.fill(dst.dtype(), base(dst), dst.layout(), value));
    }

    /** A strided and/or converting copy. */
    void copy(Operand src, Operand dst) {
        launch(KernelCalls.copy(src.dtype(), base(src), src.layout(), dst.dtype(), base(dst), dst.layout()));
    }

    void unary(UnaryOp op, Operand x, Operand out, double alpha) {
        launch(KernelCalls.unary(op, x.dtype(), base(x), x.layout(), base(out), out.layout(), alpha));
    }

    void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        launch(KernelCalls.binary(op, a.dtype(), base(a), a.layout(), base(b), b.layout(), base(out), out.layout()));
    }

    void binaryScalar(BinaryOp op, Operand x, double scalar, boolean scalarOnLeft, Operand out) {
        launch(KernelCalls.binaryScalar(op, x.dtype(), base(x), x.layout(), scalar, scalarOnLeft, base(out),
                out.layout()));
    }

    void where(Operand cond, Operand a, Operand b, Operand out) {
        launch(KernelCalls.where(a.dtype(), base(cond), cond.layout(), base(a), a.layout(), base(b), b.layout(),
                base(out), out.layout()));
    }

    /** One launch, or a partial and a finishing launch over scratch memory when few outputs reduce long runs. */
    void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        long scratchBytes = KernelCalls.reduceScratchBytes(op, x.dtype(), x.layout(), dims, out.layout());
        if (scratchBytes == 0) {
            launch(KernelCalls.reduce(op, x.dtype(), base(x), x.layout(), dims, base(out), out.layout()));
            return;
        }
        withScratch(scratchBytes, scratch -> launchAll(KernelCalls.reduce(op, x.dtype(), base(x), x.layout(), dims,
                base(out), out.layout(), scratch)));
    }

    /**
     * Runs {@code body} with device scratch of {@code bytes}; releasing it right after the launches are queued is
     * safe, since the release is stream-ordered after them (see {@link CudaBackend}).
     */
    private void withScratch(long bytes, java.util.function.Consumer<Supplier<DeviceAddress>> body) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda backend: " + bytes + " bytes of scratch is more than one buffer holds");
        }
        CudaBuffer scratch = (CudaBuffer) backend.allocate(DType.INT8, (int) bytes);
        try {
            body.accept(scratch::pointer);
        } finally {
            backend.release(scratch);
        }
    }

    /** Integer matmuls, and float ones whose layouts no strided-batched GEMM describes (matmul.cu). */
    void matmul(Operand a, Operand b, Operand out) {
        launch(KernelCalls.matmul(out.dtype(), base(a), a.layout(), base(b), b.layout(), base(out), out.layout()));
    }

    void gather(Operand src, int dim, Operand index, Operand out) {
        checked("gather", dim, src.layout().shape()[dim], ticket -> KernelCalls.gather(src.dtype(), base(src),
                src.layout(), dim, base(index), index.layout(), base(out), out.layout(), errorRecord(), ticket));
    }

    void indexSelect(Operand src, int dim, Operand index, Operand out) {
        checked("indexSelect", dim, src.layout().shape()[dim], ticket -> KernelCalls.indexSelect(src.dtype(),
                base(src), src.layout(), dim, base(index), index.layout(), base(out), out.layout(), errorRecord(),
                ticket));
    }

    void scatterAdd(Operand dst, int dim, Operand index, Operand src) {
        checked("scatterAdd", dim, dst.layout().shape()[dim], ticket -> KernelCalls.scatterAdd(dst.dtype(),
                base(dst), dst.layout(), dim, base(index), index.layout(), base(src), src.layout(), errorRecord(),
                ticket));
    }

    private Supplier<DeviceAddress> errorRecord() {
        return device::errorRecord;
    }

    /** An index launch whose out-of-range index is reported, with the CPU backend's message, to this thread. */
    private void checked(String op, int dim, int size, java.util.function.IntFunction<KernelCall> call) {
        long ticket = device.errors().newTicket();
        KernelCall c = call.apply((int) ticket);
        if (c != null) {
            device.launchChecked(c.kernel(), config(c), args(c), ticket,
                    (value, d, s) -> new IndexOutOfBoundsException(op + ": index " + value + " is out of bounds for dim "
                            + dim + " with size " + size));
        }
    }

    void random(RandomDistribution dist, long seed, long offset, Operand out) {
        launch(KernelCalls.random(dist, out.dtype(), seed, offset, first(out), out.numel()));
    }

    void adamStep(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, double lr, double beta1,
                  double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        if (param.numel() > 0) {
            launch(KernelCalls.adam(param.dtype(), first(param), first(grad), first(expAvg), first(expAvgSq),
                    param.numel(), lr, beta1, beta2, eps, weightDecay, decoupled, step));
        }
    }

    void reluBackward(Operand grad, Operand input, Operand out) {
        if (out.numel() > 0) {
            launch(KernelCalls.reluBackward(out.dtype(), first(grad), first(input), first(out), out.numel()));
        }
    }

    void maxPool2d(Operand x, Conv2dGeometry geometry, Operand out) {
        if (out.numel() > 0) {
            launch(KernelCalls.maxPool2d(out.dtype(), first(x), x.shape(), geometry, first(out)));
        }
    }

    /** Max pooling's input gradient (the first maximum of each window, as the CPU backend); {@code relu}: see Backend. */
    void maxPool2dBackward(Operand gradOut, Operand x, Conv2dGeometry geometry, Operand gradIn, boolean relu) {
        if (gradIn.numel() > 0) {
            launch(KernelCalls.maxPool2dBackward(gradIn.dtype(), first(gradOut), first(x), x.shape(), geometry,
                    first(gradIn), relu));
        }
    }

    void batchNormStats(Operand x, Operand out) {
        if (x.numel() > 0) {
            launch(KernelCalls.batchNormStats(first(x), x.shape(), first(out)));
        }
    }

    void batchNorm(Operand x, Operand mean, Operand var, Operand weight, Operand bias, double eps, Operand out) {
        int channels = x.shape()[1];
        withScratch(2L * channels * Float.BYTES, coef -> launchAll(KernelCalls.batchNorm(first(x), x.shape(),
                first(mean), first(var), first(weight), first(bias), eps, coef, first(out))));
    }

    void batchNormBackward(Operand gradOut, Operand x, Operand mean, Operand var, Operand weight, double eps,
                           boolean training, Operand gradIn, Operand gradWeight, Operand gradBias) {
        int channels = x.shape()[1];
        withScratch(3L * channels * Float.BYTES, coef -> launchAll(KernelCalls.batchNormBackward(first(gradOut),
                first(x), x.shape(), first(mean), first(var), first(weight), eps, training,
                gradIn == null ? null : first(gradIn), first(gradWeight), first(gradBias), coef)));
    }
}
