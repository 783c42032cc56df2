package dev.nabla.cuda.runtime;

import dev.nabla.DType;
import dev.nabla.spi.JavaArrays;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Java arrays ↔ device bytes, through a (pinned) {@link ByteBuffer} in native order: the pure half of host transfers.
 * Each dtype crosses as one Java array type: FLOAT32 {@code float[]}, FLOAT64 {@code double[]}, INT64
 * {@code long[]}, INT32 {@code int[]}, BOOL {@code boolean[]} (one byte each, 0 or 1; any non-zero byte reads as
 * true), INT8 {@code byte[]}, BFLOAT16 and FLOAT16 {@code short[]} of raw bits. Ranges are in elements, so a large
 * array crosses in chunks through a bounded staging buffer.
 */
public final class HostArrays {
    private HostArrays() {
    }

    /** Checks that {@code array} is the Java type {@code dtype} crosses as, and returns its length. */
    public static int length(Object array, DType dtype) {
        boolean ok = switch (dtype) {
            case FLOAT32 -> array instanceof float[];
            case FLOAT64 -> array instanceof double[];
            case INT64 -> array instanceof long[];
            case INT32 -> array instanceof int[];
            case BOOL -> array instanceof boolean[];
            case INT8 -> array instanceof byte[];
            case BFLOAT16, FLOAT16 -> array instanceof short[];
        };
        if (!ok) {
            throw new IllegalArgumentException(dtype + " values cross as a " + arrayTypeName(dtype) + ", found "
                    + (array == null ? "null" : array.getClass().getTypeName()));
        }
        return java.lang.reflect.Array.getLength(array);
    }

    /** The name of the Java array type of {@code dtype}, e.g. {@code float[]}. */
    public static String arrayTypeName(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float[]";
            case FLOAT64 -> "double[]";
            case INT64 -> "long[]";
            case INT32 -> "int[]";
            case BOOL -> "boolean[]";
            case INT8 -> "byte[]";
            case BFLOAT16, FLOAT16 -> "short[] of raw bits";
        };
    }

    /**
     * Writes elements {@code [from, from + count)} of {@code array} ({@code dtype}'s type) to {@code dst} at byte 0,
     * in native order. {@code dst} must hold {@code count * dtype.byteSize()} bytes; its position and limit are not
     * used or changed.
     */
    public static void put(Object array, DType dtype, int from, int count, ByteBuffer dst) {
        requireRoom(dst, (long) count * dtype.byteSize());
        ByteBuffer b = dst.duplicate().order(ByteOrder.nativeOrder());
        b.clear();
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().put((float[]) array, from, count);
            case FLOAT64 -> b.asDoubleBuffer().put((double[]) array, from, count);
            case INT64 -> b.asLongBuffer().put((long[]) array, from, count);
            case INT32 -> b.asIntBuffer().put((int[]) array, from, count);
            case BFLOAT16, FLOAT16 -> b.asShortBuffer().put((short[]) array, from, count);
            case INT8 -> b.put((byte[]) array, from, count);
            case BOOL -> {
                boolean[] a = (boolean[]) array;
                for (int i = 0; i < count; i++) {
                    b.put(i, a[from + i] ? (byte) 1 : (byte) 0);
                }
            }
        }
    }

    /**
     * Reads {@code count} elements of {@code dtype} from {@code src} at byte 0 (native order) into {@code array} at
     * {@code from}. Position and limit of {@code src} are not used or changed.
     */
    public static void get(ByteBuffer src, DType dtype, Object array, int from, int count) {
        requireRoom(src, (long) count * dtype.byteSize());
        ByteBuffer b = src.duplicate().order(ByteOrder.nativeOrder());
        b.clear();
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().get((float[]) array, from, count);
            case FLOAT64 -> b.asDoubleBuffer().get((double[]) array, from, count);
            case INT64 -> b.asLongBuffer().get((long[]) array, from, count);
            case INT32 -> b.asIntBuffer().get((int[]) array, from, count);
            case BFLOAT16, FLOAT16 -> b.asShortBuffer().get((short[]) array, from, count);
            case INT8 -> b.get((byte[]) array, from, count);
            case BOOL -> {
                boolean[] a = (boolean[]) array;
                for (int i = 0; i < count; i++) {
                    a[from + i] = b.get(i) != 0;
                }
            }
        }
    }

    private static void requireRoom(ByteBuffer buffer, long bytes) {
        if (bytes > buffer.capacity()) {
            throw new IllegalArgumentException("staging buffer of " + buffer.capacity() + " bytes cannot hold "
                    + bytes);
        }
    }

    /**
     * Copies the elements of {@code layout} (row-major order) out of {@code span}, an array holding the buffer's
     * elements from position {@code spanStart} on, into a new array: the host half of reading a strided operand
     * (the device copies the span, the host picks the elements).
     */
    public static Object gather(Object span, long spanStart, DType dtype, dev.nabla.spi.Layout layout) {
        int n = layout.numel();
        Object out = JavaArrays.newArray(dtype, n);
        if (layout.isContiguous()) {
            System.arraycopy(span, (int) (layout.offset() - spanStart), out, 0, n);
            return out;
        }
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = (int) (LayoutPacking.position(layout, i) - spanStart);
        }
        switch (out) {
            case float[] o -> { float[] s = (float[]) span; for (int i = 0; i < n; i++) o[i] = s[positions[i]]; }
            case double[] o -> { double[] s = (double[]) span; for (int i = 0; i < n; i++) o[i] = s[positions[i]]; }
            case long[] o -> { long[] s = (long[]) span; for (int i = 0; i < n; i++) o[i] = s[positions[i]]; }
            case int[] o -> { int[] s = (int[]) span; for (int i = 0; i < n; i++) o[i] = s[positions[i]]; }
            case boolean[] o -> { boolean[] s = (boolean[]) span; for (int i = 0; i < n; i++) o[i] = s[positions[i]]; }
            case byte[] o -> { byte[] s = (byte[]) span; for (int i = 0; i < n; i++) o[i] = s[positions[i]]; }
            case short[] o -> { short[] s = (short[]) span; for (int i = 0; i < n; i++) o[i] = s[positions[i]]; }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    /**
     * The buffer positions {@code [first, last + 1)} the elements of {@code layout} occupy (strides are never
     * negative): the span a strided read copies. {@code {offset, offset}} when it has no element.
     */
    public static long[] span(dev.nabla.spi.Layout layout) {
        long first = layout.offset();
        if (layout.numel() == 0) {
            return new long[]{first, first};
        }
        long last = first;
        for (int d = 0; d < layout.rank(); d++) {
            last += (long) (layout.shape()[d] - 1) * layout.strides()[d];
        }
        return new long[]{first, last + 1};
    }
}
