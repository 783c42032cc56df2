package dev.nabla.spi;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.engine.Backends;

import java.util.concurrent.CompletableFuture;

/**
 * The strided primitives a backend implements. Core checks shapes and dtypes before every call,
 * so a backend may assume its arguments are consistent:
 * <ul>
 *   <li>inputs of one call share the output's shape (core has already applied broadcasting by
 *       giving broadcast axes a stride of 0);</li>
 *   <li>the output operand never has zero strides, but it may be strided (in-place updates of a view)
 *       and may alias an input element-for-element (in-place ops);</li>
 *   <li>index operands are INT64.</li>
 * </ul>
 * Backends know nothing of autograd or tracing.
 *
 * <p><b>Threads, ordering and errors.</b> A backend may run its work asynchronously (a GPU stream), as the strict
 * test backend does; core is written for that:
 * <ul>
 *   <li>Several threads call one backend (the training thread, a data loader's thread, the {@code Cleaner} thread
 *       through {@link #release}): every method must be thread-safe, and work from one thread runs in the order it
 *       was called.</li>
 *   <li>When a call returns, core may drop its references to the operands at once (it keeps them reachable only
 *       until then). So {@link #release} must be ordered after the work already queued on the buffer (a
 *       stream-ordered free), and it may come from any thread.</li>
 *   <li>{@link #toArray} and {@link #synchronize} wait for the queued work. An error that queued work raises (an
 *       index out of range in {@link #gather}, {@link #indexSelect} or {@link #scatterAdd}) may surface at one of
 *       them, or at a later call from the same thread, rather than at the call that queued it; it must never be
 *       lost, and {@link #release} must not report (and so consume) it.</li>
 *   <li>Core never reads a backend's memory other than through {@link #toArray}, {@link #toArrayAsync} and another
 *       backend's {@link #copyFrom}, and never assumes that new memory is zeroed.</li>
 * </ul>
 */
public interface Backend {
    String name();

    Device device();

    // ---- memory

    /** A new buffer of {@code numel} elements; contents are unspecified. */
    Buffer allocate(DType dtype, int numel);

    /**
     * Returns a buffer the caller will never use again. Called from any thread (often the {@code Cleaner}'s); the
     * memory may be reused only once the work queued on it before this call is done.
     */
    void release(Buffer buffer);

    /**
     * A new buffer holding a copy of a {@code float[]}, {@code double[]}, {@code long[]}, {@code int[]}, {@code boolean[]}
     * or {@code byte[]} (INT8).
     */
    Buffer fromArray(Object javaArray);

    /**
     * A new buffer of {@code dtype} holding a copy of {@code javaArray}. BFLOAT16 and FLOAT16 have no Java array
     * type of their own: they cross this interface as a {@code short[]} of raw bits (see {@link dev.nabla.HalfFloats})
     * together with their dtype; every other dtype passes the array {@link #fromArray(Object)} takes. The default
     * decodes half bits to a FLOAT32 buffer and converts it with {@link #copy} (exact), so a backend that allocates
     * and converts half buffers needs nothing more; a backend may override it to copy the bits directly.
     */
    default Buffer fromArray(Object javaArray, DType dtype) {
        if (!dtype.isHalf()) {
            Buffer b = fromArray(javaArray);
            if (b.dtype() != dtype) {
                release(b);
                throw new IllegalArgumentException("fromArray: a " + javaArray.getClass().getTypeName()
                        + " holds " + b.dtype() + ", not " + dtype);
            }
            return b;
        }
        if (!(javaArray instanceof short[] bits)) {
            throw new IllegalArgumentException("fromArray: " + dtype + " values cross as a short[] of raw bits, found "
                    + (javaArray == null ? "null" : javaArray.getClass().getTypeName()));
        }
        Buffer floats = fromArray(dev.nabla.HalfFloats.toFloats(dtype, bits));
        try {
            Buffer half = allocate(dtype, bits.length);
            try {
                copy(new Operand(floats, Layout.contiguous(bits.length)), new Operand(half, Layout.contiguous(bits.length)));
            } catch (RuntimeException | Error e) {
                release(half);
                throw e;
            }
            return half;
        } finally {
            release(floats);
        }
    }

