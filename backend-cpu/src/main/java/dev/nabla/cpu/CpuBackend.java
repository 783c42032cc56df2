package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.cpu.kernels.Kernels;
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

/**
 * The pure-Java CPU backend: heap arrays, a size-bucketed buffer pool, strided elementwise and reduction
 * kernels (SIMD FLOAT32 kernels when the Vector API is enabled), a packed multi-threaded GEMM and
 * gather/scatter primitives. All work runs on one shared pool of daemon threads; see
 * {@link #setThreads(int)}. Results never depend on the number of threads.
 */
public final class CpuBackend implements Backend {
    private final FloatKernels kernels;
    private final BufferPool pool;
    private final Elementwise elementwise;
    private final Reductions reductions;
    private final MatMul matmul;
    private final Conv conv;
    private final Pool pooling;
    private final Optim optim;
    private final Norm norm;
    private final Quantized quantized;

    /** A backend with the JVM's FLOAT32 kernels and the default pool size. */
    public CpuBackend() {
        this(Kernels.floats(), BufferPool.defaultMaxBytes());
    }

    /** A backend with explicit kernels and pool size (tests use this to compare kernel sets). */
    public CpuBackend(FloatKernels kernels, long poolBytes) {
        this.kernels = kernels;
        this.pool = new BufferPool(poolBytes);
        this.elementwise = new Elementwise(kernels);
        this.reductions = new Reductions(kernels);
        this.matmul = new MatMul(kernels);
        this.conv = new Conv(kernels, pool);
        this.pooling = new Pool(kernels);
        this.optim = new Optim(kernels);
        this.norm = new Norm(kernels);
        this.quantized = new Quantized(kernels, matmul);
    }

    /** Number of threads CPU kernels use (the calling thread included). */
    public static int threads() {
        return Parallel.threads();
    }

    /**
     * Rows up to which {@link #quantizedLinear} multiplies in int8; above, float products on the quantized input
     * are faster here.
     */
    public static int quantizedLinearInt8Rows() {
        return Quantized.MAX_ROWS;
    }

    /**
     * Sets the number of threads CPU kernels use, for all CPU backends of this JVM. The default comes from
     * the system property {@code nabla.cpu.threads}, else the number of available processors.
     */
    public static void setThreads(int threads) {
        Parallel.setThreads(threads);
    }

    /** The FLOAT32 kernel set in use. */
    public FloatKernels kernels() {
        return kernels;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Buffer allocate(DType dtype, int numel) {
        if (numel < 0) {
            throw new IllegalArgumentException("numel must be >= 0, found " + numel);
        }
        return new CpuBuffer(dtype, pool.take(dtype, numel));
    }

    @Override
    public void release(Buffer buffer) {
        if (buffer instanceof CpuBuffer b) {
            pool.give(b.dtype(), b.detach());
        } else {
            throw new IllegalArgumentException("expected a buffer of the cpu backend, found "
                    + (buffer == null ? "null" : buffer.getClass().getName()));
        }
    }

    /** Bytes currently held by the buffer pool. */
    public long pooledBytes() {
        return pool.pooledBytes();
    }

    /** Drops all pooled arrays. */
    public void clearPool() {
        pool.clear();
    }

    @Override
    public Buffer fromArray(Object javaArray) {
        DType dtype = JavaArrays.dtypeOf(javaArray);
        int n = java.lang.reflect.Array.getLength(javaArray);
        Object a = pool.take(dtype, n);
        System.arraycopy(javaArray, 0, a, 0, n);
        return new CpuBuffer(dtype, a);
    }

    /** BFLOAT16 and FLOAT16 values come as a {@code short[]} of raw bits, copied as they are. */
    @Override
    public Buffer fromArray(Object javaArray, DType dtype) {
        if (!dtype.isHalf()) {
            return Backend.super.fromArray(javaArray, dtype);
        }
        if (!(javaArray instanceof short[] bits)) {
            throw new IllegalArgumentException("fromArray: " + dtype + " values cross as a short[] of raw bits, found "
                    + (javaArray == null ? "null" : javaArray.getClass().getTypeName()));
        }
        Object a = pool.take(dtype, bits.length);
        System.arraycopy(bits, 0, a, 0, bits.length);
        return new CpuBuffer(dtype, a);
    }

    @Override
    public Object toArray(Operand src) {
        int[] shape = src.shape();
        Object a = JavaArrays.newArray(src.dtype(), src.numel());
        Elementwise.copy(src, new Operand(new CpuBuffer(src.dtype(), a), Layout.contiguous(shape)));
        return a;
    }

    @Override
    public void copy(Operand src, Operand dst) {
        Elementwise.copy(src, dst);
    }

    @Override
    public void fill(Operand dst, double value) {
        Elementwise.fill(dst, value);
    }

    // ------------------------------------------------------------------ compute

    @Override
    public void unary(UnaryOp op, Operand x, Operand out, double alpha) {
        requireComputable(op, x);
        elementwise.unary(op, x, out, alpha);
    }

    @Override
    public void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        requireComputable(op, a);
        elementwise.binary(op, a, b, out);
    }

