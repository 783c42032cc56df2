package dev.nabla.spi;

import java.util.Arrays;

/**
 * How a tensor's elements sit in its buffer: element {@code (i0, i1, ...)} is at
 * {@code offset + i0*strides[0] + i1*strides[1] + ...}. Strides are in elements and may be
 * zero (broadcast) but never negative. Arrays are never modified after construction.
 */
public record Layout(int[] shape, int[] strides, int offset) {

    public Layout {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                    + " and strides " + Arrays.toString(strides) + " differ in rank");
        }
    }

    /** A contiguous row-major layout of {@code shape} starting at element 0. */
    public static Layout contiguous(int... shape) {
        return new Layout(shape, contiguousStrides(shape), 0);
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        return strides;
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** True if elements are densely packed in row-major order (offset may be non-zero). */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && offset == l.offset
                && Arrays.equals(shape, l.shape) && Arrays.equals(strides, l.strides);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + Arrays.hashCode(strides)) + offset;
    }

    @Override
    public String toString() {
        return "Layout" + Arrays.toString(shape) + " strides" + Arrays.toString(strides) + " offset " + offset;
    }
}
