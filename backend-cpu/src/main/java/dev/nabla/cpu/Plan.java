package dev.nabla.cpu;

import dev.nabla.spi.Layout;

/**
 * Iteration plan of an elementwise operation over operands that share one shape (operand 0 is the
 * output). Size-1 axes are dropped, axes are put in the output's stride order, and adjacent axes that are
 * jointly contiguous in every operand are merged, so that the innermost axis is as long as possible.
 * The work is then a sequence of rows: runs along the innermost axis, each with one start offset per
 * operand and the fixed inner strides.
 */
final class Plan {
    /** Body of one row: {@code offs[k]} is operand k's first element, {@code n} the row length. */
    @FunctionalInterface
    interface Row {
        void run(int[] offs, int n);
    }

    final int rank;
    final int[] shape;
    /** strides[operand][axis]. */
    final int[][] strides;
    final int[] offsets;
    final int numel;

    private Plan(int[] shape, int[][] strides, int[] offsets, int numel) {
        this.rank = shape.length;
        this.shape = shape;
        this.strides = strides;
        this.offsets = offsets;
        this.numel = numel;
    }

    static Plan of(Layout... layouts) {
        int ops = layouts.length;
        int[] fullShape = layouts[0].shape();
        int numel = layouts[0].numel();
        int[] offsets = new int[ops];
        for (int k = 0; k < ops; k++) {
            offsets[k] = layouts[k].offset();
        }
        // keep axes of size > 1
        int r = 0;
        for (int s : fullShape) {
            if (s != 1) {
                r++;
            }
        }
        int[] axes = new int[r];
        for (int d = 0, j = 0; d < fullShape.length; d++) {
            if (fullShape[d] != 1) {
                axes[j++] = d;
            }
        }
        if (r == 0 || numel == 0) {
            int[][] strides = new int[ops][1];
            for (int k = 0; k < ops; k++) {
                strides[k][0] = 1;
            }
            return new Plan(new int[] {numel == 0 ? 0 : 1}, strides, offsets, numel);
        }
        // order axes by decreasing output stride (stable), so the output is written in memory order
        int[] outStrides = layouts[0].strides();
        boolean sorted = true;
        for (int j = 1; j < r; j++) {
            if (outStrides[axes[j]] > outStrides[axes[j - 1]]) {
                sorted = false;
                break;
            }
        }
        if (!sorted) {
            for (int j = 1; j < r; j++) { // insertion sort, stable
                int a = axes[j];
                int i = j - 1;
                while (i >= 0 && outStrides[axes[i]] < outStrides[a]) {
                    axes[i + 1] = axes[i];
                    i--;
                }
                axes[i + 1] = a;
            }
        }
        // merge from the inside out
        int[] shape = new int[r];
        int[][] strides = new int[ops][r];
        int n = 0;
        for (int j = r - 1; j >= 0; j--) {
            int d = axes[j];
            int size = fullShape[d];
            if (n > 0) {
                int inner = r - n;
                boolean merge = true;
                for (int k = 0; k < ops; k++) {
                    if (layouts[k].strides()[d] != strides[k][inner] * shape[inner]) {
                        merge = false;
                        break;
                    }
                }
                if (merge) {
                    shape[inner] *= size;
                    continue;
                }
            }
            n++;
            int pos = r - n;
            shape[pos] = size;
            for (int k = 0; k < ops; k++) {
                strides[k][pos] = layouts[k].strides()[d];
            }
        }
        int[] s = java.util.Arrays.copyOfRange(shape, r - n, r);
        int[][] st = new int[ops][];
        for (int k = 0; k < ops; k++) {
            st[k] = java.util.Arrays.copyOfRange(strides[k], r - n, r);
        }
        return new Plan(s, st, offsets, numel);
    }

    /** A plan over an explicit shape and strides (no merging), e.g. the kept or reduced axes of a reduction. */
    static Plan raw(int[] shape, int[][] strides, int[] offsets) {
        int numel = 1;
        for (int d : shape) {
            numel *= d;
        }
        if (shape.length == 0) {
            int[][] st = new int[strides.length][];
            for (int k = 0; k < strides.length; k++) {
                st[k] = new int[] {1};
            }
            return new Plan(new int[] {1}, st, offsets, 1);
        }
        return new Plan(shape, strides, offsets, numel);
    }

