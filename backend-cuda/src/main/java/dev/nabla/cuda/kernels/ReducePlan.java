package dev.nabla.cuda.kernels;

import dev.nabla.cuda.runtime.LayoutPacking;
import dev.nabla.spi.Layout;

import java.util.Arrays;

/**
 * The arguments of the {@code nabla_reduce_*} kernels (src/main/cuda/reduce.cu) for
 * {@code Backend#reduce(op, x, dims, out)}: x's axes split into kept and reduced ones, size-1 axes dropped, and
 * neighbouring axes of each group merged where the strides allow (kept axes only where x's and out's strides both
 * allow), so that {@code x[kept index o, reduced index j]} is {@code x[offset(kept, o) + offset(reduced, j)]} and
 * output o is {@code out[offset(keptOut, o)]}, o and j in row-major order. For ARGMAX/ARGMIN the reduced part is
 * the one axis, never merged, so j is the index along it.
 *
 * @param kept    x over the kept axes (x's offset)
 * @param keptOut out over the kept axes (out's offset)
 * @param reduced x over the reduced axes (offset 0)
 * @param nOut    outputs (numel of out)
 * @param nRed    elements per output (0 for an empty reduction: SUM fills 0, PROD 1, nothing is launched)
 */
public record ReducePlan(Layout kept, Layout keptOut, Layout reduced, int nOut, int nRed) {

    /** Threads per block that the block-per-output kernels require. */
    public static final int BLOCK_THREADS = 256;

    /** The plan for reducing {@code x} over the sorted, distinct {@code dims} into {@code out} (x's rank, dims of size 1). */
    public static ReducePlan of(Layout x, Layout out, int[] dims) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        int nk = 0;
        int[] ks = new int[rank], kx = new int[rank], ko = new int[rank];
        for (int d = 0; d < rank; d++) {
            int size = x.shape()[d];
            if (reduced[d] || size == 1) {
                continue;
            }
            if (nk > 0 && kx[nk - 1] == x.strides()[d] * size && ko[nk - 1] == out.strides()[d] * size) {
                ks[nk - 1] *= size;
                kx[nk - 1] = x.strides()[d];
                ko[nk - 1] = out.strides()[d];
            } else {
                ks[nk] = size;
                kx[nk] = x.strides()[d];
                ko[nk] = out.strides()[d];
                nk++;
            }
        }
        int[] rdims = Arrays.stream(dims).filter(d -> x.shape()[d] != 1).toArray();
        int[] rsh = new int[rdims.length];
        int[] rst = new int[rdims.length];
        for (int i = 0; i < rdims.length; i++) {
            rsh[i] = x.shape()[rdims[i]];
            rst[i] = x.strides()[rdims[i]];
        }
        Layout red = new Layout(rsh, rst, 0);
        if (rdims.length > 1) {
            red = LayoutPacking.coalesce(red)[0];
        }
        int nRed = red.numel();
        for (int d : dims) {
            if (x.shape()[d] == 0) {
                nRed = 0;
            }
        }
        Layout kept = new Layout(Arrays.copyOf(ks, nk), Arrays.copyOf(kx, nk), x.offset());
        Layout keptOut = new Layout(Arrays.copyOf(ks, nk), Arrays.copyOf(ko, nk), out.offset());
        if (kept.rank() > LayoutPacking.MAX_RANK || red.rank() > LayoutPacking.MAX_RANK) {
            throw new IllegalArgumentException("reduce: more than " + LayoutPacking.MAX_RANK
                    + " kept or reduced axes remain after merging: " + x + ", dims " + Arrays.toString(dims));
        }
        return new ReducePlan(kept, keptOut, red, out.numel(), nRed);
    }

    /**
     * Whether the block-per-output kernel ({@code nabla_reduce_<op>_<dtype>}, 256 threads per block) suits this plan
     * better than the thread-per-output one ({@code nabla_reduce_thread_*}): long reductions, or few outputs.
     * Either kernel is correct for any plan.
     */
    public boolean preferBlockPerOutput() {
        if (nRed <= 32) {
            return false;
        }
        if (nOut < 2048) {
            return true; // too few outputs to fill the device with one thread each
        }
        boolean innerReducedContiguous = reduced.rank() > 0 && reduced.strides()[reduced.rank() - 1] == 1;
        return nRed >= 4096 || innerReducedContiguous && nRed >= 256;
    }

    /**
     * Chunks per output for the split kernels ({@code nabla_reduce_partial_*} then {@code nabla_reduce_finish_*}):
     * more than 1 when there are few outputs with long reductions (a full sum of 10^7 elements would otherwise run
     * as one block on one SM); then each block reduces at least 16K elements and about 2048 blocks run in all.
     */
    public int splits() {
        if (nOut >= 512 || nRed < 32768) {
            return 1;
        }
        long want = (nRed + 16383L) / 16384L;
        long cap = Math.max(1, 2048 / nOut);
        return (int) Math.max(1, Math.min(want, cap));
    }
}
