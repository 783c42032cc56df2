package dev.nabla;

import dev.nabla.engine.Autograd;
import dev.nabla.engine.Backends;
import dev.nabla.engine.Dispatcher;
import dev.nabla.engine.Elementwise;
import dev.nabla.engine.InPlace;
import dev.nabla.engine.Indexing;
import dev.nabla.engine.Joining;
import dev.nabla.engine.Linalg;
import dev.nabla.engine.Reductions;
import dev.nabla.engine.Storage;
import dev.nabla.engine.TensorAccess;
import dev.nabla.engine.Windows;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array on a device, with reverse-mode automatic differentiation.
 *
 * <p>Names and semantics follow PyTorch: {@code x.matmul(w).add(b).relu().sum().backward()}
 * fills {@code w.grad()} and {@code b.grad()} when they were created with
 * {@code requiresGrad(true)}. Views ({@link #reshape}, {@link #permute}, {@link #slice},
 * {@link #expand}, ...) share storage with their base.
 *
 * <p>A tensor holds a reference to device memory. On the CPU the garbage collector is enough; on a
 * GPU use {@link TensorScope} or {@link #close()} so memory is freed deterministically. A tensor
 * is not thread-safe for writes; concurrent reads are fine.
 */
public final class Tensor implements AutoCloseable {
    static { // first: engine classes initialized below reach Tensor's internals through it
        TensorAccess.install(new Access());
    }

    private static final Logger LOG = LoggerFactory.getLogger(Tensor.class);
    private static final Cleaner CLEANER = Cleaner.create();
    private static final boolean TRACK_ALLOCATION_SITES = Boolean.getBoolean("nabla.debug.allocations");

    final Storage storage;
    final Layout layout;
    final DType dtype;
    private final Cleaner.Cleanable cleanable;
    private final Release release;

    boolean requiresGrad;
    Tensor grad;
    Node gradFn;
    boolean retainsGrad;
    TensorScope scope;

    /** Wraps {@code storage} (whose reference this tensor takes over) viewed through {@code layout}. */
    Tensor(Storage storage, Layout layout) {
        this.storage = storage;
        this.layout = layout;
        this.dtype = storage.dtype;
        this.release = new Release(storage, TRACK_ALLOCATION_SITES ? new Throwable("allocation site") : null);
        this.cleanable = CLEANER.register(this, release);
        TensorScope.track(this);
    }

    /** Releases the storage once: from {@link #close()} or, for a leaked tensor, from the Cleaner. */
    private static final class Release implements Runnable {
        private final Storage storage;
        private final Throwable allocationSite;
        volatile boolean explicit;

        Release(Storage storage, Throwable allocationSite) {
            this.storage = storage;
            this.allocationSite = allocationSite;
        }

        @Override
        public void run() {
            if (!explicit && allocationSite != null && LOG.isDebugEnabled()) {
                LOG.debug("A tensor was garbage-collected without close(); freeing its memory", allocationSite);
            }
            storage.release();
        }
    }

    // ------------------------------------------------------------------ creation

    /** A tensor of {@code dtype} and {@code shape} on {@code device}, contents unspecified. */
    static Tensor empty(Device device, DType dtype, int... shape) {
        Shapes.checkShape("empty", shape);
        Backend backend = Backends.of(device);
        return new Tensor(new Storage(backend, backend.allocate(dtype, Shapes.numel(shape))), Layout.contiguous(shape));
    }

    /**
     * A 0-d tensor of {@code value} (converted to {@code dtype}) that makes device memory only if something reads it
     * as memory: elementwise ops pass it to the backend as an attribute instead (see {@link Storage#constant}).
     */
    static Tensor constant(Device device, DType dtype, double value) {
        return new Tensor(Storage.constant(Backends.of(device), dtype, dtype.convert(value)), Layout.contiguous());
    }

    /** The value of a {@link #constant} whose memory was never made, else null. */
    Double pendingConstant() {
        return layout.rank() == 0 ? storage.pendingConstant() : null;
    }

    public static Tensor zeros(int... shape) {
        return full(DType.FLOAT32, 0, shape);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return full(dtype, 0, shape);
    }

    public static Tensor ones(int... shape) {
        return full(DType.FLOAT32, 1, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1, shape);
    }

    public static Tensor full(double value, int... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        return full(Nabla.defaultDevice(), dtype, value, shape);
    }

    /** A tensor of {@code shape} filled with {@code value} on {@code device}. */
    public static Tensor full(Device device, DType dtype, double value, int... shape) {
        Tensor t = empty(device, dtype, shape);
        t.storage.backend.fill(t.operand(), value);
        return t;
    }

    /** A 0-dimensional FLOAT32 tensor. */
    public static Tensor scalar(double value) {
        return full(DType.FLOAT32, value);
    }

    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    public static Tensor zerosLike(Tensor t) {
        return full(t.device(), t.dtype, 0, t.shape());
    }

    public static Tensor onesLike(Tensor t) {
        return full(t.device(), t.dtype, 1, t.shape());
    }

    public static Tensor fullLike(Tensor t, double value) {
        return full(t.device(), t.dtype, value, t.shape());
    }

    /** INT64 values {@code 0, 1, ..., end-1}. */
    public static Tensor arange(long end) {
        return arange(0, end, 1);
    }

    /** INT64 values from {@code start} (inclusive) to {@code end} (exclusive) in steps of {@code step}. */
    public static Tensor arange(long start, long end, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must not be zero");
        }
        long count = Math.max(0, (end - start + step + (step > 0 ? -1 : 1)) / step);
        long[] values = new long[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = start + i * step;
        }
        return of(values, values.length);
    }

    /** FLOAT32 values from {@code start} to {@code end} (exclusive) in steps of {@code step}. */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException("arange: step must be a non-zero number, found " + step);
        }
        int count = (int) Math.max(0, Math.ceil((end - start) / step));
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (start + i * step);
        }
        return of(values, count);
    }

    /** {@code steps} evenly spaced FLOAT32 values from {@code start} to {@code end}, both included. */
    public static Tensor linspace(double start, double end, int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: steps must be >= 0, found " + steps);
        }
        float[] values = new float[steps];
        if (steps == 1) {
            values[0] = (float) start;
            return of(values, 1);
        }
        double delta = (end - start) / (steps - 1);
        for (int i = 0; i < steps; i++) {
            // Fill the second half from the end so both endpoints are exact.
            values[i] = (float) (i < steps / 2 ? start + i * delta : end - (steps - 1 - i) * delta);
        }
        return of(values, steps);
    }

    public static Tensor eye(int n) {
        return eye(n, n);
    }

    /** FLOAT32 {@code rows x cols} matrix with ones on the diagonal. */
    public static Tensor eye(int rows, int cols) {
        float[] values = new float[Shapes.numel(Shapes.checkShape("eye", new int[]{rows, cols}))];
        for (int i = 0; i < Math.min(rows, cols); i++) {
            values[i * cols + i] = 1;
        }
        return of(values, rows, cols);
    }

    /** FLOAT32 uniform in [0, 1) from the global generator, on the default device. */
    public static Tensor rand(int... shape) {
        return rand(Nabla.generator(), shape);
    }

    /** FLOAT32 uniform in [0, 1) on the default device. */
    public static Tensor rand(Generator generator, int... shape) {
        return random("rand", generator, Nabla.defaultDevice(), DType.FLOAT32, RandomDistribution.uniform(0, 1), shape);
    }

    /**
     * Uniform in [low, high) of a floating {@code dtype}, made on {@code device} (see {@link RandomDistribution} for
     * the exact values).
     */
    public static Tensor uniform(Generator generator, Device device, DType dtype, double low, double high,
                                 int... shape) {
        return random("uniform", generator, device, dtype, RandomDistribution.uniform(low, high), shape);
    }

    /** FLOAT32 standard normal from the global generator, on the default device. */
    public static Tensor randn(int... shape) {
        return randn(Nabla.generator(), shape);
    }

    /** FLOAT32 standard normal on the default device. */
    public static Tensor randn(Generator generator, int... shape) {
        return random("randn", generator, Nabla.defaultDevice(), DType.FLOAT32, RandomDistribution.normal(0, 1), shape);
    }

    /** Normal with {@code mean} and standard deviation {@code std}, of a floating {@code dtype}, made on {@code device}. */
    public static Tensor normal(Generator generator, Device device, DType dtype, double mean, double std,
                                int... shape) {
        return random("normal", generator, device, dtype, RandomDistribution.normal(mean, std), shape);
    }

    /** 1 with probability {@code p}, else 0, as FLOAT32, FLOAT64 or BOOL, made on {@code device}. */
    public static Tensor bernoulli(Generator generator, Device device, DType dtype, double p, int... shape) {
        return random("bernoulli", generator, device, dtype, RandomDistribution.bernoulli(p), shape);
    }

    /** INT64 uniform in [low, high) from the global generator, on the default device. */
    public static Tensor randint(long low, long high, int... shape) {
        return randint(Nabla.generator(), low, high, shape);
    }

    /** INT64 uniform in [low, high) on the default device. */
    public static Tensor randint(Generator generator, long low, long high, int... shape) {
        return randint(generator, Nabla.defaultDevice(), low, high, shape);
    }

    /** INT64 uniform in [low, high) made on {@code device}. */
    public static Tensor randint(Generator generator, Device device, long low, long high, int... shape) {
        if (high <= low) {
            throw new IllegalArgumentException("randint: high (" + high + ") must be greater than low (" + low + ")");
        }
        return random("randint", generator, device, DType.INT64, RandomDistribution.integers(low, high), shape);
    }

    /**
     * A tensor of random values made by {@code device}'s backend ({@link Backend#random}): the host only takes one
     * 64-bit Philox key from {@code generator} ({@link Generator#nextLong()}) per call, so no values cross from the
     * host, and the same generator state gives the same tensor on every backend.
     */
    private static Tensor random(String function, Generator generator, Device device, DType dtype,
                                 RandomDistribution distribution, int[] shape) {
        beforeRandom(function);
        Shapes.checkShape(function, shape);
        if (!distribution.supports(dtype)) {
            throw new DTypeException(function + ": cannot make " + distribution.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " values of dtype " + dtype);
        }
        Tensor t = empty(device, dtype, shape);
        long key;
        synchronized (generator) {
            key = generator.nextLong();
        }
        if (t.numel() > 0) {
            t.storage.backend.random(distribution, key, 0, t.operand());
        }
        return t;
    }

    private static void beforeRandom(String function) {
        dev.nabla.ops.Tracer tracer = Dispatcher.TRACER.get();
        if (tracer != null) {
            tracer.beforeRandom(function);
        }
    }

    /** A 1-D FLOAT32 tensor holding {@code data} (copied). */
    public static Tensor of(float[] data) {
        return of(data, data.length);
    }

    /**
     * A FLOAT32 tensor holding {@code data} (copied) in row-major order in {@code shape}, whose element
     * count must be {@code data.length}. As in PyTorch, an empty shape ({@code new int[0]}) is 0-d and
     * holds exactly one element; leaving the shape out altogether picks the 1-D {@link #of(float[])}.
     */
    public static Tensor of(float[] data, int... shape) {
        return fromArray(data, data.length, shape);
    }

    public static Tensor of(double[] data) {
        return of(data, data.length);
    }

    public static Tensor of(double[] data, int... shape) {
        return fromArray(data, data.length, shape);
    }

    public static Tensor of(long[] data) {
        return of(data, data.length);
    }

    public static Tensor of(long[] data, int... shape) {
        return fromArray(data, data.length, shape);
    }

    public static Tensor of(int[] data) {
        return of(data, data.length);
    }

    public static Tensor of(int[] data, int... shape) {
        return fromArray(data, data.length, shape);
    }

    public static Tensor of(boolean[] data) {
        return of(data, data.length);
    }

    public static Tensor of(boolean[] data, int... shape) {
        return fromArray(data, data.length, shape);
    }

    /** A 1-D INT8 tensor (a storage type, e.g. for quantized weights) holding {@code data} (copied). */
    public static Tensor of(byte[] data) {
        return of(data, data.length);
    }

    public static Tensor of(byte[] data, int... shape) {
        return fromArray(data, data.length, shape);
    }

    /**
     * A BFLOAT16 or FLOAT16 tensor holding the raw 16-bit patterns {@code bits} (copied; see {@link HalfFloats}) in
     * row-major order in {@code shape}. To make a half tensor from values, cast: {@code Tensor.of(floats).to(BFLOAT16)}.
     */
    public static Tensor ofHalfBits(DType dtype, short[] bits, int... shape) {
        if (!dtype.isHalf()) {
            throw new DTypeException("ofHalfBits: expected BFLOAT16 or FLOAT16, found " + dtype);
        }
        int[] s = Shapes.checkShape("ofHalfBits", shape);
        if (Shapes.numel(s) != bits.length) {
            throw new ShapeException("ofHalfBits: shape " + Shapes.str(s) + " holds " + Shapes.numel(s)
                    + " elements but " + bits.length + " values were given");
        }
        Backend backend = Backends.of(Nabla.defaultDevice());
        return new Tensor(new Storage(backend, backend.fromArray(bits, dtype)), Layout.contiguous(s));
    }

    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new ShapeException("of: row " + i + " has " + rows[i].length + " elements, expected " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return of(flat, rows.length, cols);
    }

    public static Tensor of(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new ShapeException("of: row " + i + " has " + rows[i].length + " elements, expected " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return of(flat, rows.length, cols);
    }

    public static Tensor of(float[][][] blocks) {
        int rows = blocks.length == 0 ? 0 : blocks[0].length;
        int cols = rows == 0 ? 0 : blocks[0][0].length;
        float[] flat = new float[blocks.length * rows * cols];
        for (int b = 0; b < blocks.length; b++) {
            if (blocks[b].length != rows) {
                throw new ShapeException("of: block " + b + " has " + blocks[b].length + " rows, expected " + rows);
            }
            for (int i = 0; i < rows; i++) {
                if (blocks[b][i].length != cols) {
                    throw new ShapeException("of: block " + b + " row " + i + " has " + blocks[b][i].length
                            + " elements, expected " + cols);
                }
                System.arraycopy(blocks[b][i], 0, flat, (b * rows + i) * cols, cols);
            }
        }
        return of(flat, blocks.length, rows, cols);
    }

    private static Tensor fromArray(Object data, int length, int[] shape) {
        int[] s = Shapes.checkShape("of", shape);
        if (Shapes.numel(s) != length) {
            throw new ShapeException("of: shape " + Shapes.str(s) + " holds " + Shapes.numel(s)
                    + " elements but " + length + " values were given");
        }
        Backend backend = Backends.of(Nabla.defaultDevice());
        return new Tensor(new Storage(backend, backend.fromArray(data)), Layout.contiguous(s));
    }

    /** A view of {@code base}'s storage through another layout (shares memory). */
    static Tensor view(Tensor base, Layout layout) {
        return new Tensor(base.storage.retain(), layout);
    }

    // ------------------------------------------------------------------ metadata

    public int[] shape() {
        return layout.shape().clone();
    }

    /** Size of dimension {@code dim} (negative counts from the end). */
    public int size(int dim) {
        return layout.shape()[Shapes.wrapDim("size", dim, rank())];
    }

    public int rank() {
        return layout.rank();
    }

    /** Same as {@link #rank()}, PyTorch's name. */
    public int dim() {
        return layout.rank();
    }

    public int numel() {
        return layout.numel();
    }

    public int[] strides() {
        return layout.strides().clone();
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return storage.backend.device();
    }

    public boolean isContiguous() {
        return layout.isContiguous();
    }

    /** How the elements sit in memory (shape, strides in elements, offset), as backends and the engine see it. */
    public Layout layout() {
        return layout;
    }

    /** SPI view of this tensor for backend code: its buffer and layout. */
    public Operand operand() {
        checkOpen();
        return new Operand(storage.buffer(), layout);
    }

    Backend backend() {
        return storage.backend;
    }

    public boolean isClosed() {
        return release.explicit;
    }

    void checkOpen() {
        if (release.explicit) {
            throw new IllegalStateException("tensor " + Shapes.str(layout.shape()) + " " + dtype
                    + " was closed and cannot be used");
        }
    }

    /** Frees this tensor's reference to its memory (views keep theirs). Idempotent. */
    @Override
    public void close() {
        if (!release.explicit) {
            release.explicit = true;
            cleanable.clean();
        }
    }

    // ------------------------------------------------------------------ reading values

    public float[] toFloatArray() {
        beforeRead("toFloatArray()");
        return (float[]) to(DType.FLOAT32).readArray();
    }

    public double[] toDoubleArray() {
        beforeRead("toDoubleArray()");
        return (double[]) to(DType.FLOAT64).readArray();
    }

    public long[] toLongArray() {
        beforeRead("toLongArray()");
        return (long[]) to(DType.INT64).readArray();
    }

    public int[] toIntArray() {
        beforeRead("toIntArray()");
        return (int[]) to(DType.INT32).readArray();
    }

    public boolean[] toBooleanArray() {
        beforeRead("toBooleanArray()");
        return (boolean[]) to(DType.BOOL).readArray();
    }

    /** The values as INT8 (other dtypes convert as Java's narrowing casts do). */
    public byte[] toByteArray() {
        beforeRead("toByteArray()");
        return (byte[]) to(DType.INT8).readArray();
    }

    /**
     * The raw 16-bit patterns of a BFLOAT16 or FLOAT16 tensor in row-major order (see {@link HalfFloats}); other
     * dtypes are refused (cast first, e.g. {@code t.to(DType.FLOAT16).halfBits()}).
     */
    public short[] halfBits() {
        if (!dtype.isHalf()) {
            throw new DTypeException("halfBits: expected a BFLOAT16 or FLOAT16 tensor, found " + dtype
                    + "; cast it with to(BFLOAT16) or to(FLOAT16) first");
        }
        beforeRead("halfBits()");
        return (short[]) readArray();
    }

    /** Lets a tracer refuse a read of values it cannot capture, naming the tensor and method. */
    private void beforeRead(String method) {
        dev.nabla.ops.Tracer tracer = Dispatcher.TRACER.get();
        if (tracer != null) {
            tracer.beforeRead(this, method);
        }
    }

    /** The values as a Java array; every caller has let the tracer see the read under its own name. */
    private Object readArray() {
        try {
            return storage.backend.toArray(operand());
        } finally {
            java.lang.ref.Reference.reachabilityFence(this);
        }
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new ShapeException("item: expected a tensor with one element, found shape " + Shapes.str(layout.shape()));
        }
        beforeRead("item()");
        return toDoubleArray()[0];
    }

    /** The value of a one-element tensor as a long (exact for INT64). */
    public long itemLong() {
        if (numel() != 1) {
            throw new ShapeException("itemLong: expected a tensor with one element, found shape "
                    + Shapes.str(layout.shape()));
        }
        beforeRead("itemLong()");
        return toLongArray()[0];
    }

    @Override
    public String toString() {
        return TensorFormat.format(this);
    }

    // ------------------------------------------------------------------ dtype and device

    /** This tensor converted to {@code dtype}; itself when it already has that dtype. */
    public Tensor to(DType target) {
        return target == dtype ? this : Dispatcher.apply(new Op.Cast(target), this);
    }

    /** A copy on {@code target} (itself when already there). Not differentiable across devices. */
    public Tensor to(Device target) {
        if (target.equals(device())) {
            return this;
        }
        beforeRead("to(" + target + ")");
        Backend to = Backends.of(target);
        Tensor source = contiguous();
        try {
            Operand src = source.operand();
            Buffer copy = to.copyFrom(storage.backend, src); // direct where the target can (a peer or host copy)
            if (copy == null) {
                Object heap = storage.backend.hostArray(src.buffer());
                copy = heap != null && src.layout().offset() == 0 && src.numel() == java.lang.reflect.Array.getLength(heap)
                        ? to.fromArray(heap, dtype)  // the source's own array: no intermediate copy
                        : to.fromArray(source.readArray(), dtype);
            }
            return movedCopy(new Tensor(new Storage(to, copy), Layout.contiguous(shape())));
        } finally {
            java.lang.ref.Reference.reachabilityFence(source);
        }
    }

    /**
     * {@link #to(Device)} without waiting for this tensor's device: the future completes with the copy once the
     * values are read (on a GPU, once the work queued before this call is done), so the caller can queue more work
     * meanwhile. The copy belongs to no {@link TensorScope}: close it when done. Not differentiable across devices.
     */
    public java.util.concurrent.CompletableFuture<Tensor> toAsync(Device target) {
        if (target.equals(device())) {
            return java.util.concurrent.CompletableFuture.completedFuture(this);
        }
        beforeRead("toAsync(" + target + ")");
        Backend to = Backends.of(target);
        Tensor source = contiguous();
        int[] shape = shape();
        return storage.backend.toArrayAsync(source.operand()).thenApply(values -> {
            java.lang.ref.Reference.reachabilityFence(source);
            return TensorScope.escape(
                    movedCopy(new Tensor(new Storage(to, to.fromArray(values, dtype)), Layout.contiguous(shape))));
        });
    }

    /** A copy made by a device move: a leaf that requires gradients when this tensor is a leaf that does. */
    private Tensor movedCopy(Tensor copy) {
        copy.requiresGrad = requiresGrad && gradFn == null;
        return copy;
    }

    // ------------------------------------------------------------------ views

    /** Same elements with a new shape (one entry may be -1); a view when the strides allow, else a copy. */
    public Tensor reshape(int... newShape) {
        return Dispatcher.apply(new Op.Reshape(Shapes.inferShape("reshape", newShape, numel())), this);
    }

    /** Like {@link #reshape} but fails instead of copying when no view is possible. */
    public Tensor view(int... newShape) {
        int[] shape = Shapes.inferShape("view", newShape, numel());
        if (Shapes.viewStrides(layout.shape(), layout.strides(), shape) == null) {
            throw new ShapeException("view: a tensor of shape " + Shapes.str(layout.shape()) + " with strides "
                    + Shapes.str(layout.strides()) + " cannot be viewed as " + Shapes.str(shape)
                    + "; use reshape() (copies) or contiguous() first");
        }
        return reshape(shape);
    }

    public Tensor flatten() {
        return reshape(numel());
    }

    /** Merges dimensions {@code startDim..endDim} (inclusive) into one. */
    public Tensor flatten(int startDim, int endDim) {
        if (rank() == 0) {
            return reshape(1);
        }
        int start = Shapes.wrapDim("flatten", startDim, rank());
        int end = Shapes.wrapDim("flatten", endDim, rank());
        if (start > end) {
            throw new ShapeException("flatten: startDim " + startDim + " comes after endDim " + endDim);
        }
        int[] s = layout.shape();
        int[] out = new int[rank() - (end - start)];
        int merged = 1;
        for (int d = start; d <= end; d++) {
            merged *= s[d];
        }
        System.arraycopy(s, 0, out, 0, start);
        out[start] = merged;
        System.arraycopy(s, end + 1, out, start + 1, rank() - end - 1);
        return reshape(out);
    }

    public Tensor permute(int... dims) {
        if (dims.length != rank()) {
            throw new ShapeException("permute: expected " + rank() + " dimensions for shape "
                    + Shapes.str(layout.shape()) + ", found " + Arrays.toString(dims));
        }
        int[] wrapped = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            wrapped[i] = Shapes.wrapDim("permute", dims[i], rank());
            if (seen[wrapped[i]]) {
                throw new ShapeException("permute: dimension " + dims[i] + " repeats in " + Arrays.toString(dims));
            }
            seen[wrapped[i]] = true;
        }
        return Dispatcher.apply(new Op.Permute(wrapped), this);
    }

    public Tensor transpose(int dim0, int dim1) {
        if (rank() == 0) {
            return this;
        }
        int[] order = Shapes.allDims(rank());
        int a = Shapes.wrapDim("transpose", dim0, rank());
        int b = Shapes.wrapDim("transpose", dim1, rank());
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Transpose of a matrix (rank <= 2), like PyTorch's {@code .t()}. */
    public Tensor t() {
        if (rank() > 2) {
            throw new ShapeException("t: expects a tensor of rank <= 2, found shape " + Shapes.str(layout.shape())
                    + "; use transpose(dim0, dim1)");
        }
        return rank() < 2 ? this : transpose(0, 1);
    }

    /** Broadcasts to {@code newShape}; -1 keeps a dimension's size. A view. */
    public Tensor expand(int... newShape) {
        int[] target = newShape.clone();
        int lead = target.length - rank();
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (i < lead) {
                    throw new ShapeException("expand: -1 is not allowed for a new leading dimension in "
                            + Arrays.toString(newShape));
                }
                target[i] = layout.shape()[i - lead];
            }
        }
        if (!Shapes.canExpand(layout.shape(), target)) {
            throw new ShapeException("expand: shape " + Shapes.str(layout.shape()) + " cannot be expanded to "
                    + Shapes.str(target) + " (only size-1 dimensions can grow)");
        }
        return Dispatcher.apply(new Op.Expand(target), this);
    }

    public Tensor expandAs(Tensor other) {
        return expand(other.shape());
    }

    /** Elements {@code start, start+step, ...} below {@code end} along {@code dim}; indices clamp like Python's. */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shapes.wrapDim("slice", dim, rank());
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, found " + step);
        }
        int size = layout.shape()[d];
        int s = clampIndex(start, size);
        int e = Math.max(s, clampIndex(end, size));
        return Dispatcher.apply(new Op.Slice(d, s, e, step), this);
    }

    public Tensor slice(int dim, int start, int end) {
        return slice(dim, start, end, 1);
    }

    private static int clampIndex(int index, int size) {
        int i = index < 0 ? index + size : index;
        return Math.max(0, Math.min(size, i));
    }

    /** {@code length} elements from {@code start} along {@code dim} (a view). */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shapes.wrapDim("narrow", dim, rank());
        int size = layout.shape()[d];
        int s = start < 0 ? start + size : start;
        if (s < 0 || length < 0 || s + length > size) {
            throw new ShapeException("narrow: start " + start + " and length " + length
                    + " do not fit dimension " + d + " of size " + size);
        }
        return Dispatcher.apply(new Op.Slice(d, s, s + length, 1), this);
    }

    /** The slice at {@code index} along {@code dim}, with that dimension removed. */
    public Tensor select(int dim, int index) {
        int d = Shapes.wrapDim("select", dim, rank());
        int size = layout.shape()[d];
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new ShapeException("select: index " + index + " is out of range for dimension " + d
                    + " of size " + size);
        }
        return narrow(d, i, 1).squeeze(d);
    }

    /** Removes every dimension of size 1. */
    public Tensor squeeze() {
        return reshape(Arrays.stream(layout.shape()).filter(s -> s != 1).toArray());
    }

    /** Removes dimension {@code dim} if its size is 1. */
    public Tensor squeeze(int dim) {
        if (rank() == 0) {
            return this;
        }
        int d = Shapes.wrapDim("squeeze", dim, rank());
        if (layout.shape()[d] != 1) {
            return this;
        }
        int[] out = new int[rank() - 1];
        for (int i = 0, j = 0; i < rank(); i++) {
            if (i != d) {
                out[j++] = layout.shape()[i];
            }
        }
        return reshape(out);
    }

    /** Inserts a dimension of size 1 at {@code dim} (in {@code [-rank-1, rank]}). */
    public Tensor unsqueeze(int dim) {
        int d = Shapes.wrapDim("unsqueeze", dim, rank() + 1);
        int[] out = new int[rank() + 1];
        for (int i = 0, j = 0; i < out.length; i++) {
            out[i] = i == d ? 1 : layout.shape()[j++];
        }
        return reshape(out);
    }

    /** A contiguous tensor with the same values: itself if already contiguous. */
    public Tensor contiguous() {
        return isContiguous() ? this : Dispatcher.apply(new Op.Contiguous(), this);
    }

    // ------------------------------------------------------------------ elementwise

    public Tensor add(Tensor other) {
        return Elementwise.binary(BinaryOp.ADD, this, other);
    }

    public Tensor add(double value) {
        return Elementwise.binary(BinaryOp.ADD, this, Elementwise.scalarFor(this, value));
    }

    /** {@code this + alpha * other}. */
    public Tensor add(Tensor other, double alpha) {
        return alpha == 1 ? add(other) : add(other.mul(alpha));
    }

    public Tensor sub(Tensor other) {
        return Elementwise.binary(BinaryOp.SUB, this, other);
    }

    public Tensor sub(double value) {
        return Elementwise.binary(BinaryOp.SUB, this, Elementwise.scalarFor(this, value));
    }

    /** {@code value - this}. */
    public Tensor rsub(double value) {
        return Elementwise.binary(BinaryOp.SUB, Elementwise.scalarFor(this, value), this);
    }

    public Tensor mul(Tensor other) {
        return Elementwise.binary(BinaryOp.MUL, this, other);
    }

    public Tensor mul(double value) {
        return Elementwise.binary(BinaryOp.MUL, this, Elementwise.scalarFor(this, value));
    }

    /** True division: integer inputs give a floating result. */
    public Tensor div(Tensor other) {
        return Elementwise.binary(BinaryOp.DIV, this, other);
    }

    public Tensor div(double value) {
        return Elementwise.binary(BinaryOp.DIV, this, Elementwise.scalarFor(this, value));
    }

    /** {@code value / this}. */
    public Tensor rdiv(double value) {
        return Elementwise.binary(BinaryOp.DIV, Elementwise.scalarFor(this, value), this);
    }

    public Tensor pow(Tensor exponent) {
        return Elementwise.binary(BinaryOp.POW, this, exponent);
    }

    public Tensor pow(double exponent) {
        if (exponent == 2) {
            return mul(this);
        }
        if (!dtype.isFloatingPoint() && exponent >= 0 && exponent == Math.rint(exponent) && exponent < 64) {
            return Elementwise.integerPower(this, (int) exponent);
        }
        return Elementwise.binary(BinaryOp.POW, this, Elementwise.scalarFor(this, exponent));
    }

    public Tensor square() {
        return mul(this);
    }

    public Tensor maximum(Tensor other) {
        return Elementwise.binary(BinaryOp.MAXIMUM, this, other);
    }

    public Tensor minimum(Tensor other) {
        return Elementwise.binary(BinaryOp.MINIMUM, this, other);
    }

    public Tensor neg() {
        return Elementwise.unary(UnaryOp.NEG, this);
    }

    public Tensor abs() {
        return Elementwise.unary(UnaryOp.ABS, this);
    }

    public Tensor sign() {
        return Elementwise.unary(UnaryOp.SIGN, this);
    }

    public Tensor exp() {
        return Elementwise.unary(UnaryOp.EXP, this);
    }

    public Tensor expm1() {
        return Elementwise.unary(UnaryOp.EXPM1, this);
    }

    public Tensor log() {
        return Elementwise.unary(UnaryOp.LOG, this);
    }

    public Tensor log1p() {
        return Elementwise.unary(UnaryOp.LOG1P, this);
    }

    public Tensor sqrt() {
        return Elementwise.unary(UnaryOp.SQRT, this);
    }

    public Tensor rsqrt() {
        return Elementwise.unary(UnaryOp.RSQRT, this);
    }

    public Tensor reciprocal() {
        return Elementwise.unary(UnaryOp.RECIPROCAL, this);
    }

    public Tensor sin() {
        return Elementwise.unary(UnaryOp.SIN, this);
    }

    public Tensor cos() {
        return Elementwise.unary(UnaryOp.COS, this);
    }

    public Tensor tanh() {
        return Elementwise.unary(UnaryOp.TANH, this);
    }

    public Tensor sigmoid() {
        return Elementwise.unary(UnaryOp.SIGMOID, this);
    }

    public Tensor erf() {
        return Elementwise.unary(UnaryOp.ERF, this);
    }

    public Tensor floor() {
        return Elementwise.unary(UnaryOp.FLOOR, this);
    }

    public Tensor ceil() {
        return Elementwise.unary(UnaryOp.CEIL, this);
    }

    /** Rounds half to even, like PyTorch. */
    public Tensor round() {
        return Elementwise.unary(UnaryOp.ROUND, this);
    }

    public Tensor relu() {
        return Elementwise.unary(UnaryOp.RELU, this);
    }

    public Tensor leakyRelu(double negativeSlope) {
        return Dispatcher.apply(new Op.Unary(UnaryOp.LEAKY_RELU, negativeSlope), Elementwise.floating(this));
    }

    /** GELU, exact: {@code x * Φ(x)} with the normal CDF through erf. */
    public Tensor gelu() {
        return Elementwise.gelu(this, false);
    }

    /** GELU with PyTorch's {@code approximate="tanh"}. */
    public Tensor geluTanh() {
        return Elementwise.gelu(this, true);
    }

    /** SiLU (swish): {@code x * sigmoid(x)}. */
    public Tensor silu() {
        Tensor x = Elementwise.floating(this);
        return x.mul(x.sigmoid());
    }

    /** {@code log(1 + exp(x))}, computed stably. */
    public Tensor softplus() {
        return softplus(1, 20);
    }

    /** PyTorch's {@code softplus(x, beta, threshold)}: linear where {@code beta*x > threshold}. */
    public Tensor softplus(double beta, double threshold) {
        return Elementwise.softplus(this, beta, threshold);
    }

    public Tensor clamp(double min, double max) {
        if (min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        }
        return clampMin(min).clampMax(max);
    }

    /** Values below {@code min} become {@code min}; the gradient passes where {@code x >= min} (NaN stays NaN). */
    public Tensor clampMin(double min) {
        Tensor bound = Elementwise.scalarFor(this, min);
        return Elementwise.where(lt(bound), bound, this);
    }

    /** Values above {@code max} become {@code max}; the gradient passes where {@code x <= max} (NaN stays NaN). */
    public Tensor clampMax(double max) {
        Tensor bound = Elementwise.scalarFor(this, max);
        return Elementwise.where(gt(bound), bound, this);
    }

    public Tensor eq(Tensor other) {
        return Elementwise.binary(BinaryOp.EQ, this, other);
    }

    public Tensor eq(double value) {
        return Elementwise.binary(BinaryOp.EQ, this, Elementwise.scalarFor(this, value));
    }

    public Tensor ne(Tensor other) {
        return Elementwise.binary(BinaryOp.NE, this, other);
    }

    public Tensor ne(double value) {
        return Elementwise.binary(BinaryOp.NE, this, Elementwise.scalarFor(this, value));
    }

    public Tensor lt(Tensor other) {
        return Elementwise.binary(BinaryOp.LT, this, other);
    }

    public Tensor lt(double value) {
        return Elementwise.binary(BinaryOp.LT, this, Elementwise.scalarFor(this, value));
    }

    public Tensor le(Tensor other) {
        return Elementwise.binary(BinaryOp.LE, this, other);
    }

    public Tensor le(double value) {
        return Elementwise.binary(BinaryOp.LE, this, Elementwise.scalarFor(this, value));
    }

    public Tensor gt(Tensor other) {
        return Elementwise.binary(BinaryOp.GT, this, other);
    }

    public Tensor gt(double value) {
        return Elementwise.binary(BinaryOp.GT, this, Elementwise.scalarFor(this, value));
    }

    public Tensor ge(Tensor other) {
        return Elementwise.binary(BinaryOp.GE, this, other);
    }

    public Tensor ge(double value) {
        return Elementwise.binary(BinaryOp.GE, this, Elementwise.scalarFor(this, value));
    }

    public Tensor logicalAnd(Tensor other) {
        return Elementwise.binary(BinaryOp.LOGICAL_AND, this, other);
    }

    public Tensor logicalOr(Tensor other) {
        return Elementwise.binary(BinaryOp.LOGICAL_OR, this, other);
    }

    public Tensor logicalXor(Tensor other) {
        return Elementwise.binary(BinaryOp.LOGICAL_XOR, this, other);
    }

    public Tensor logicalNot() {
        return Dispatcher.apply(new Op.Unary(UnaryOp.LOGICAL_NOT), to(DType.BOOL));
    }

    /** Elementwise {@code condition ? a : b}, all three broadcast; {@code a} and {@code b} are promoted. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Elementwise.where(condition, a, b);
    }

    /** {@code where(condition, this, other)}, PyTorch's {@code x.where(cond, y)}. */
    public Tensor where(Tensor condition, Tensor other) {
        return Elementwise.where(condition, this, other);
    }

    /** A copy with {@code value} wherever {@code mask} (BOOL, broadcastable) is true. */
    public Tensor maskedFill(Tensor mask, double value) {
        return Elementwise.where(mask, full(device(), dtype, value), this);
    }

    // ------------------------------------------------------------------ reductions

    /** Sum of all elements (0-d). */
    public Tensor sum() {
        return Reductions.reduce(ReduceOp.SUM, this, Shapes.allDims(rank()), false);
    }

    public Tensor sum(int dim) {
        return sum(new int[]{dim}, false);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return sum(new int[]{dim}, keepDim);
    }

    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.reduce(ReduceOp.SUM, this, dims, keepDim);
    }

    public Tensor mean() {
        return Reductions.mean(this, Shapes.allDims(rank()), false);
    }

    public Tensor mean(int dim) {
        return mean(new int[]{dim}, false);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return mean(new int[]{dim}, keepDim);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        return Reductions.mean(this, dims, keepDim);
    }

    public Tensor prod() {
        return Reductions.reduce(ReduceOp.PROD, this, Shapes.allDims(rank()), false);
    }

    public Tensor prod(int dim, boolean keepDim) {
        return Reductions.reduce(ReduceOp.PROD, this, new int[]{dim}, keepDim);
    }

    /** Largest element (0-d); its gradient is shared equally among ties. */
    public Tensor max() {
        return amax(Shapes.allDims(rank()), false);
    }

    /** Largest values along {@code dim} and the index of the first occurrence of each. */
    public ValuesIndices max(int dim, boolean keepDim) {
        return Reductions.valuesAndIndices(ReduceOp.ARGMAX, this, dim, keepDim);
    }

    /** Largest values over {@code dims}; the gradient is shared equally among ties. */
    public Tensor amax(int[] dims, boolean keepDim) {
        return Reductions.reduce(ReduceOp.MAX, this, dims, keepDim);
    }

    public Tensor min() {
        return amin(Shapes.allDims(rank()), false);
    }

    public ValuesIndices min(int dim, boolean keepDim) {
        return Reductions.valuesAndIndices(ReduceOp.ARGMIN, this, dim, keepDim);
    }

    public Tensor amin(int[] dims, boolean keepDim) {
        return Reductions.reduce(ReduceOp.MIN, this, dims, keepDim);
    }

    /** Index of the largest element of the flattened tensor (INT64, 0-d). */
    public Tensor argmax() {
        return Reductions.argReduce(ReduceOp.ARGMAX, reshape(-1), 0, false);
    }

    public Tensor argmax(int dim, boolean keepDim) {
        return Reductions.argReduce(ReduceOp.ARGMAX, this, dim, keepDim);
    }

    public Tensor argmin() {
        return Reductions.argReduce(ReduceOp.ARGMIN, reshape(-1), 0, false);
    }

    public Tensor argmin(int dim, boolean keepDim) {
        return Reductions.argReduce(ReduceOp.ARGMIN, this, dim, keepDim);
    }

    /** Variance over all elements with Bessel's correction (correction = 1). */
    public Tensor var() {
        return var(Shapes.allDims(rank()), 1, false);
    }

    /** Variance over {@code dims}, dividing by {@code N - correction}. */
    public Tensor var(int[] dims, int correction, boolean keepDim) {
        return Reductions.var(this, dims, correction, keepDim);
    }

    public Tensor std() {
        return var().sqrt();
    }

    public Tensor std(int[] dims, int correction, boolean keepDim) {
        return var(dims, correction, keepDim).sqrt();
    }

    /** {@code log(sum(exp(x)))} over {@code dims}, computed stably. */
    public Tensor logsumexp(int[] dims, boolean keepDim) {
        return Reductions.logsumexp(this, dims, keepDim);
    }

    public Tensor logsumexp(int dim, boolean keepDim) {
        return logsumexp(new int[]{dim}, keepDim);
    }

    /** The p-norm of all elements (p = 2 is the Euclidean norm; infinity is the max-abs norm). */
    public Tensor norm(double p) {
        return Reductions.norm(this, p, Shapes.allDims(rank()), false);
    }

    public Tensor norm(double p, int[] dims, boolean keepDim) {
        return Reductions.norm(this, p, dims, keepDim);
    }

    public Tensor norm() {
        return norm(2);
    }

    // ------------------------------------------------------------------ linear algebra, joining, indexing

    /** PyTorch's {@code matmul}: 1-D, 2-D and batched (broadcast batch dimensions) products. */
    public Tensor matmul(Tensor other) {
        return Linalg.matmul(this, other);
    }

    /** Concatenates along {@code dim}; all tensors must match elsewhere. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Joining.cat(tensors, dim);
    }

    public static Tensor cat(int dim, Tensor... tensors) {
        return Joining.cat(List.of(tensors), dim);
    }

    /** Stacks equally shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Joining.stack(tensors, dim);
    }

    /** Pieces of {@code splitSize} along {@code dim} (the last may be smaller); views. */
    public List<Tensor> split(int splitSize, int dim) {
        return Joining.split(this, splitSize, dim);
    }

    /** Pieces of the given sizes along {@code dim}; views. */
    public List<Tensor> split(int[] sizes, int dim) {
        return Joining.split(this, sizes, dim);
    }

    /** {@code chunks} pieces of (nearly) equal size along {@code dim}, as PyTorch's {@code chunk}. */
    public List<Tensor> chunk(int chunks, int dim) {
        return Joining.chunk(this, chunks, dim);
    }

    /** Constant padding; {@code pads} are (before, after) pairs from the last dimension backwards. */
    public Tensor pad(int[] pads, double value) {
        return Joining.pad(this, pads, value);
    }

    public Tensor pad(int... pads) {
        return Joining.pad(this, pads, 0);
    }

    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /** Out-of-place {@code scatter_add}: a copy of this with {@code src} added at {@code index} along {@code dim}. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }

    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /**
     * Sliding windows of a [N, C, H, W] tensor as columns [N, C*kh*kw, L] (im2col), PyTorch's
     * {@code F.unfold}; convolution is a matrix product with these columns.
     */
    public Tensor unfold2d(Conv2dGeometry geometry) {
        Windows.checkInput("unfold2d", this);
        return Dispatcher.apply(new Op.Unfold(geometry), this);
    }

    /** Sums columns [N, C*kh*kw, L] back into a [N, C, height, width] image (col2im), PyTorch's {@code F.fold}. */
    public Tensor fold2d(Conv2dGeometry geometry, int height, int width) {
        return Dispatcher.apply(new Op.Fold(geometry, height, width), this);
    }

    public Tensor softmax(int dim) {
        return Reductions.softmax(this, dim);
    }

    public Tensor logSoftmax(int dim) {
        return Reductions.logSoftmax(this, dim);
    }

    /** One-hot encoding of an integer tensor: a new last dimension of {@code numClasses} (INT64 0/1). */
    public Tensor oneHot(int numClasses) {
        return Indexing.oneHot(this, numClasses);
    }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as needing gradients; returns this for chaining. */
    public Tensor requiresGrad(boolean value) {
        if (value && !dtype.isFloatingPoint()) {
            throw new DTypeException("requiresGrad: only floating-point tensors can require gradients, found " + dtype);
        }
        if (gradFn != null && !value) {
            throw new AutogradException("requiresGrad(false) is only allowed on leaf tensors; use detach()");
        }
        requiresGrad = value;
        return this;
    }

    /** The accumulated gradient of a leaf (or of a tensor with {@link #retainGrad()}), or null. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (null clears it). */
    public void setGrad(Tensor gradient) {
        if (gradient != null && !Arrays.equals(gradient.layout.shape(), layout.shape())) {
            throw new ShapeException("setGrad: gradient shape " + Shapes.str(gradient.layout.shape())
                    + " differs from tensor shape " + Shapes.str(layout.shape()));
        }
        if (gradient != null) {
            TensorScope.escape(gradient);
        }
        grad = gradient;
    }

    /** The node that produced this tensor in the autograd graph, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Makes {@code backward()} store this non-leaf tensor's gradient in {@link #grad()} too. */
    public Tensor retainGrad() {
        retainsGrad = true;
        return this;
    }

    /** A tensor sharing this one's storage but cut from the autograd graph. */
    public Tensor detach() {
        return view(this, layout);
    }

    /** Backpropagates from a one-element tensor (the loss). */
    public void backward() {
        backward(null, false, false);
    }

    /** Backpropagates with an explicit gradient of this tensor's shape. */
    public void backward(Tensor gradient) {
        backward(gradient, false, false);
    }

    /**
     * Backpropagates. {@code retainGraph} keeps the graph for another backward; {@code createGraph}
     * records the backward computation itself so that gradients can be differentiated again (and
     * implies {@code retainGraph}).
     */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        // As in PyTorch, differentiating the gradients again needs the forward graph too.
        Autograd.backward(this, gradient, retainGraph || createGraph, createGraph);
    }

    // ------------------------------------------------------------------ in-place updates (not recorded)

    /** Copies {@code src} (broadcast, converted) into this tensor. */
    public Tensor copyFrom(Tensor src) {
        return InPlace.copyFrom(this, src);
    }

    public Tensor fillInPlace(double value) {
        return InPlace.fill(this, value);
    }

    public Tensor zeroInPlace() {
        return InPlace.fill(this, 0);
    }

    /** {@code this += alpha * other}. */
    public Tensor addInPlace(Tensor other, double alpha) {
        return InPlace.binary(BinaryOp.ADD, this, alpha == 1 ? other : other.mul(alpha));
    }

    public Tensor addInPlace(Tensor other) {
        return InPlace.binary(BinaryOp.ADD, this, other);
    }

    public Tensor subInPlace(Tensor other) {
        return InPlace.binary(BinaryOp.SUB, this, other);
    }

    public Tensor mulInPlace(Tensor other) {
        return InPlace.binary(BinaryOp.MUL, this, other);
    }

    public Tensor mulInPlace(double value) {
        return InPlace.binary(BinaryOp.MUL, this, Elementwise.scalarFor(this, value));
    }

    /** Values and indices of a {@code max(dim)} / {@code min(dim)} reduction. */
    public record ValuesIndices(Tensor values, Tensor indices) {
    }

    /** The engine's access to tensor and node internals (see {@link TensorAccess}). */
    private static final class Access extends TensorAccess {
        @Override
        protected Tensor wrap(Storage storage, Layout layout) {
            return new Tensor(storage, layout);
        }

        @Override
        protected Tensor view(Tensor base, Layout layout) {
            return Tensor.view(base, layout);
        }

        @Override
        protected Tensor empty(Device device, DType dtype, int... shape) {
            return Tensor.empty(device, dtype, shape);
        }

        @Override
        protected Tensor constant(Device device, DType dtype, double value) {
            return Tensor.constant(device, dtype, value);
        }

        @Override
        protected Storage storage(Tensor t) {
            return t.storage;
        }

        @Override
        protected Backend backend(Tensor t) {
            return t.storage.backend;
        }

        @Override
        protected void checkOpen(Tensor t) {
            t.checkOpen();
        }

        @Override
        protected Double pendingConstant(Tensor t) {
            return t.pendingConstant();
        }

        @Override
        protected void setRequiresGrad(Tensor t, boolean value) {
            t.requiresGrad = value;
        }

        @Override
        protected void setGradFn(Tensor t, Node node) {
            t.gradFn = node;
        }

        @Override
        protected boolean retainsGrad(Tensor t) {
            return t.retainsGrad;
        }

        @Override
        protected void setGradField(Tensor t, Tensor grad) {
            t.grad = grad;
        }

        @Override
        protected Node newNode(dev.nabla.ops.Op op, Tensor[] inputs, Tensor output) {
            return new Node(op, inputs, output);
        }

        @Override
        protected int inputCount(Node node) {
            return node.inputCount();
        }

        @Override
        protected boolean isReleased(Node node) {
            return node.isReleased();
        }

        @Override
        protected void checkVersions(Node node) {
            node.checkVersions();
        }

        @Override
        protected void release(Node node) {
            node.release();
        }
    }
}
