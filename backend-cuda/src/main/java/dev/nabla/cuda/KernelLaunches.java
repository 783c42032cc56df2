package dev.nabla.cuda;

import dev.nabla.DType;
import dev.nabla.HalfFloats;
import dev.nabla.cuda.kernels.ReducePlan;
import dev.nabla.cuda.runtime.KernelArgs;
import dev.nabla.cuda.runtime.LaunchConfig;
import dev.nabla.cuda.runtime.LayoutPacking;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;

import java.util.Locale;

/**
 * The {@link KernelOps} of the CUDA backend: each primitive as a launch of the kernels in {@code src/main/cuda}
 * (their argument lists are documented at the top of each {@code .cu} file, and {@code src/main/cuda/README.md}).
 * Every launch jointly coalesces its operands' layouts ({@link LayoutPacking#coalesceAndPack}), passes buffers as
 * suppliers (their addresses exist only once the queued allocation ran) and returns without waiting.
 */
final class KernelLaunches implements KernelOps {
    private final CudaDevice device;

    KernelLaunches(CudaDevice device) {
        this.device = device;
    }

    /** The kernels' dtype suffix. */
    static String suffix(DType dtype) {
        return switch (dtype) {
            case BOOL -> "b8";
            case INT8 -> "i8";
            case INT32 -> "i32";
            case INT64 -> "i64";
            case BFLOAT16 -> "bf16";
            case FLOAT16 -> "f16";
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
        };
    }

    private static String lower(Enum<?> op) {
        return op.name().toLowerCase(Locale.ROOT);
    }

    private static CudaBuffer buffer(Operand o) {
        return (CudaBuffer) o.buffer();
    }

    private KernelArgs pointer(KernelArgs args, Operand o) {
        return args.pointer(buffer(o)::pointer);
    }

    @Override
    public void fill(Operand dst, double value) {
        int n = dst.numel();
        DType dtype = dst.dtype();
        KernelArgs args = pointer(new KernelArgs(), dst).layout(LayoutPacking.coalesceAndPack(dst.layout())[0])
                .int64(n);
        switch (dtype) {
            case FLOAT32 -> args.float32((float) value);
            case FLOAT64 -> args.float64(value);
            case INT32 -> args.int32((int) value);
            case INT64 -> args.int64((long) value);
            case BOOL -> args.int32(value != 0 ? 1 : 0);
            case INT8 -> args.int32((byte) (long) value);
            case BFLOAT16, FLOAT16 -> args.int32(HalfFloats.fromFloat(dtype, (float) value) & 0xFFFF);
        }
        device.launch("nabla_fill_" + suffix(dtype), device.grid(n), args);
    }

    @Override
    public void copy(Operand src, Operand dst) {
        int n = src.numel();
        int[][] l = LayoutPacking.coalesceAndPack(src.layout(), dst.layout());
        KernelArgs args = pointer(new KernelArgs(), src).layout(l[0]);
        pointer(args, dst).layout(l[1]).int64(n);
        device.launch("nabla_cast_" + suffix(src.dtype()) + "_" + suffix(dst.dtype()), device.grid(n), args);
    }

