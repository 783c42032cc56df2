package dev.nabla.strict;

import dev.nabla.DType;
import dev.nabla.spi.Buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A buffer of the strict backend: off-heap memory (a direct {@link ByteBuffer}; the project targets Java 21, where
 * {@code java.lang.foreign} is still a preview) created on the backend's worker thread and touched only there (any
 * other thread fails). There is no Java array behind it: its elements are reached only through the backend's copies.
 *
 * <p>The caller side only tracks whether {@link dev.nabla.spi.Backend#release} was called ({@link #markReleased});
 * the memory itself is created and freed by tasks on the worker ({@link #allocateOnWorker}, {@link #freeOnWorker}),
 * in stream order.
 */
final class StrictBuffer implements Buffer {
    /** New memory is filled with this byte (NaN for floats, -1 for integers, true for BOOL), never zeros. */
    static final byte POISON = (byte) 0xFF;

    private final StrictBackend owner;
    private final DType dtype;
    private final int capacity;
    private volatile boolean released;
    // Touched only on the worker thread.
    private ByteBuffer memory;
    private boolean freed;

    StrictBuffer(StrictBackend owner, DType dtype, int capacity) {
        this.owner = owner;
        this.dtype = dtype;
        this.capacity = capacity;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    StrictBackend owner() {
        return owner;
    }

    // ---- caller side

    /** Records a release; a second one fails at once. */
    synchronized void markReleased() {
        if (released) {
            throw new IllegalStateException(this + " released twice");
        }
        released = true;
    }

    /** Fails at once if the caller already released this buffer. */
    void requireLive() {
        if (released) {
            throw new IllegalStateException(this + " used after release");
        }
    }

    boolean isReleased() {
        return released;
    }

    // ---- worker side

    void allocateOnWorker() {
        owner.requireWorker();
        memory = ByteBuffer.allocateDirect(Math.multiplyExact(capacity, elementBytes(dtype))).order(ByteOrder.nativeOrder());
        for (int i = 0; i < memory.capacity(); i++) {
            memory.put(i, POISON);
        }
    }

    /** Drops the memory (the direct buffer is reclaimed by the collector; nothing can reach it any more). */
    void freeOnWorker() {
        memory(); // a release of a buffer already freed fails here
        freed = true;
        memory = null;
    }

    /** True once the worker freed the memory (read it on the worker, or after a synchronize). */
    boolean isFreed() {
        return freed;
    }

    /** The whole contents, as a new Java array of the dtype's type. */
    Object read() {
        ByteBuffer m = memory();
        int n = capacity;
        return switch (dtype) {
            case FLOAT32 -> {
                float[] a = new float[n];
                m.asFloatBuffer().get(0, a, 0, n);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                m.asDoubleBuffer().get(0, a, 0, n);
                yield a;
            }
            case INT64 -> {
                long[] a = new long[n];
                m.asLongBuffer().get(0, a, 0, n);
                yield a;
            }
            case INT32 -> {
                int[] a = new int[n];
                m.asIntBuffer().get(0, a, 0, n);
                yield a;
            }
            case INT8 -> {
                byte[] a = new byte[n];
                m.get(0, a, 0, n);
                yield a;
            }
            case BFLOAT16, FLOAT16 -> {
                short[] a = new short[n];
                m.asShortBuffer().get(0, a, 0, n);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = m.get(i) != 0;
                }
                yield a;
            }
        };
    }

    /** Overwrites the first {@code capacity} elements with those of {@code array} (of the dtype's type, at least as long). */
    void write(Object array) {
        ByteBuffer m = memory();
        int n = capacity;
        switch (dtype) {
            case FLOAT32 -> m.asFloatBuffer().put(0, (float[]) array, 0, n);
            case FLOAT64 -> m.asDoubleBuffer().put(0, (double[]) array, 0, n);
            case INT64 -> m.asLongBuffer().put(0, (long[]) array, 0, n);
            case INT32 -> m.asIntBuffer().put(0, (int[]) array, 0, n);
            case INT8 -> m.put(0, (byte[]) array, 0, n);
            case BFLOAT16, FLOAT16 -> m.asShortBuffer().put(0, (short[]) array, 0, n);
            case BOOL -> {
                boolean[] a = (boolean[]) array;
                for (int i = 0; i < n; i++) {
                    m.put(i, a[i] ? (byte) 1 : (byte) 0);
                }
            }
        }
    }

    private ByteBuffer memory() {
        owner.requireWorker();
        if (freed) {
            throw new IllegalStateException(this + " used after it was freed");
        }
        if (memory == null) {
            throw new IllegalStateException(this + " has no memory (allocation not run)");
        }
        return memory;
    }

    static int elementBytes(DType dtype) {
        return switch (dtype) {
            case FLOAT32, INT32 -> 4;
            case FLOAT64, INT64 -> 8;
            case BFLOAT16, FLOAT16 -> 2;
            case BOOL, INT8 -> 1;
        };
    }

    @Override
    public String toString() {
        return "StrictBuffer[" + dtype + ", capacity " + capacity + (released ? ", released" : "") + "]";
    }
}
