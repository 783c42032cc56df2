package dev.nabla.cuda.runtime;

import dev.nabla.spi.Layout;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The parameters of one kernel launch, in order, each in the Java type that matches its C type (a mismatch is not
 * detected: the kernel reads garbage, CUDA-NOTES.md):
 * <ul>
 *   <li>{@code T *} ← {@link #pointer(DeviceAddress)} (e.g. {@code CudaBuffer#pointer()}), or a supplier of one;</li>
 *   <li>{@code NablaLayout} (by value) ← {@link #layout(int[])} with {@link LayoutPacking#pack} ints;</li>
 *   <li>{@code long long} ← {@link #int64}; {@code int} ← {@link #int32}; {@code double} ← {@link #float64};
 *       {@code float} ← {@link #float32}; {@code unsigned long long} ← {@link #uint64}.</li>
 * </ul>
 * {@link #kinds()} records what was added so a launch can be checked against a declared signature in tests.
 * Build it anywhere; it holds only Java values, which the {@link DeviceDriver} marshals at launch (device thread).
 */
public final class KernelArgs {
    /** The C type of one argument. */
    public enum Kind { POINTER, LAYOUT, INT64, INT32, FLOAT64, FLOAT32 }

    private final List<Object> values = new ArrayList<>();
    private final List<Kind> kinds = new ArrayList<>();

    public KernelArgs pointer(DeviceAddress devicePointer) {
        return add(Kind.POINTER, devicePointer);
    }

    /**
     * A device pointer read only at launch, on the device thread: for buffers whose memory is allocated
     * asynchronously (a {@code CudaBuffer}'s address is set by its allocation task, which runs before any launch
     * queued after it).
     */
    public KernelArgs pointer(Supplier<DeviceAddress> devicePointer) {
        return add(Kind.POINTER, devicePointer);
    }

    /** A packed {@code NablaLayout} ({@link LayoutPacking#INTS} ints). */
    public KernelArgs layout(int[] packed) {
        if (packed.length != LayoutPacking.INTS) {
            throw new IllegalArgumentException("a packed NablaLayout has " + LayoutPacking.INTS + " ints, found "
                    + packed.length);
        }
        return add(Kind.LAYOUT, packed.clone());
    }

    /** {@code layout}, which must already have at most 8 dimensions (coalesce jointly first). */
    public KernelArgs layout(Layout layout) {
        return layout(LayoutPacking.pack(layout));
    }

    public KernelArgs int64(long value) {
        return add(Kind.INT64, new long[]{value});
    }

    /** {@code unsigned long long} (same bits as {@link #int64}). */
    public KernelArgs uint64(long value) {
        return int64(value);
    }

    public KernelArgs int32(int value) {
        return add(Kind.INT32, new int[]{value});
    }

    public KernelArgs float64(double value) {
        return add(Kind.FLOAT64, new double[]{value});
    }

    public KernelArgs float32(float value) {
        return add(Kind.FLOAT32, new float[]{value});
    }

    private KernelArgs add(Kind kind, Object value) {
        kinds.add(kind);
        values.add(value);
        return this;
    }

    public List<Kind> kinds() {
        return List.copyOf(kinds);
    }

    public int size() {
        return values.size();
    }

    /**
     * The value of argument {@code i}: a {@link DeviceAddress} (a supplier is asked now: call this at launch, on the
     * device thread), or a one-element array ({@code int[]}, {@code long[]}, {@code float[]}, {@code double[]}), or
     * the layout ints.
     */
    public Object value(int i) {
        return values.get(i) instanceof Supplier<?> s ? (DeviceAddress) s.get() : values.get(i);
    }
}
