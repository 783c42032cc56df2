package dev.nabla.cuda.kernels;

import dev.nabla.DType;
import dev.nabla.HalfFloats;
import dev.nabla.cuda.runtime.LayoutPacking;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.Layout;
import dev.nabla.spi.RandomDistribution;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;

import java.util.Arrays;
import java.util.Locale;

/**
 * The launches that implement the {@code Backend} primitives with the kernels of {@code src/main/cuda}: kernel
 * names, argument order and types, host-side conversions, layout merging and launch shapes, in one place, so the
 * backend only turns a {@link KernelCall} into {@code cuLaunchKernel}. Device pointers are opaque here (the caller's
 * {@code CUdeviceptr}s): strided operands take the buffer's base pointer and their {@link Layout} (its offset goes
 * into the NablaLayout); the contiguous-only kernels (random, adam, relu backward, pooling, batch norm) take a
 * pointer that already points at the operand's first element. Pure logic; the emulation tests run every call.
 */
public final class KernelCalls {
    /** Threads per block of the grid-stride kernels. */
    public static final int THREADS = 256;
    /** The grid is capped at this many blocks (grid-stride loops cover the rest): a few waves of any GPU. */
    public static final int MAX_GRID = 8192;

    private KernelCalls() {
    }

    /** The kernels' dtype suffix. */
    public static String suffix(DType d) {
        return switch (d) {
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

    private static String name(Enum<?> op) {
        return op.name().toLowerCase(Locale.ROOT);
    }

    /** Blocks for {@code n} work items of {@code block} threads, at least 1, at most {@link #MAX_GRID}. */
    public static int grid(long n, int block) {
        return (int) Math.max(1, Math.min(MAX_GRID, (n + block - 1) / block));
    }

    private static UnsupportedOperationException unsupported(Object op, DType d) {
        return new UnsupportedOperationException("cuda backend: " + op + " is not supported for " + d);
    }

    /**
     * A grid-stride launch over {@code n} items; null when {@code n == 0}: nothing to do, and an empty operand has
     * no device memory to pass.
     */
    private static KernelCall elementwise(String module, String kernel, long n, Object... args) {
        if (n == 0) {
            return null;
        }
        return new KernelCall(module, kernel, grid(n, THREADS), THREADS, args);
    }

    // ------------------------------------------------------------------ element-wise

    /** {@code Backend#unary}. */
    public static KernelCall unary(UnaryOp op, DType d, Object x, Layout lx, Object out, Layout lo, double alpha) {
        boolean ok = switch (d) {
            case FLOAT32, FLOAT64 -> op != UnaryOp.LOGICAL_NOT;
            case INT32, INT64 -> op.supportsIntegers();
            case BOOL -> op == UnaryOp.LOGICAL_NOT;
            default -> false;
        };
        if (!ok) {
            throw unsupported(op, d);
        }
        int[][] l = LayoutPacking.coalesceAndPack(lx, lo);
        long n = lo.numel();
        return elementwise("unary", "nabla_" + name(op) + "_" + suffix(d), n, x, l[0], out, l[1], n, alpha);
    }

    private static void checkBinary(BinaryOp op, DType d) {
        boolean ok = switch (d) {
            case FLOAT32, FLOAT64 -> !op.isLogical();
            case INT32, INT64 -> !op.isLogical() && op != BinaryOp.DIV && op != BinaryOp.POW;
            case BOOL -> op.isLogical() || op.isComparison() || op == BinaryOp.MUL || op == BinaryOp.MAXIMUM
                    || op == BinaryOp.MINIMUM;
            default -> false;
        };
        if (!ok) {
            throw unsupported(op, d);
        }
    }

    /** {@code Backend#binary}; {@code d} is the inputs' dtype (comparisons and logical ops write BOOL). */
    public static KernelCall binary(BinaryOp op, DType d, Object a, Layout la, Object b, Layout lb, Object out,
                                    Layout lo) {
        checkBinary(op, d);
        int[][] l = LayoutPacking.coalesceAndPack(la, lb, lo);
        long n = lo.numel();
        return elementwise("binary", "nabla_" + name(op) + "_" + suffix(d), n, a, l[0], b, l[1], out, l[2], n);
    }

    /** {@code Backend#binaryScalar}: out = scalarOnLeft ? scalar op x : x op scalar. */
    public static KernelCall binaryScalar(BinaryOp op, DType d, Object x, Layout lx, double scalar, boolean scalarOnLeft,
                                          Object out, Layout lo) {
        checkBinary(op, d);
        int[][] l = LayoutPacking.coalesceAndPack(lx, lo);
        long n = lo.numel();
        return elementwise("binary", "nabla_" + name(op) + "_scalar_" + suffix(d), n, x, l[0], scalar,
                scalarOnLeft ? 1 : 0, out, l[1], n);
    }

    /** {@code Backend#where}; {@code d} is a's, b's and out's dtype. */
    public static KernelCall where(DType d, Object cond, Layout lc, Object a, Layout la, Object b, Layout lb, Object out,
                                   Layout lo) {
        int[][] l = LayoutPacking.coalesceAndPack(lc, la, lb, lo);
        long n = lo.numel();
        return elementwise("where", "nabla_where_" + suffix(d), n, cond, l[0], a, l[1], b, l[2], out, l[3], n);
    }

    /** {@code Backend#copy} from {@code from} to {@code to}. */
    public static KernelCall copy(DType from, Object src, Layout ls, DType to, Object dst, Layout ld) {
        int[][] l = LayoutPacking.coalesceAndPack(ls, ld);
        long n = ld.numel();
        return elementwise("cast", "nabla_cast_" + suffix(from) + "_" + suffix(to), n, src, l[0], dst, l[1], n);
    }

    /** {@code Backend#fill}: the value converted as the CPU backend's Elementwise.fill does. */
    public static KernelCall fill(DType d, Object out, Layout lo, double value) {
        Object v = switch (d) {
            case FLOAT32 -> (float) value;
            case FLOAT64 -> value;
            case INT32 -> (int) value;
            case INT64 -> (long) value;
            case BOOL -> value != 0 ? 1 : 0;
            case INT8 -> (int) (byte) (long) value;
            case BFLOAT16, FLOAT16 -> HalfFloats.fromFloat(d, (float) value) & 0xFFFF;
        };
        int[] l = LayoutPacking.coalesceAndPack(lo)[0];
        long n = lo.numel();
        return elementwise("fill", "nabla_fill_" + suffix(d), n, out, l, n, v);
    }

    // ------------------------------------------------------------------ reductions

    /**
     * {@code Backend#reduce}: null when out is empty (nothing to do); a fill (0 for SUM, 1 for PROD) when the reduced
     * axes are empty; else the block-per-output or the thread-per-output kernel, whichever suits the plan.
     *
     * @throws IllegalArgumentException for MAX/MIN/ARGMAX/ARGMIN over an empty axis (the CPU backend's message)
     */
    public static KernelCall reduce(ReduceOp op, DType d, Object x, Layout lx, int[] dims, Object out, Layout lo) {
        boolean ok = switch (d) {
            case FLOAT32, FLOAT64, INT32, INT64 -> true;
            case BOOL -> op == ReduceOp.MAX || op == ReduceOp.MIN;
            default -> false;
        };
        if (!ok) {
            throw unsupported(op, d);
        }
        if (lo.numel() == 0) {
            return null;
        }
        ReducePlan p = ReducePlan.of(lx, lo, dims);
        if (p.nRed() == 0) {
            return switch (op) {
                case SUM -> fill(d, out, lo, 0);
                case PROD -> fill(d, out, lo, 1);
                default -> throw new IllegalArgumentException(op + " of an empty axis is undefined (x shape "
                        + Arrays.toString(lx.shape()) + ", dims " + Arrays.toString(dims) + ")");
            };
        }
        Object[] args = {x, LayoutPacking.pack(p.kept()), LayoutPacking.pack(p.reduced()), out,
            LayoutPacking.pack(p.keptOut()), (long) p.nOut(), (long) p.nRed()};
        if (p.preferBlockPerOutput()) {
            return new KernelCall("reduce", "nabla_reduce_" + name(op) + "_" + suffix(d), Math.min(p.nOut(), MAX_GRID),
                    ReducePlan.BLOCK_THREADS, args);
        }
        return new KernelCall("reduce", "nabla_reduce_thread_" + name(op) + "_" + suffix(d), grid(p.nOut(), THREADS),
                THREADS, args);
    }

    /** Bytes of one accumulator of the split reduction kernels (see reduce.cu). */
    public static int reduceAccumulatorBytes(ReduceOp op, DType d) {
        return switch (op) {
            case ARGMAX, ARGMIN -> 16;
            case SUM, PROD -> d == DType.INT32 ? 4 : 8;
            case MAX, MIN -> d.byteSize();
        };
    }

    /**
     * Device scratch that {@link #reduce(ReduceOp, DType, Object, Layout, int[], Object, Layout, Object)} needs for
     * this reduction: 0 when it runs as one launch, else {@code nOut * splits * reduceAccumulatorBytes}.
     */
    public static long reduceScratchBytes(ReduceOp op, DType d, Layout lx, int[] dims, Layout lo) {
        if (lo.numel() == 0) {
            return 0;
        }
        ReducePlan p = ReducePlan.of(lx, lo, dims);
        if (p.nRed() == 0 || p.splits() == 1) {
            return 0;
        }
        return (long) p.nOut() * p.splits() * reduceAccumulatorBytes(op, d);
    }

    /**
     * {@code Backend#reduce} with the split kernels where they pay: the launches in order (empty when there is
     * nothing to do). {@code scratch} is device memory of {@link #reduceScratchBytes} bytes, or null when that is 0
     * (then one launch, as {@link #reduce(ReduceOp, DType, Object, Layout, int[], Object, Layout)}).
     */
    public static KernelCall[] reduce(ReduceOp op, DType d, Object x, Layout lx, int[] dims, Object out, Layout lo,
                                      Object scratch) {
        KernelCall one = reduce(op, d, x, lx, dims, out, lo);
        if (one == null) {
            return new KernelCall[0];
        }
        if (scratch == null || !one.module().equals("reduce")) {
            return new KernelCall[] {one};
        }
        ReducePlan p = ReducePlan.of(lx, lo, dims);
        int splits = p.splits();
        if (splits == 1) {
            return new KernelCall[] {one};
        }
        String tail = name(op) + "_" + suffix(d);
        long blocks = (long) p.nOut() * splits;
        return new KernelCall[] {
            new KernelCall("reduce", "nabla_reduce_partial_" + tail, (int) Math.min(blocks, MAX_GRID),
                    ReducePlan.BLOCK_THREADS, new Object[] {x, LayoutPacking.pack(p.kept()), LayoutPacking.pack(p.reduced()),
                        scratch, (long) p.nOut(), (long) p.nRed(), splits}),
            new KernelCall("reduce", "nabla_reduce_finish_" + tail, grid(p.nOut(), THREADS), THREADS,
                    new Object[] {scratch, out, LayoutPacking.pack(p.keptOut()), (long) p.nOut(), splits})};
    }

    // ------------------------------------------------------------------ matmul

    /**
     * {@code Backend#matmul} for what cuBLAS does not take (integer dtypes, layouts no strided-batched GEMM describes):
     * a [B, M, K] times b [B, K, N] into out [B, M, N], a batch of one broadcasting. Null when out is empty.
     */
    public static KernelCall matmul(DType d, Object a, Layout la, Object b, Layout lb, Object out, Layout lo) {
        if (d != DType.FLOAT32 && d != DType.FLOAT64 && d != DType.INT32 && d != DType.INT64) {
            throw unsupported("matmul", d);
        }
        int batch = lo.shape()[0], m = lo.shape()[1], n = lo.shape()[2], k = la.shape()[2];
        long total = (long) batch * m * n;
        if (total == 0) {
            return null;
        }
        if (k == 0) {
            return fill(d, out, lo, 0);
        }
        return elementwise("matmul", "nabla_matmul_" + suffix(d), total, a, b, out, batch, m, n, k,
                la.shape()[0] == 1 ? 0 : la.strides()[0], la.strides()[1], la.strides()[2],
                lb.shape()[0] == 1 ? 0 : lb.strides()[0], lb.strides()[1], lb.strides()[2],
                lo.strides()[0], lo.strides()[1], lo.strides()[2], la.offset(), lb.offset(), lo.offset());
    }

    // ------------------------------------------------------------------ indexing

    /** Error codes of the index kernels' error record (see index.cu). */
    public static final int ERR_GATHER = 1, ERR_SCATTER_ADD = 2, ERR_INDEX_SELECT = 3;

    /** The operation an error record's code names, for the exception message. */
    public static String errorOp(long code) {
        return code == ERR_GATHER ? "gather" : code == ERR_SCATTER_ADD ? "scatterAdd" : code == ERR_INDEX_SELECT
                ? "indexSelect" : "index op " + code;
    }

    /**
     * The exception an error record ({@code long[5]} read from the device) stands for, or null for none: the CPU
     * backend's message.
     */
    public static IndexOutOfBoundsException indexError(long[] record) {
        if (record[0] == 0) {
            return null;
        }
        return new IndexOutOfBoundsException(errorOp(record[0]) + ": index " + record[2] + " is out of bounds for dim "
                + record[3] + " with size " + record[4]);
    }

    private static int[] withZero(int[] s, int dim) {
        int[] r = s.clone();
        r[dim] = 0;
        return r;
    }

    /** {@code Backend#gather}; {@code err} is the device's 5-long error record. Null when index is empty. */
    public static KernelCall gather(DType d, Object src, Layout ls, int dim, Object index, Layout li, Object out,
                                    Layout lo, Object err) {
        return gather(d, src, ls, dim, index, li, out, lo, err, ERR_GATHER);
    }

    /** {@link #gather} whose error record names {@code errTag} (a positive int: the launch's ticket) on failure. */
    public static KernelCall gather(DType d, Object src, Layout ls, int dim, Object index, Layout li, Object out,
                                    Layout lo, Object err, int errTag) {
        long n = li.numel();
        if (n == 0) {
            return null;
        }
        Layout srcView = new Layout(li.shape(), withZero(ls.strides(), dim), ls.offset());
        int[][] l = LayoutPacking.coalesceAndPack(srcView, li, lo);
        return elementwise("index", "nabla_gather_" + suffix(d), n, src, l[0], ls.strides()[dim], ls.shape()[dim], index,
                l[1], out, l[2], err, errTag, dim, n);
    }

    /** {@code Backend#indexSelect} (the gather kernel with a broadcast index). Null when out is empty. */
    public static KernelCall indexSelect(DType d, Object src, Layout ls, int dim, Object index, Layout li, Object out,
                                         Layout lo, Object err) {
        return indexSelect(d, src, ls, dim, index, li, out, lo, err, ERR_INDEX_SELECT);
    }

    /** {@link #indexSelect} whose error record names {@code errTag} on failure. */
    public static KernelCall indexSelect(DType d, Object src, Layout ls, int dim, Object index, Layout li, Object out,
                                         Layout lo, Object err, int errTag) {
        long n = lo.numel();
        if (n == 0) {
            return null;
        }
        Layout srcView = new Layout(lo.shape(), withZero(ls.strides(), dim), ls.offset());
        int[] istr = new int[lo.rank()];
        istr[dim] = li.rank() == 0 ? 0 : li.strides()[0];
        Layout idxView = new Layout(lo.shape(), istr, li.offset());
        int[][] l = LayoutPacking.coalesceAndPack(srcView, idxView, lo);
        return elementwise("index", "nabla_gather_" + suffix(d), n, src, l[0], ls.strides()[dim], ls.shape()[dim], index,
                l[1], out, l[2], err, errTag, dim, n);
    }

    /** {@code Backend#scatterAdd} (atomic adds). Null when index is empty. */
    public static KernelCall scatterAdd(DType d, Object dst, Layout ld, int dim, Object index, Layout li, Object src,
                                        Layout lsrc, Object err) {
        return scatterAdd(d, dst, ld, dim, index, li, src, lsrc, err, ERR_SCATTER_ADD);
    }

    /** {@link #scatterAdd} whose error record names {@code errTag} on failure. */
    public static KernelCall scatterAdd(DType d, Object dst, Layout ld, int dim, Object index, Layout li, Object src,
                                        Layout lsrc, Object err, int errTag) {
        if (d != DType.INT32 && d != DType.INT64 && d != DType.FLOAT32 && d != DType.FLOAT64) {
            throw unsupported("scatterAdd", d);
        }
        long n = li.numel();
        if (n == 0) {
            return null;
        }
        Layout dstView = new Layout(li.shape(), withZero(ld.strides(), dim), ld.offset());
        Layout srcView = new Layout(li.shape(), lsrc.strides(), lsrc.offset());
        int[][] l = LayoutPacking.coalesceAndPack(dstView, li, srcView);
        return elementwise("index", "nabla_scatter_add_" + suffix(d), n, dst, l[0], ld.strides()[dim], ld.shape()[dim],
                index, l[1], src, l[2], err, errTag, dim, n);
    }

    // ------------------------------------------------------------------ random, optimizer, fused paths

    /** {@code Backend#random} into {@code n} contiguous elements at {@code outAtFirst}. Null when n is 0. */
    public static KernelCall random(RandomDistribution dist, DType d, long seed, long offset, Object outAtFirst, int n) {
        if (!dist.supports(d)) {
            throw unsupported("random " + dist.kind(), d);
        }
        if (n == 0) {
            return null;
        }
        int lanes = dist.lanes(d);
        long blocks = (Long.remainderUnsigned(offset, lanes) + n + lanes - 1) / lanes;
        String kernel = "nabla_random_" + name(dist.kind()) + "_" + suffix(d);
        Object a = dist.kind() == RandomDistribution.Kind.INTEGERS ? (Object) dist.low() : (Object) dist.a();
        Object b = dist.kind() == RandomDistribution.Kind.INTEGERS ? (Object) dist.high() : (Object) dist.b();
        return new KernelCall("random", kernel, grid(blocks, THREADS), THREADS,
                new Object[] {outAtFirst, (long) n, seed, offset, a, b});
    }

    /**
     * {@code Backend#adamStep} over {@code n} contiguous elements (pointers at the first element), FLOAT32 or
     * FLOAT64, with the step's scalars computed as the CPU backend's Optim does.
     */
    public static KernelCall adam(DType d, Object param, Object grad, Object expAvg, Object expAvgSq, int n, double lr,
                                  double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                                  long step) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        boolean coupled = weightDecay != 0 && !decoupled;
        double decay = weightDecay != 0 && decoupled ? 1 - lr * weightDecay : 1;
        double sqrtBc2 = Math.sqrt(bc2);
        double stepScale = -lr / bc1;
        Object[] args = switch (d) {
            case FLOAT32 -> new Object[] {param, grad, expAvg, expAvgSq, (long) n, (float) decay, coupled ? 1 : 0,
                (float) weightDecay, (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2),
                (float) sqrtBc2, (float) eps, (float) stepScale};
            case FLOAT64 -> new Object[] {param, grad, expAvg, expAvgSq, (long) n, decay, coupled ? 1 : 0, weightDecay,
                beta1, 1 - beta1, beta2, 1 - beta2, sqrtBc2, eps, stepScale};
            default -> throw unsupported("adamStep", d);
        };
        return elementwise("optim", "nabla_adam_" + suffix(d), n, args);
    }

    /** {@code Backend#reluBackward} over {@code n} contiguous elements. */
    public static KernelCall reluBackward(DType d, Object grad, Object input, Object out, int n) {
        if (d != DType.FLOAT32 && d != DType.FLOAT64) {
            throw unsupported("reluBackward", d);
        }
        return elementwise("optim", "nabla_relu_backward_" + suffix(d), n, grad, input, out, (long) n);
    }

    private static Object[] poolArgs(int[] xShape, Conv2dGeometry g) {
        int h = xShape[2], w = xShape[3];
        return new Object[] {xShape[0] * xShape[1], h, w, g.outHeight(h), g.outWidth(w), g.kernelH(), g.kernelW(),
            g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilationH(), g.dilationW()};
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** {@code Backend#maxPool2d}: x [N, C, H, W] contiguous, out [N, C, OH, OW] (pointers at the first element). */
    public static KernelCall maxPool2d(DType d, Object x, int[] xShape, Conv2dGeometry g, Object out) {
        Object[] p = poolArgs(xShape, g);
        long n = (long) (int) p[0] * (int) p[3] * (int) p[4];
        return elementwise("pool", "nabla_max_pool2d_" + suffix(d), n, concat(new Object[] {x, out}, p));
    }

    /** {@code Backend#maxPool2dBackward} ({@code relu}: {@code maxPool2dReluBackward}, x is the ReLU's output). */
    public static KernelCall maxPool2dBackward(DType d, Object gradOut, Object x, int[] xShape, Conv2dGeometry g,
                                               Object gradIn, boolean relu) {
        Object[] p = poolArgs(xShape, g);
        long n = (long) xShape[0] * xShape[1] * xShape[2] * xShape[3];
        return elementwise("pool", "nabla_max_pool2d_backward_" + suffix(d), n,
                concat(concat(new Object[] {gradOut, x, gradIn}, p), relu ? 1 : 0));
    }

    /** [N, C, S] of a batch-norm input shape. */
    private static int[] ncs(int[] shape) {
        int s = 1;
        for (int k = 2; k < shape.length; k++) {
            s *= shape[k];
        }
        return new int[] {shape[0], shape[1], s};
    }

    /** {@code Backend#batchNormStats} (FLOAT32): out [2, C]. */
    public static KernelCall batchNormStats(Object x, int[] xShape, Object out) {
        int[] v = ncs(xShape);
        return new KernelCall("norm", "nabla_batch_norm_stats_f32", Math.min(v[1], MAX_GRID), 256,
                new Object[] {x, out, v[0], v[1], v[2]});
    }

    /**
     * {@code Backend#batchNorm} (FLOAT32): two launches; {@code coef} is device scratch of 2C floats.
     */
    public static KernelCall[] batchNorm(Object x, int[] xShape, Object mean, Object var, Object weight, Object bias,
                                         double eps, Object coef, Object out) {
        int[] v = ncs(xShape);
        long total = (long) v[0] * v[1] * v[2];
        return new KernelCall[] {
            elementwise("norm", "nabla_batch_norm_coefficients_f32", v[1], mean, var, weight, bias, eps, coef, v[1]),
            elementwise("norm", "nabla_batch_norm_apply_f32", total, x, coef, out, total, v[1], v[2])};
    }

    /**
     * {@code Backend#batchNormBackward} (FLOAT32): the sums, then (unless gradIn is null) the input gradient;
     * {@code coef} is device scratch of 3C floats.
     */
    public static KernelCall[] batchNormBackward(Object gradOut, Object x, int[] xShape, Object mean, Object var,
                                                 Object weight, double eps, boolean training, Object gradIn,
                                                 Object gradWeight, Object gradBias, Object coef) {
        int[] v = ncs(xShape);
        long total = (long) v[0] * v[1] * v[2];
        KernelCall sums = new KernelCall("norm", "nabla_batch_norm_backward_sums_f32", Math.min(v[1], MAX_GRID), 256,
                new Object[] {gradOut, x, mean, var, weight, eps, training ? 1 : 0, gradWeight, gradBias, coef, v[0], v[1],
                    v[2]});
        if (gradIn == null) {
            return new KernelCall[] {sums};
        }
        return new KernelCall[] {sums, elementwise("norm", "nabla_batch_norm_backward_input_f32", total, gradOut, x, mean,
                coef, gradIn, total, v[1], v[2], training ? 1 : 0)};
    }
}
