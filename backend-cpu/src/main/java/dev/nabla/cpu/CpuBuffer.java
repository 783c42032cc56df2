package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.JavaArrays;

/**
 * A CPU buffer: a heap array of the buffer's dtype ({@code float[]}, {@code double[]}, {@code long[]},
 * {@code int[]}, {@code boolean[]}, {@code byte[]} for INT8, {@code short[]} of raw bits for BFLOAT16 and FLOAT16). The array may be longer than the tensor that uses it (pooled
 * arrays are reused for smaller requests); {@link #capacity()} reports the array length.
 */
public final class CpuBuffer implements Buffer {
    private final DType dtype;
    private Object array;

    CpuBuffer(DType dtype, Object array) {
        assert JavaArrays.newArray(dtype, 0).getClass() == array.getClass() : "array of " + array.getClass().getSimpleName() + " for " + dtype;
        this.dtype = dtype;
        this.array = array;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int capacity() {
        return java.lang.reflect.Array.getLength(array());
    }

    /** The backing array; throws if the buffer was released. */
    public Object array() {
        Object a = array;
        if (a == null) {
            throw new IllegalStateException("buffer of " + dtype + " used after release");
        }
        return a;
    }

    float[] floats() {
        return (float[]) array();
    }

    double[] doubles() {
        return (double[]) array();
    }

    long[] longs() {
        return (long[]) array();
    }

    int[] ints() {
        return (int[]) array();
    }

    boolean[] bools() {
        return (boolean[]) array();
    }

    byte[] bytes() {
        return (byte[]) array();
    }

    /** The raw bits of a BFLOAT16 or FLOAT16 buffer. */
    short[] shorts() {
        return (short[]) array();
    }

    /** Detaches the array (for the pool); a second release or a later use fails. */
    synchronized Object detach() {
        Object a = array;
        if (a == null) {
            throw new IllegalStateException("buffer of " + dtype + " released twice");
        }
        array = null;
        return a;
    }

    @Override
    public String toString() {
        Object a = array;
        return "CpuBuffer[" + dtype + ", " + (a == null ? "released" : "capacity " + java.lang.reflect.Array.getLength(a)) + "]";
    }
}
