package dev.nabla.cuda;

import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;

/**
 * The primitives {@link CudaBackend} runs as its own kernels ({@link KernelLaunches}), behind an interface so that the
 * backend's own logic (memory, transfers, cuBLAS, cuDNN) stays apart from the launch details. Each
 * method is called on the caller's thread after {@link CudaBackend} has surfaced earlier errors and checked that the
 * operands are live {@link CudaBuffer}s of this device; it should queue its launches with
 * {@link CudaDevice#launch} (arguments: {@code KernelArgs}, buffers as {@code buffer::pointer} suppliers, layouts
 * jointly coalesced with {@code LayoutPacking.coalesceAndPack}) and return without waiting.
 *
 * <p>{@link #gather}, {@link #indexSelect} and {@link #scatterAdd} must report an out-of-range index (the testkit
 * wants an exception naming the op, at the latest when the result is read, and no access out of bounds): launch them
 * with {@link CudaDevice#launchChecked}, passing the device's error record and a ticket as the kernel's
 * {@code long long *status, long long ticket} (the ABI is in {@code runtime.DeviceErrors}); the backend's
 * {@code toArray} and {@code synchronize} check the record and rethrow the failure to the thread that queued it.
 *
 * <p>{@link #copy} gets only what the backend cannot do with a memcpy (strided, converting or overlapping copies);
 * {@link #fill} only what is not a memset; {@link #matmul} only what cuBLAS does not take (integer dtypes, half
 * dtypes if core ever sends them, or operand layouts no strided-batched GEMM describes).
 */
interface KernelOps {
    void fill(Operand dst, double value);

    void copy(Operand src, Operand dst);

    void unary(UnaryOp op, Operand x, Operand out, double alpha);

    void binary(BinaryOp op, Operand a, Operand b, Operand out);

    void where(Operand cond, Operand a, Operand b, Operand out);

    void reduce(ReduceOp op, Operand x, int[] dims, Operand out);

    void matmul(Operand a, Operand b, Operand out);

    void gather(Operand src, int dim, Operand index, Operand out);

    void scatterAdd(Operand dst, int dim, Operand index, Operand src);

    void indexSelect(Operand src, int dim, Operand index, Operand out);

    void random(RandomDistribution dist, long seed, long offset, Operand out);

    /** {@code x op scalar}, or {@code scalar op x} (Backend#binaryScalar). */
    void binaryScalar(BinaryOp op, Operand x, double scalar, boolean scalarOnLeft, Operand out);

    /** One Adam/AdamW step over contiguous operands (Backend#adamStep). */
    void adamStep(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, double lr, double beta1,
                  double beta2, double eps, double weightDecay, boolean decoupled, long step);

    /** ReLU's gradient over contiguous operands (Backend#reluBackward). */
    void reluBackward(Operand grad, Operand input, Operand out);
}