    @Override
    public Object hostArray(Buffer buffer) {
        return buffer instanceof CpuBuffer b ? b.array() : null;
    }

    /** From another backend: its {@link #toArray} result is a fresh array nobody else holds, so it becomes ours. */
    @Override
    public Buffer copyFrom(Backend source, Operand src) {
        if (source == this) {
            return null;
        }
        Object array = source.toArray(src);
        return new CpuBuffer(src.dtype(), array);
    }

    @Override
    public boolean isSynchronous() {
        return true;
    }

    @Override
    public void binaryScalar(BinaryOp op, Operand x, double scalar, boolean scalarOnLeft, Operand out) {
        // The number as a one-element heap array broadcast over x: no pooled buffer to take and give back, and the
        // kernels' vector-scalar loops see a stride-0 operand.
        CpuBuffer one = new CpuBuffer(x.dtype(), JavaArrays.newArray(x.dtype(), 1));
        Elementwise.fill(new Operand(one, Layout.contiguous()), scalar);
        Operand broadcast = new Operand(one, new Layout(x.shape(), new int[x.layout().rank()], 0));
        if (scalarOnLeft) {
            binary(op, broadcast, x, out);
        } else {
            binary(op, x, broadcast, out);
        }
    }

    @Override
    public void where(Operand cond, Operand a, Operand b, Operand out) {
        requireMovable("WHERE", a);
        elementwise.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        requireComputable(op, x);
        reductions.reduce(op, x, dims, out);
    }

    @Override
    public void matmul(Operand a, Operand b, Operand out) {
        requireComputable("MATMUL", a);
        matmul.matmul(a, b, out);
    }

    @Override
    public void gather(Operand src, int dim, Operand index, Operand out) {
        requireMovable("GATHER", src);
        Indexing.gather(src, dim, index, out);
    }

    @Override
    public void scatterAdd(Operand dst, int dim, Operand index, Operand src) {
        requireComputable("SCATTER_ADD", dst);
        Indexing.scatterAdd(dst, dim, index, src);
    }

    @Override
    public void indexSelect(Operand src, int dim, Operand index, Operand out) {
        requireMovable("INDEX_SELECT", src);
        Indexing.indexSelect(src, dim, index, out);
    }

    @Override
    public void random(RandomDistribution dist, long seed, long offset, Operand out) {
        RandomFill.fill(dist, seed, offset, out);
    }

    /** INT8 is never moved by where, gather or indexSelect here; half types are (they only hold values). */
    private static void requireMovable(Object op, Operand operand) {
        if (operand.dtype() == DType.INT8) {
            throw new UnsupportedOperationException("cpu backend: " + op + " is not supported for INT8 (a storage "
                    + "type: convert to a floating type first)");
        }
    }

