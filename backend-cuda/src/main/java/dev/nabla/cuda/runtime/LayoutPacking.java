package dev.nabla.cuda.runtime;

import dev.nabla.spi.Layout;

import java.util.Arrays;

/**
 * Layouts as the kernels take them: the {@code NablaLayout} struct of {@code src/main/cuda/nabla_layout.cuh},
 * passed by value as {@value #INTS} ints {@code {rank, offset, shape[8], strides[8]}} (unused trailing dimensions:
 * shape 1, stride 0), and the coalescing that brings the operands of one launch to at most {@value #MAX_RANK}
 * dimensions.
 *
 * <p>Coalescing is joint: every operand of a launch has the same shape and the kernel walks them by one linear
 * index, so dimension {@code d} may merge into {@code d+1} only where, in every operand,
 * {@code strides[d] == strides[d+1] * shape[d+1]}; dimensions of extent 1 are dropped. The element each linear index
 * names is unchanged, so the result is the same, and kernels do fewer divisions.
 */
public final class LayoutPacking {
    /** {@code NABLA_MAX_RANK}. */
    public static final int MAX_RANK = 8;
    /** Ints in one packed {@code NablaLayout}. */
    public static final int INTS = 2 + 2 * MAX_RANK;

    private LayoutPacking() {
    }

    /**
     * The layouts of one launch's operands (all of one shape) with their dimensions jointly coalesced: extent-1
     * dimensions dropped and mergeable neighbours merged. A shape with a 0 extent becomes rank-1 {@code [0]}; a
     * scalar (or all-ones shape) becomes rank 0.
     */
    public static Layout[] coalesce(Layout... layouts) {
        if (layouts.length == 0) {
            return layouts;
        }
        int[] shape = layouts[0].shape();
        for (Layout l : layouts) {
            if (!Arrays.equals(l.shape(), shape)) {
                throw new IllegalArgumentException("operands of one launch must share a shape, found "
                        + Arrays.toString(shape) + " and " + Arrays.toString(l.shape()));
            }
        }
        int k = layouts.length;
        for (int s : shape) {
            if (s == 0) {
                Layout[] empty = new Layout[k];
                for (int i = 0; i < k; i++) {
                    empty[i] = new Layout(new int[]{0}, new int[]{1}, layouts[i].offset());
                }
                return empty;
            }
        }
        int rank = shape.length;
        int[] outShape = new int[rank];
        int[][] outStrides = new int[k][rank];
        int n = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = n > 0;
            for (int i = 0; i < k && merge; i++) {
                // previous kept dimension (n-1) is outer to d: merge if prev stride == stride[d] * shape[d]
                merge = (long) outStrides[i][n - 1] == (long) layouts[i].strides()[d] * shape[d];
            }
            if (merge) {
                outShape[n - 1] *= shape[d];
                for (int i = 0; i < k; i++) {
                    outStrides[i][n - 1] = layouts[i].strides()[d];
                }
            } else {
                outShape[n] = shape[d];
                for (int i = 0; i < k; i++) {
                    outStrides[i][n] = layouts[i].strides()[d];
                }
                n++;
            }
        }
        Layout[] out = new Layout[k];
        for (int i = 0; i < k; i++) {
            out[i] = new Layout(Arrays.copyOf(outShape, n), Arrays.copyOf(outStrides[i], n), layouts[i].offset());
        }
        return out;
    }

    /**
     * {@code layout} as {@value #INTS} ints for a kernel argument ({@code Pointer.to(int[])}).
     *
     * @throws IllegalArgumentException if its rank exceeds {@value #MAX_RANK} (coalesce first)
     */
    public static int[] pack(Layout layout) {
        int rank = layout.rank();
        if (rank > MAX_RANK) {
            throw new IllegalArgumentException("a kernel operand has at most " + MAX_RANK + " dimensions after "
                    + "coalescing, found " + layout + "; split the operation or make the operand contiguous");
        }
        int[] packed = new int[INTS];
        packed[0] = rank;
        packed[1] = layout.offset();
        for (int d = 0; d < MAX_RANK; d++) {
            packed[2 + d] = d < rank ? layout.shape()[d] : 1;
            packed[2 + MAX_RANK + d] = d < rank ? layout.strides()[d] : 0;
        }
        return packed;
    }

    /** {@link #coalesce} then {@link #pack} each: the layout arguments of one launch. */
    public static int[][] coalesceAndPack(Layout... layouts) {
        Layout[] c = coalesce(layouts);
        int[][] packed = new int[c.length][];
        for (int i = 0; i < c.length; i++) {
            packed[i] = pack(c[i]);
        }
        return packed;
    }

    /**
     * The buffer position of the element with row-major linear index {@code linear}: what the kernels'
     * {@code nabla_offset} computes, for tests and host-side reads.
     */
    public static long position(Layout layout, long linear) {
        long pos = layout.offset();
        int[] shape = layout.shape();
        int[] strides = layout.strides();
        for (int d = shape.length - 1; d >= 0; d--) {
            long i = linear % shape[d];
            linear /= shape[d];
            pos += i * strides[d];
        }
        return pos;
    }
}