    @Override
    public void unary(UnaryOp op, Operand x, Operand out, double alpha) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        int[][] l = LayoutPacking.coalesceAndPack(x.layout(), out.layout());
        KernelArgs args = pointer(new KernelArgs(), x).layout(l[0]);
        pointer(args, out).layout(l[1]).int64(n).float64(alpha);
        device.launch("nabla_" + lower(op) + "_" + suffix(x.dtype()), device.grid(n), args);
    }

    @Override
    public void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        int[][] l = LayoutPacking.coalesceAndPack(a.layout(), b.layout(), out.layout());
        KernelArgs args = pointer(new KernelArgs(), a).layout(l[0]);
        pointer(args, b).layout(l[1]);
        pointer(args, out).layout(l[2]).int64(n);
        device.launch("nabla_" + lower(op) + "_" + suffix(a.dtype()), device.grid(n), args);
    }

    /** {@code x op scalar} (or {@code scalar op x}) with the number as a kernel argument. */
    @Override
    public void binaryScalar(BinaryOp op, Operand x, double scalar, boolean scalarOnLeft, Operand out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        int[][] l = LayoutPacking.coalesceAndPack(x.layout(), out.layout());
        KernelArgs args = pointer(new KernelArgs(), x).layout(l[0]).float64(scalar).int32(scalarOnLeft ? 1 : 0);
        pointer(args, out).layout(l[1]).int64(n);
        device.launch("nabla_" + lower(op) + "_scalar_" + suffix(x.dtype()), device.grid(n), args);
    }

    @Override
    public void where(Operand cond, Operand a, Operand b, Operand out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        int[][] l = LayoutPacking.coalesceAndPack(cond.layout(), a.layout(), b.layout(), out.layout());
        KernelArgs args = pointer(new KernelArgs(), cond).layout(l[0]);
        pointer(args, a).layout(l[1]);
        pointer(args, b).layout(l[2]);
        pointer(args, out).layout(l[3]).int64(n);
        device.launch("nabla_where_" + suffix(a.dtype()), device.grid(n), args);
    }

    @Override
    public void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        ReducePlan plan = ReducePlan.of(x.layout(), out.layout(), dims);
        if (plan.nOut() == 0) {
            return;
        }
        if (plan.nRed() == 0) { // an empty axis: the identity (core never asks MAX/MIN/ARG* over one)
            fill(out, op == ReduceOp.PROD ? 1 : 0);
            return;
        }
        KernelArgs args = pointer(new KernelArgs(), x).layout(LayoutPacking.pack(plan.kept()))
                .layout(LayoutPacking.pack(plan.reduced()));
        pointer(args, out).layout(LayoutPacking.pack(plan.keptOut())).int64(plan.nOut()).int64(plan.nRed());
        String name = lower(op) + "_" + suffix(x.dtype());
        if (plan.preferBlockPerOutput()) {
            int grid = (int) Math.min(plan.nOut(), 65_535L * 16);
            device.launch("nabla_reduce_" + name, new LaunchConfig(grid, ReducePlan.BLOCK_THREADS, 0), args);
        } else {
            device.launch("nabla_reduce_thread_" + name, device.grid(plan.nOut()), args);
        }
    }

    /** Integer matmuls, and float ones whose layouts no strided-batched GEMM describes (matmul.cu). */
    @Override
    public void matmul(Operand a, Operand b, Operand out) {
        Layout la = a.layout();
        Layout lb = b.layout();
        Layout lo = out.layout();
        int batch = lo.shape()[0];
        int m = lo.shape()[1];
        int n = lo.shape()[2];
        int k = la.shape()[2];
        long total = (long) batch * m * n;
        if (total == 0) {
            return;
        }
        KernelArgs args = pointer(new KernelArgs(), a);
        pointer(args, b);
        pointer(args, out).int32(batch).int32(m).int32(n).int32(k)
                .int32(la.shape()[0] == 1 ? 0 : la.strides()[0]).int32(la.strides()[1]).int32(la.strides()[2])
                .int32(lb.shape()[0] == 1 ? 0 : lb.strides()[0]).int32(lb.strides()[1]).int32(lb.strides()[2])
                .int32(lo.strides()[0]).int32(lo.strides()[1]).int32(lo.strides()[2])
                .int32(la.offset()).int32(lb.offset()).int32(lo.offset());
        device.launch("nabla_matmul_" + suffix(out.dtype()), device.grid(total), args);
    }

    @Override
    public void gather(Operand src, int dim, Operand index, Operand out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        Layout ls = withStride(new Layout(index.shape(), src.layout().strides(), src.layout().offset()), dim, 0);
        launchIndexed("nabla_gather_" + suffix(src.dtype()), src, ls, src.layout(), dim, index, index.layout(), out,
                out.layout(), n, "gather");
    }

    @Override
    public void indexSelect(Operand src, int dim, Operand index, Operand out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        Layout ls = withStride(new Layout(out.shape(), src.layout().strides(), src.layout().offset()), dim, 0);
        int[] indexStrides = new int[out.layout().rank()];
        indexStrides[dim] = index.layout().strides()[0];
        Layout li = new Layout(out.shape(), indexStrides, index.layout().offset());
        launchIndexed("nabla_gather_" + suffix(src.dtype()), src, ls, src.layout(), dim, index, li, out,
                out.layout(), n, "indexSelect");
    }

    @Override
    public void scatterAdd(Operand dst, int dim, Operand index, Operand src) {
        int n = index.numel();
        if (n == 0) {
            return;
        }
        Layout ld = withStride(new Layout(index.shape(), dst.layout().strides(), dst.layout().offset()), dim, 0);
        Layout lsrc = new Layout(index.shape(), src.layout().strides(), src.layout().offset());
        int dimStride = dst.layout().strides()[dim];
        int dimSize = dst.layout().shape()[dim];
        int[][] l = LayoutPacking.coalesceAndPack(ld, index.layout(), lsrc);
        long ticket = device.errors().newTicket();
        KernelArgs args = pointer(new KernelArgs(), dst).layout(l[0]).int32(dimStride).int32(dimSize);
        pointer(args, index).layout(l[1]);
        pointer(args, src).layout(l[2]).pointer(device::errorRecord).int64(ticket).int32(dim).int64(n);
        device.launchChecked("nabla_scatter_add_" + suffix(dst.dtype()), device.grid(n), args, ticket,
                (i, value, d) -> outOfRange("scatterAdd", value, dim, dimSize));
    }

    /** gather and indexSelect: one kernel, {@code ls} giving each output its source row with the indexed stride 0. */
    private void launchIndexed(String kernel, Operand src, Layout ls, Layout srcLayout, int dim, Operand index,
                               Layout li, Operand out, Layout lo, int n, String op) {
        int dimStride = srcLayout.strides()[dim];
        int dimSize = srcLayout.shape()[dim];
        int[][] l = LayoutPacking.coalesceAndPack(ls, li, lo);
        long ticket = device.errors().newTicket();
        KernelArgs args = pointer(new KernelArgs(), src).layout(l[0]).int32(dimStride).int32(dimSize);
        pointer(args, index).layout(l[1]);
        pointer(args, out).layout(l[2]).pointer(device::errorRecord).int64(ticket).int32(dim).int64(n);
        device.launchChecked(kernel, device.grid(n), args, ticket, (i, value, d) -> outOfRange(op, value, dim, dimSize));
    }

    /** The CPU backend's message for an index out of range. */
    static IndexOutOfBoundsException outOfRange(String op, long index, int dim, int size) {
        return new IndexOutOfBoundsException(op + ": index " + index + " is out of bounds for dim " + dim
                + " with size " + size);
    }

    private static Layout withStride(Layout l, int dim, int stride) {
        int[] strides = l.strides().clone();
        strides[dim] = stride;
        return new Layout(l.shape(), strides, l.offset());
    }

    @Override
    public void random(RandomDistribution dist, long seed, long offset, Operand out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        CudaBuffer b = buffer(out);
        long first = out.layout().offset();
        KernelArgs args = new KernelArgs().pointer(() -> b.pointer(first)).int64(n).uint64(seed).uint64(offset);
        if (dist.kind() == RandomDistribution.Kind.INTEGERS) {
            args.int64(dist.low()).int64(dist.high());
        } else {
            args.float64(dist.a()).float64(dist.b());
        }
        // one thread per Philox block of 4 (2 for 64-bit values) elements
        long blocks = (n + 3) / 2 + 1;
        device.launch("nabla_random_" + lower(dist.kind()) + "_" + suffix(out.dtype()), device.grid(blocks), args);
    }

    /** One Adam/AdamW step (Backend#adamStep), the scalars computed as the CPU backend does. */
    @Override
    public void adamStep(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, double lr, double beta1,
                  double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        int n = param.numel();
        if (n == 0) {
            return;
        }
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        boolean coupled = weightDecay != 0 && !decoupled;
        double decay = weightDecay != 0 && decoupled ? 1 - lr * weightDecay : 1;
        double[] scalars = {decay, weightDecay, beta1, 1 - beta1, beta2, 1 - beta2, Math.sqrt(bc2), eps, -lr / bc1};
        KernelArgs args = new KernelArgs();
        for (Operand o : new Operand[]{param, grad, expAvg, expAvgSq}) {
            CudaBuffer b = buffer(o);
            long first = o.layout().offset();
            args.pointer(() -> b.pointer(first));
        }
        args.int64(n);
        boolean f32 = param.dtype() == DType.FLOAT32;
        scalar(args, scalars[0], f32).int32(coupled ? 1 : 0);
        for (int i = 1; i < scalars.length; i++) {
            scalar(args, scalars[i], f32);
        }
        device.launch("nabla_adam_" + suffix(param.dtype()), device.grid(n), args);
    }

    private static KernelArgs scalar(KernelArgs args, double value, boolean f32) {
        return f32 ? args.float32((float) value) : args.float64(value);
    }

    /** ReLU's gradient in one pass (Backend#reluBackward), contiguous operands. */
    @Override
    public void reluBackward(Operand grad, Operand input, Operand out) {
        int n = out.numel();
        if (n == 0) {
            return;
        }
        KernelArgs args = new KernelArgs();
        for (Operand o : new Operand[]{grad, input, out}) {
            CudaBuffer b = buffer(o);
            long first = o.layout().offset();
            args.pointer(() -> b.pointer(first));
        }
        args.int64(n);
        device.launch("nabla_relu_backward_" + suffix(out.dtype()), device.grid(n), args);
    }
}