    /**
     * INT8 is a storage type here: it is copied and converted, never computed on. BFLOAT16 and FLOAT16 are moved
     * (copy, convert, fill, where, gather, indexSelect) but not computed on: core runs arithmetic on half tensors in
     * FLOAT32 and rounds the result (see {@code dev.nabla.DType}), so these calls never reach here with half operands.
     */
    private static void requireComputable(Object op, Operand operand) {
        requireMovable(op, operand);
        if (operand.dtype().isHalf()) {
            throw new UnsupportedOperationException("cpu backend: " + op + " is not computed on " + operand.dtype()
                    + " operands (core computes half tensors in FLOAT32; convert to FLOAT32 first)");
        }
    }

    // ------------------------------------------------------------------ fast paths

    @Override
    public boolean conv2d(Operand x, Operand weight, Operand bias, Conv2dGeometry geometry, int groups,
                          FusedActivation activation, Operand out) {
        return conv.forward(x, weight, bias, geometry, groups, activation, out);
    }

    @Override
    public boolean linear(Operand x, Operand weight, Operand bias, FusedActivation activation, Operand out) {
        return matmul.linear(x, weight, bias, activation, out);
    }

    @Override
    public boolean quantizedLinear(Operand x, Operand weightQ, Operand weightScale, Operand weightFloat, Operand bias,
                                   double inputScale, FusedActivation activation, Operand out) {
        return quantized.linear(x, weightQ, weightScale, weightFloat, bias, inputScale, activation, out);
    }

    @Override
    public boolean conv2dBackwardData(Operand gradOut, Operand weight, Conv2dGeometry geometry, int groups,
                                      Operand gradIn) {
        return conv.backwardData(gradOut, weight, geometry, groups, gradIn);
    }

    @Override
    public boolean conv2dBackwardFilter(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                        Operand gradWeight) {
        return conv.backwardFilter(x, gradOut, geometry, groups, gradWeight, null);
    }

    @Override
    public boolean conv2dBackwardFilterAndBias(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                               Operand gradWeight, Operand gradBias) {
        return conv.backwardFilter(x, gradOut, geometry, groups, gradWeight, gradBias);
    }

    @Override
    public boolean maxPool2d(Operand x, Conv2dGeometry geometry, Operand out) {
        return pooling.maxPool2d(x, geometry, out);
    }

    @Override
    public boolean maxPool2dBackward(Operand gradOut, Operand x, Conv2dGeometry geometry, Operand gradIn) {
        return pooling.maxPool2dBackward(gradOut, x, geometry, gradIn);
    }

    @Override
    public boolean maxPool2dReluBackward(Operand gradOut, Operand reluOut, Conv2dGeometry geometry, Operand gradIn) {
        return pooling.maxPool2dReluBackward(gradOut, reluOut, geometry, gradIn);
    }

    @Override
    public boolean reluBackward(Operand grad, Operand input, Operand out) {
        return elementwise.reluBackward(grad, input, out);
    }

    /** FLOAT32 for every fast path; the fused Adam step in FLOAT64 too. */
    @Override
    public boolean supports(FastPath path, DType dtype) {
        return dtype == DType.FLOAT32 || (path == FastPath.ADAM_STEP && dtype == DType.FLOAT64);
    }

    @Override
    public boolean batchNormStats(Operand x, Operand out) {
        return norm.stats(x, out);
    }

    @Override
    public boolean batchNorm(Operand x, Operand mean, Operand var, Operand weight, Operand bias, double eps,
                             Operand out) {
        return norm.forward(x, mean, var, weight, bias, eps, out);
    }

    @Override
    public boolean batchNormBackward(Operand gradOut, Operand x, Operand mean, Operand var, Operand weight,
                                     double eps, boolean training, Operand gradIn, Operand gradWeight,
                                     Operand gradBias) {
        return norm.backward(gradOut, x, mean, var, weight, eps, training, gradIn, gradWeight, gradBias);
    }

    @Override
    public boolean adamStep(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, double lr, double beta1,
                            double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        return optim.adamStep(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, decoupled, step);
    }

    @Override
    public String toString() {
        return "CpuBackend[" + kernels.description() + ", " + threads() + " threads]";
    }
}