    int innerSize() {
        return shape[rank - 1];
    }

    int innerStride(int operand) {
        return strides[operand][rank - 1];
    }

    /** Runs {@code body} over the rows that cover elements {@code [lo, hi)} in plan order. */
    void forRows(int lo, int hi, Row body) {
        forRows(lo, hi, offsets, body);
    }

    /** Like {@link #forRows(int, int, Row)} with {@code base} in place of the plan's own offsets. */
    void forRows(int lo, int hi, int[] base, Row body) {
        int ops = base.length;
        int last = rank - 1;
        int[] idx = new int[rank];
        int[] offs = base.clone();
        int rem = lo;
        for (int d = last; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
            for (int k = 0; k < ops; k++) {
                offs[k] += idx[d] * strides[k][d];
            }
        }
        int inner = shape[last];
        int pos = lo;
        while (pos < hi) {
            int n = Math.min(inner - idx[last], hi - pos);
            body.run(offs, n);
            pos += n;
            if (pos >= hi) {
                break;
            }
            idx[last] += n;
            for (int k = 0; k < ops; k++) {
                offs[k] += n * strides[k][last];
            }
            for (int d = last; d > 0 && idx[d] == shape[d]; d--) {
                idx[d] = 0;
                idx[d - 1]++;
                for (int k = 0; k < ops; k++) {
                    offs[k] += strides[k][d - 1] - shape[d] * strides[k][d];
                }
            }
        }
    }

    /**
     * Runs {@code body} over all rows, split into fixed chunks of {@code grain} elements that run in
     * parallel when the plan is large enough. When an operand walks the innermost axis with a large
     * stride but the next axis with a small one (a transposed operand), the two inner axes are visited in
     * {@link #TILE} x {@link #TILE} tiles instead, so that every cache line it touches is used for a whole
     * tile. Elementwise kernels compute each element independently of where its row starts, so neither
     * the chunking nor the tiling changes any result.
     */
    void run(Row body) {
        if (transposed()) {
            runTiled(body);
        } else {
            Parallel.forChunks(numel, GRAIN, Parallel.MIN_PARALLEL_ELEMENTS, (lo, hi) -> forRows(lo, hi, body));
        }
    }

    /** Elements per chunk of elementwise work. */
    static final int GRAIN = 16 * 1024;
    /** Edge of the square tiles used for transposed operands. */
    static final int TILE = 32;

    private boolean transposed() {
        if (rank < 2 || shape[rank - 1] < TILE / 2 || shape[rank - 2] < TILE / 2) {
            return false;
        }
        for (int[] st : strides) {
            int inner = st[rank - 1];
            int next = st[rank - 2];
            if (inner > TILE && next != 0 && next < inner) {
                return true;
            }
        }
        return false;
    }

    private void runTiled(Row body) {
        int ops = offsets.length;
        int d0 = rank - 1;
        int d1 = rank - 2;
        int n0 = shape[d0];
        int n1 = shape[d1];
        int bands = (n1 + TILE - 1) / TILE;
        int outer = numel / (n0 * n1);
        Parallel.forChunks(outer * bands, 1, numel >= Parallel.MIN_PARALLEL_ELEMENTS ? 0 : Integer.MAX_VALUE, (t, tEnd) -> {
            int o = t / bands;
            int band = t % bands;
            int[] base = offsets.clone();
            int rem = o;
            for (int d = rank - 3; d >= 0; d--) {
                int idx = rem % shape[d];
                rem /= shape[d];
                for (int k = 0; k < ops; k++) {
                    base[k] += idx * strides[k][d];
                }
            }
            int i0 = band * TILE;
            int i1 = Math.min(n1, i0 + TILE);
            int[] row = new int[ops];
            for (int j0 = 0; j0 < n0; j0 += TILE) {
                int w = Math.min(TILE, n0 - j0);
                for (int i = i0; i < i1; i++) {
                    for (int k = 0; k < ops; k++) {
                        row[k] = base[k] + i * strides[k][d1] + j0 * strides[k][d0];
                    }
                    body.run(row, w);
                }
            }
        });
    }
}