    /**
     * The elements of {@code src} in row-major order, as a new Java array of its dtype's type: a {@code short[]} of
     * raw bits for BFLOAT16 and FLOAT16.
     */
    Object toArray(Operand src);

    /**
     * {@link #toArray} without waiting: the returned future completes with the same array once the work queued before
     * this call is done. An error of that work completes it exceptionally (and is then not reported again). Dependent
     * stages may run on a thread of the backend's choosing, never its own device thread, so they may call the backend.
     * The default waits and returns a completed future, which is right for a synchronous backend.
     */
    default CompletableFuture<Object> toArrayAsync(Operand src) {
        try {
            return CompletableFuture.completedFuture(toArray(src));
        } catch (RuntimeException | Error e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A new buffer of this backend holding the elements of {@code src} (contiguous, possibly at an offset), which
     * lives on {@code source}, another backend, without a Java array in between where this backend can: a peer copy
     * between two GPUs, a device reading {@code source}'s {@link #hostArray}, or the CPU taking {@code source}'s
     * {@link #toArray} result as its own memory. Null when it cannot; core then copies through a Java array
     * ({@code source.toArray}, then {@link #fromArray(Object, DType)}).
     */
    default Buffer copyFrom(Backend source, Operand src) {
        return null;
    }

    /**
     * The Java array that holds {@code buffer}'s elements, for a backend whose memory is the Java heap (the CPU), so
     * that another backend's {@link #copyFrom} can read it without a copy; null for every other backend. The caller
     * only reads it, and only while the buffer is live.
     */
    default Object hostArray(Buffer buffer) {
        return null;
    }

    /** Copies {@code src} into {@code dst} (same shape), converting the dtype if they differ. */
    void copy(Operand src, Operand dst);

    void fill(Operand dst, double value);

    // ---- compute

    void unary(UnaryOp op, Operand x, Operand out, double alpha);

    void binary(BinaryOp op, Operand a, Operand b, Operand out);

    /**
     * {@code out = x op scalar}, or {@code scalar op x} with {@code scalarOnLeft}: a binary op whose second operand
     * is a number (a Java scalar in {@code x.mul(2)}), passed as an attribute so that it needs no device memory.
     * {@code scalar} is exactly representable in {@code x}'s dtype ({@link DType#convert}); the result is what
     * {@link #binary} gives with a one-element operand of that value broadcast to {@code x}'s shape, which is what
     * the default does (allocating that operand). A device backend overrides it to pass the number to its kernel.
     */
    default void binaryScalar(BinaryOp op, Operand x, double scalar, boolean scalarOnLeft, Operand out) {
        Buffer one = allocate(x.dtype(), 1);
        try {
            fill(new Operand(one, Layout.contiguous()), scalar);
            Operand broadcast = new Operand(one, new Layout(x.shape(), new int[x.layout().rank()], 0));
            if (scalarOnLeft) {
                binary(op, broadcast, x, out);
            } else {
                binary(op, x, broadcast, out);
            }
        } finally {
            release(one);
        }
    }

    /** {@code out = cond ? a : b}; {@code cond} is BOOL. */
    void where(Operand cond, Operand a, Operand b, Operand out);

    /**
     * Reduces {@code x} over {@code dims} (sorted, distinct). {@code out} has {@code x}'s rank with the
     * reduced axes of size 1. ARGMAX/ARGMIN are called with exactly one axis.
     */
    void reduce(ReduceOp op, Operand x, int[] dims, Operand out);

    /** Batched matrix product: {@code a} is [B, M, K], {@code b} is [B, K, N], {@code out} is [B, M, N]. */
    void matmul(Operand a, Operand b, Operand out);

    /** {@code out[i][j][k] = src[index[i][j][k]][j][k]} for dim 0, and so on; out has index's shape. */
    void gather(Operand src, int dim, Operand index, Operand out);

    /** {@code dst[index[i][j][k]][j][k] += src[i][j][k]} for dim 0, and so on, in place. */
    void scatterAdd(Operand dst, int dim, Operand index, Operand src);

    /** Selects slices of {@code src} along {@code dim} by the 1-D {@code index}. */
    void indexSelect(Operand src, int dim, Operand index, Operand out);

    /**
     * Fills {@code out} (contiguous, possibly at a non-zero offset) with random numbers made on the device: element
     * {@code i} is element {@code offset + i} of the Philox4x32-10 stream keyed by {@code seed}, converted as
     * {@link RandomDistribution} defines, so that every backend makes the same values from the same seed and offset
     * ({@link dev.nabla.random.Philox#reference} is the reference). Core has checked that {@code dist} supports
     * {@code out}'s dtype. The values must not depend on how the work is split (threads, blocks).
     */
    void random(RandomDistribution dist, long seed, long offset, Operand out);

    // ---- optional fast paths: called only where supports(path, dtype) is true; return false to let core compute
    // ---- the op from the primitives above

    /**
     * Whether this backend has {@code path} for operands of {@code dtype}. Core asks before it allocates the output of
     * a fast path and calls the path only when this is true; the path may still decline a call (a shape it does not
     * handle) by returning false, and core then computes the op from the primitives. A backend without fast paths
     * need not override this; one that implements a fast path must, or core never calls it.
     */
    default boolean supports(FastPath path, DType dtype) {
        return false;
    }

    /**
     * {@code out} [N, O, OH, OW] = convolution of {@code x} [N, C, H, W] with {@code weight}
     * [O, C/groups, kh, kw], plus {@code bias} [O] per output channel unless it is null, then {@code activation}
     * (a backend adds the bias and applies the activation while writing the output, saving passes). All operands
     * contiguous.
     */
    default boolean conv2d(Operand x, Operand weight, Operand bias, Conv2dGeometry geometry, int groups,
                           FusedActivation activation, Operand out) {
        return false;
    }

    /**
     * {@code out} [M, O] = {@code activation(x weight^T + bias)} for {@code x} [M, K], {@code weight} [O, K] and
     * {@code bias} [O] (or null): a fully connected layer whose bias and activation are applied as each output block
     * is finished. All operands contiguous and of one floating dtype. Core otherwise runs matmul, add and the
     * activation as separate passes.
     */
    default boolean linear(Operand x, Operand weight, Operand bias, FusedActivation activation, Operand out) {
        return false;
    }

    /** {@code gradIn} [N, C, H, W] = gradient of conv2d's input given {@code gradOut} [N, O, OH, OW]. */
    default boolean conv2dBackwardData(Operand gradOut, Operand weight, Conv2dGeometry geometry, int groups,
                                       Operand gradIn) {
        return false;
    }

    /** {@code gradWeight} [O, C/groups, kh, kw] = gradient of conv2d's weight given its input and {@code gradOut}. */
    default boolean conv2dBackwardFilter(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                         Operand gradWeight) {
        return false;
    }

    /**
     * {@link #conv2dBackwardFilter} and, from the same pass over {@code gradOut}, the bias gradient {@code gradBias}
     * [O] = the sum of {@code gradOut} over N, OH and OW. Core calls it with recording off (no higher-order
     * gradient wanted); all operands contiguous and of one dtype.
     */
    default boolean conv2dBackwardFilterAndBias(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                                Operand gradWeight, Operand gradBias) {
        return false;
    }

    /**
     * {@code out} [M, O] = {@code activation(q(x) W^T + bias)}, {@code q(x) = clamp(rint(x / s), -127, 127) * s} with
     * {@code s = (float) inputScale}, per element of {@code x} [M, K] (FLOAT32): a linear layer whose input is
     * quantized to int8. {@code weightQ} INT8 [O, K] and {@code weightScale} FLOAT32 [O] are the int8 weights,
     * {@code weightFloat} FLOAT32 [O, K] the same weights dequantized, {@code bias} FLOAT32 [O] or null. A backend runs
     * the products in int8 (int32 sums, scaled by {@code s * weightScale[o]}) where that is faster and in float on the
     * quantized input otherwise; core composes the float form when it declines. All operands contiguous.
     */
    default boolean quantizedLinear(Operand x, Operand weightQ, Operand weightScale, Operand weightFloat, Operand bias,
                                    double inputScale, FusedActivation activation, Operand out) {
        return false;
    }

    /** {@code out} [N, C, OH, OW] = max over each window of {@code x} (padding is negative infinity). */
    default boolean maxPool2d(Operand x, Conv2dGeometry geometry, Operand out) {
        return false;
    }

    /**
     * {@code gradIn} (same shape as {@code x}, uninitialized) receives each window's gradient at the first position
     * of that window's maximum in row-major order; the backend writes every element (0 where no window sends
     * anything), so that no separate zero-filling pass is needed.
     */
    default boolean maxPool2dBackward(Operand gradOut, Operand x, Conv2dGeometry geometry, Operand gradIn) {
        return false;
    }

    /**
     * The gradient of a ReLU followed by max pooling with respect to the ReLU's input, given the ReLU's output
     * {@code reluOut}: like {@link #maxPool2dBackward} on {@code reluOut}, but a window's gradient goes to its first
     * maximum only if that maximum is above 0 (where the ReLU passes gradients); every element of {@code gradIn} is
     * written. Core calls it with recording off, when the ReLU's output has no other reader, instead of a max-pool
     * backward and a ReLU backward over the whole (unpooled) tensor.
     */
    default boolean maxPool2dReluBackward(Operand gradOut, Operand reluOut, Conv2dGeometry geometry, Operand gradIn) {
        return false;
    }

    /**
     * ReLU's gradient in one pass: {@code out = input > 0 ? grad : 0} (so 0 where the input is NaN), all three
     * contiguous, of one dtype and shape. Core otherwise composes it from a comparison and a select.
     */
    default boolean reluBackward(Operand grad, Operand input, Operand out) {
        return false;
    }

    /**
     * One Adam/AdamW update of {@code param} in a single pass, all operands contiguous FLOAT32 or FLOAT64 of
     * one shape: {@code m = b1 m + (1-b1) g'}, {@code v = b2 v + (1-b2) g'^2},
     * {@code param -= lr (m / (1 - b1^step)) / (sqrt(v / (1 - b2^step)) + eps)}, where {@code g' = g + wd param}
     * for Adam, and for AdamW ({@code decoupled}) {@code param *= 1 - lr wd} first and {@code g' = g}.
     */
    default boolean adamStep(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, double lr, double beta1,
                             double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        return false;
    }

    /**
     * The batch statistics of {@code x} [N, C, ...] (contiguous): {@code out} [2, C] receives each channel's mean
     * (row 0) and biased variance (row 1) over all dimensions but 1, computed in one pass over {@code x} with a
     * numerically stable method (a shifted or Welford-style sum, not {@code E[x^2] - E[x]^2}).
     */
    default boolean batchNormStats(Operand x, Operand out) {
        return false;
    }

    /**
     * {@code out = (x - mean) / sqrt(var + eps) * weight + bias} per channel of {@code x} [N, C, ...], in one pass
     * (as {@code x * scale + shift} with per-channel {@code scale}, {@code shift}); {@code mean}, {@code var},
     * {@code weight}, {@code bias} are [C]. All operands contiguous and of one dtype.
     */
    default boolean batchNorm(Operand x, Operand mean, Operand var, Operand weight, Operand bias, double eps,
                              Operand out) {
        return false;
    }

    /**
     * The gradients of {@link #batchNorm} given {@code gradOut}: {@code gradWeight} [C] = sum of
     * {@code gradOut * xhat}, {@code gradBias} [C] = sum of {@code gradOut} (per channel), and, unless
     * {@code gradIn} is null, {@code gradIn} (x's shape) = {@code weight * invstd * gradOut} or, with
     * {@code training} (mean and var are x's batch statistics),
     * {@code weight * invstd * (gradOut - sum(gradOut) / M - xhat * sum(gradOut * xhat) / M)} with M values per
     * channel: one pass for the sums and one for {@code gradIn}. All operands contiguous and of one dtype.
     */
    default boolean batchNormBackward(Operand gradOut, Operand x, Operand mean, Operand var, Operand weight,
                                      double eps, boolean training, Operand gradIn, Operand gradWeight,
                                      Operand gradBias) {
        return false;
    }

    /**
     * Whether every call finishes its work before it returns (the CPU backend), so that {@link #toArray} never waits
     * for queued work. Core reads some inputs to check them (a loss's class indices) only on such backends; on an
     * asynchronous one it leaves them to the bounds checks of {@link #gather} and friends. The default, false, is
     * right for any backend that queues work.
     */
    default boolean isSynchronous() {
        return false;
    }

    /** Waits until all queued work is done. Synchronous backends need not override this. */
    default void synchronize() {
    }
}
