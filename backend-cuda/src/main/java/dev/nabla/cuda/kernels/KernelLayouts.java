package dev.nabla.cuda.kernels;

import dev.nabla.spi.Layout;

import java.util.Arrays;

/**
 * Kernel arguments for strided operands: the {@code NablaLayout} struct of {@code src/main/cuda/nabla_layout.cuh}
 * ({@code int rank, offset, shape[8], strides[8]}, passed by value: {@code Pointer.to(int[18])}) and the merging of
 * dimensions that keeps every operand of one launch within rank 8. Pure logic: no CUDA here.
 */
public final class KernelLayouts {
    /** {@code NABLA_MAX_RANK}. */
    public static final int MAX_RANK = 8;
    /** Ints in one {@code NablaLayout}. */
    public static final int INTS = 2 + 2 * MAX_RANK;

    private KernelLayouts() {
    }

    /** The 18 ints of a {@code NablaLayout}; unused trailing dimensions get shape 1 and stride 0. */
    public static int[] pack(int[] shape, int[] strides, int offset) {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("rank " + shape.length + " exceeds " + MAX_RANK + ": coalesce first");
        }
        int[] a = new int[INTS];
        a[0] = shape.length;
        a[1] = offset;
        Arrays.fill(a, 2, 2 + MAX_RANK, 1);
        System.arraycopy(shape, 0, a, 2, shape.length);
        System.arraycopy(strides, 0, a, 2 + MAX_RANK, strides.length);
        return a;
    }

    /** {@link #pack(int[], int[], int)} of a layout. */
    public static int[] pack(Layout l) {
        return pack(l.shape(), l.strides(), l.offset());
    }

    /**
     * Layouts of one shape, with size-1 dimensions dropped and neighbouring dimensions merged wherever every operand
     * allows it (dimension d merges into d-1 when {@code strides[d-1] == strides[d] * shape[d]} for all operands), so
     * that element i in row-major order is the same element of each result as of each input. The result's rank is at
     * most the input's (0 for a single element).
     */
    public static Layout[] coalesce(Layout... layouts) {
        int rank = layouts[0].rank();
        int[] shape = layouts[0].shape();
        int k = layouts.length;
        int[] ns = new int[rank];
        int[][] nst = new int[k][rank];
        int r = 0;
        for (int d = 0; d < rank; d++) {
            int size = shape[d];
            if (size == 1) {
                continue;
            }
            boolean merge = r > 0;
            for (int j = 0; j < k && merge; j++) {
                merge = nst[j][r - 1] == layouts[j].strides()[d] * size;
            }
            if (merge) {
                ns[r - 1] *= size;
                for (int j = 0; j < k; j++) {
                    nst[j][r - 1] = layouts[j].strides()[d];
                }
            } else {
                ns[r] = size;
                for (int j = 0; j < k; j++) {
                    nst[j][r] = layouts[j].strides()[d];
                }
                r++;
            }
        }
        Layout[] out = new Layout[k];
        for (int j = 0; j < k; j++) {
            out[j] = new Layout(Arrays.copyOf(ns, r), Arrays.copyOf(nst[j], r), layouts[j].offset());
        }
        return out;
    }

    /**
     * The packed {@code NablaLayout}s of operands that share a shape, coalesced first; throws if the operands still
     * need more than 8 dimensions (the host must then split the launch).
     */
    public static int[][] packAll(Layout... layouts) {
        Layout[] c = coalesce(layouts);
        int[][] out = new int[c.length][];
        for (int j = 0; j < c.length; j++) {
            out[j] = pack(c[j]);
        }
        return out;
    }

    /** {@code l} with the stride of {@code dim} replaced. */
    public static Layout withStride(Layout l, int dim, int stride) {
        int[] s = l.strides().clone();
        s[dim] = stride;
        return new Layout(l.shape(), s, l.offset());
    }
}
