package dev.nabla.strict;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.cpu.CpuBackend;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.JavaArrays;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * A test backend that behaves like a GPU on the CPU, so that a host assumption in core fails a test here rather than
 * on a rare GPU run (issue #11):
 * <ul>
 *   <li>memory is off-heap ({@link StrictBuffer}) and reachable only through the SPI's copies ({@link #fromArray},
 *       {@link #toArray}, {@link #copy}, {@link #fill}); new memory is poisoned, not zeroed;</li>
 *   <li>every call only checks its arguments and queues its work on the backend's single worker thread
 *       ({@link StrictStream}); {@link #toArray} and {@link #synchronize} wait for the queue;</li>
 *   <li>{@link #release} is queued too, and frees the memory on the worker after the work queued before it (a
 *       stream-ordered free); a second release or a use after release fails at once;</li>
 *   <li>an error raised by queued work is rethrown by the next call (any method), never swallowed.</li>
 * </ul>
 * The arithmetic is the CPU backend's, run on the worker over heap copies of the operands ({@link Staging}).
 *
 * <p>This backend implements every required primitive of {@link Backend} and none of the optional fast paths (conv2d,
 * linear, pooling, batch norm, Adam, ...): {@link #supports} says so, and each fast path fails the test if core calls
 * it anyway (core must ask first, and allocate nothing for a path the backend does not have). So the testkit suites
 * exercise core's composed defaults on a backend whose memory is not on the Java heap.
 */
public final class StrictBackend implements Backend, AutoCloseable {
    static final Device DEVICE = Device.parse("strict");
    /** Reads of device memory by the host ({@link #toArray}): each one waits for the device. */
    static final java.util.concurrent.atomic.AtomicLong HOST_READS = new java.util.concurrent.atomic.AtomicLong();
    /** Copies of host arrays to the device ({@link #fromArray}). */
    static final java.util.concurrent.atomic.AtomicLong HOST_WRITES = new java.util.concurrent.atomic.AtomicLong();
    /** Host-to-device copies read straight from another backend's array ({@link #copyFrom}), also in HOST_WRITES. */
    static final java.util.concurrent.atomic.AtomicLong DIRECT_COPIES = new java.util.concurrent.atomic.AtomicLong();
    /** Device buffers made by {@link #allocate}. */
    static final java.util.concurrent.atomic.AtomicLong ALLOCATIONS = new java.util.concurrent.atomic.AtomicLong();

    private final CpuBackend cpu = new CpuBackend();
    private final StrictStream stream = new StrictStream();

    @Override
    public String name() {
        return "strict";
    }

    @Override
    public Device device() {
        return DEVICE;
    }

    // ---- memory

    @Override
    public Buffer allocate(DType dtype, int numel) {
        stream.surface();
        if (numel < 0) {
            throw new IllegalArgumentException("numel must be >= 0, found " + numel);
        }
        StrictBuffer buffer = new StrictBuffer(this, dtype, numel);
        ALLOCATIONS.incrementAndGet();
        stream.enqueue(buffer::allocateOnWorker);
        return buffer;
    }

    @Override
    public void release(Buffer buffer) {
        // No stream.surface() here: releases also come from the Cleaner thread, which would take (and lose) an
        // error that belongs to the thread that queued the failing work.
        StrictBuffer b = own(buffer);
        b.markReleased();
        stream.enqueue(b::freeOnWorker);
    }

    @Override
    public Buffer fromArray(Object javaArray) {
        HOST_WRITES.incrementAndGet();
        stream.surface();
        // Copied now: the caller may change its array as soon as this returns.
        Object copy = cloneArray(javaArray);
        StrictBuffer buffer = new StrictBuffer(this, JavaArrays.dtypeOf(copy), java.lang.reflect.Array.getLength(copy));
        stream.enqueue(() -> {
            buffer.allocateOnWorker();
            buffer.write(copy);
        });
        return buffer;
    }

    @Override
    public Object toArray(Operand src) {
        HOST_READS.incrementAndGet();
        stream.surface();
        live(src);
        return stream.call(() -> {
            Staging staging = new Staging(cpu);
            try {
                return cpu.toArray(staging.in(src));
            } finally {
                staging.abandon();
            }
        });
    }

    @Override
    public CompletableFuture<Object> toArrayAsync(Operand src) {
        HOST_READS.incrementAndGet();
        stream.surface();
        live(src);
        CompletableFuture<Object> result = new CompletableFuture<>();
        stream.enqueue(() -> {
            Throwable earlier = stream.takeFailure(); // the work this read waits for failed: so does the read
            Object array = null;
            Throwable error = earlier;
            if (earlier == null) {
                Staging staging = new Staging(cpu);
                try {
                    array = cpu.toArray(staging.in(src));
                } catch (Throwable e) {
                    error = e;
                } finally {
                    staging.abandon();
                }
            }
            // Dependents run on a pool thread, never on the worker (they may call this backend again).
            Object done = array;
            Throwable failed = error;
            ForkJoinPool.commonPool().execute(() -> {
                if (failed != null) {
                    result.completeExceptionally(failed);
                } else {
                    result.complete(done);
                }
            });
        });
        return result;
    }

    /** From a backend whose memory is the Java heap: copies the region straight from its array. */
    @Override
    public Buffer copyFrom(Backend source, Operand src) {
        Object heap = source.hostArray(src.buffer());
        if (heap == null || !src.layout().isContiguous()) {
            return null;
        }
        HOST_WRITES.incrementAndGet();
        stream.surface();
        int n = src.numel();
        // Copied now: the source may change as soon as this returns.
        Object region = java.lang.reflect.Array.newInstance(heap.getClass().getComponentType(), n);
        System.arraycopy(heap, src.layout().offset(), region, 0, n);
        StrictBuffer buffer = new StrictBuffer(this, src.dtype(), n);
        DIRECT_COPIES.incrementAndGet();
        stream.enqueue(() -> {
            buffer.allocateOnWorker();
            buffer.write(region);
        });
        return buffer;
    }

    @Override
    public void copy(Operand src, Operand dst) {
        launch(s -> cpu.copy(s.in(src), s.out(dst)), src, dst);
    }

    @Override
    public void fill(Operand dst, double value) {
        launch(s -> cpu.fill(s.out(dst), value), dst);
    }

    @Override
    public void synchronize() {
        stream.synchronize();
    }

    // ---- compute

    @Override
    public void unary(UnaryOp op, Operand x, Operand out, double alpha) {
        requireComputable(op, x);
        launch(s -> cpu.unary(op, s.in(x), s.out(out), alpha), x, out);
    }

    @Override
    public void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        requireComputable(op, a);
        launch(s -> cpu.binary(op, s.in(a), s.in(b), s.out(out)), a, b, out);
    }

    @Override
    public void binaryScalar(BinaryOp op, Operand x, double scalar, boolean scalarOnLeft, Operand out) {
        requireComputable(op, x);
        launch(s -> cpu.binaryScalar(op, s.in(x), scalar, scalarOnLeft, s.out(out)), x, out);
    }

    @Override
    public void where(Operand cond, Operand a, Operand b, Operand out) {
        requireMovable("WHERE", a);
        launch(s -> cpu.where(s.in(cond), s.in(a), s.in(b), s.out(out)), cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        requireComputable(op, x);
        int[] d = dims.clone();
        launch(s -> cpu.reduce(op, s.in(x), d, s.out(out)), x, out);
    }

    @Override
    public void matmul(Operand a, Operand b, Operand out) {
        requireComputable("MATMUL", a);
        launch(s -> cpu.matmul(s.in(a), s.in(b), s.out(out)), a, b, out);
    }

    @Override
    public void random(RandomDistribution dist, long seed, long offset, Operand out) {
        stream.surface();
        if (!dist.supports(out.dtype()) || !out.layout().isContiguous()) {
            throw new IllegalArgumentException("strict backend: random " + dist.kind() + " into " + out.dtype() + " "
                    + out.layout());
        }
        launch(s -> cpu.random(dist, seed, offset, s.out(out)), out);
    }

    @Override
    public void gather(Operand src, int dim, Operand index, Operand out) {
        requireMovable("GATHER", src);
        launch(s -> cpu.gather(s.in(src), dim, s.in(index), s.out(out)), src, index, out);
    }

    @Override
    public void scatterAdd(Operand dst, int dim, Operand index, Operand src) {
        requireComputable("SCATTER_ADD", dst);
        launch(s -> cpu.scatterAdd(s.out(dst), dim, s.in(index), s.in(src)), dst, index, src);
    }

    @Override
    public void indexSelect(Operand src, int dim, Operand index, Operand out) {
        requireMovable("INDEX_SELECT", src);
        launch(s -> cpu.indexSelect(s.in(src), dim, s.in(index), s.out(out)), src, index, out);
    }

    // ---- plumbing

    /** The work queue (tests block it to watch calls return before their work runs). */
    StrictStream stream() {
        return stream;
    }

    /** Fails unless called on the worker thread: the only thread that may touch this backend's memory. */
    void requireWorker() {
        if (!stream.onWorker()) {
            throw new IllegalStateException("strict backend memory touched from " + Thread.currentThread().getName()
                    + ", not from the backend's worker thread");
        }
    }

    /** Checks the operands on the caller's thread, then queues {@code body} over their heap copies. */
    private void launch(Consumer<Staging> body, Operand... operands) {
        stream.surface();
        for (Operand operand : operands) {
            live(operand);
        }
        stream.enqueue(() -> {
            Staging staging = new Staging(cpu);
            try {
                body.accept(staging);
            } catch (RuntimeException | Error e) {
                staging.abandon();
                throw e;
            }
            staging.finish();
        });
    }

    private StrictBuffer own(Buffer buffer) {
        if (buffer instanceof StrictBuffer b && b.owner() == this) {
            return b;
        }
        throw new IllegalArgumentException("expected a buffer of this strict backend, found " + buffer);
    }

    private void live(Operand operand) {
        own(operand.buffer()).requireLive();
    }

    /** INT8 is never moved by where, gather or indexSelect here; half types are (they only hold values). */
    private static void requireMovable(Object op, Operand operand) {
        if (operand.dtype() == DType.INT8) {
            throw new UnsupportedOperationException("strict backend: " + op + " is not supported for INT8 (a storage "
                    + "type: convert to a floating type first)");
        }
    }

    /** Checked at launch, as a device backend rejects a kernel it does not have. */
    private static void requireComputable(Object op, Operand operand) {
        requireMovable(op, operand);
        if (operand.dtype().isHalf()) {
            throw new UnsupportedOperationException("strict backend: " + op + " is not computed on " + operand.dtype()
                    + " operands (core computes half tensors in FLOAT32)");
        }
    }

    private static Object cloneArray(Object array) {
        return switch (array) {
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case long[] a -> a.clone();
            case int[] a -> a.clone();
            case boolean[] a -> a.clone();
            case byte[] a -> a.clone();
            default -> throw new IllegalArgumentException("expected a float[], double[], long[], int[], boolean[] or "
                    + "byte[], found " + (array == null ? "null" : array.getClass().getTypeName()));
        };
    }

    /** Finishes the queued work and stops the worker thread (backends made by tests; the provider's live forever). */
    @Override
    public void close() {
        stream.close();
    }

    @Override
    public String toString() {
        return "StrictBackend[off-heap, asynchronous]";
    }

    // ---- fast paths: none (supports() is false for all); core must never call one

    private static AssertionError fastPathCalled(String path) {
        return new AssertionError(path + ": core called a fast path that supports() denies");
    }

    @Override
    public boolean conv2d(Operand x, Operand weight, Operand bias, Conv2dGeometry geometry, int groups,
                          FusedActivation activation, Operand out) {
        throw fastPathCalled("conv2d");
    }

    @Override
    public boolean linear(Operand x, Operand weight, Operand bias, FusedActivation activation, Operand out) {
        throw fastPathCalled("linear");
    }

    @Override
    public boolean conv2dBackwardData(Operand gradOut, Operand weight, Conv2dGeometry geometry, int groups,
                                      Operand gradIn) {
        throw fastPathCalled("conv2dBackwardData");
    }

    @Override
    public boolean conv2dBackwardFilter(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                        Operand gradWeight) {
        throw fastPathCalled("conv2dBackwardFilter");
    }

    @Override
    public boolean conv2dBackwardFilterAndBias(Operand x, Operand gradOut, Conv2dGeometry geometry, int groups,
                                               Operand gradWeight, Operand gradBias) {
        throw fastPathCalled("conv2dBackwardFilterAndBias");
    }

    @Override
    public boolean quantizedLinear(Operand x, Operand weightQ, Operand weightScale, Operand weightFloat, Operand bias,
                                   double inputScale, FusedActivation activation, Operand out) {
        throw fastPathCalled("quantizedLinear");
    }

    @Override
    public boolean maxPool2d(Operand x, Conv2dGeometry geometry, Operand out) {
        throw fastPathCalled("maxPool2d");
    }

    @Override
    public boolean maxPool2dBackward(Operand gradOut, Operand x, Conv2dGeometry geometry, Operand gradIn) {
        throw fastPathCalled("maxPool2dBackward");
    }

    @Override
    public boolean maxPool2dReluBackward(Operand gradOut, Operand reluOut, Conv2dGeometry geometry, Operand gradIn) {
        throw fastPathCalled("maxPool2dReluBackward");
    }

    @Override
    public boolean reluBackward(Operand grad, Operand input, Operand out) {
        throw fastPathCalled("reluBackward");
    }

    @Override
    public boolean adamStep(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, double lr, double beta1,
                            double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        throw fastPathCalled("adamStep");
    }

    @Override
    public boolean batchNormStats(Operand x, Operand out) {
        throw fastPathCalled("batchNormStats");
    }

    @Override
    public boolean batchNorm(Operand x, Operand mean, Operand var, Operand weight, Operand bias, double eps,
                             Operand out) {
        throw fastPathCalled("batchNorm");
    }

    @Override
    public boolean batchNormBackward(Operand gradOut, Operand x, Operand mean, Operand var, Operand weight,
                                     double eps, boolean training, Operand gradIn, Operand gradWeight,
                                     Operand gradBias) {
        throw fastPathCalled("batchNormBackward");
    }
}
