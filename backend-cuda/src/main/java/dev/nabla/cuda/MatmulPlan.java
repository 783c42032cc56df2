package dev.nabla.cuda;

import dev.nabla.spi.Layout;

/**
 * How {@code Backend#matmul}'s strided operands ({@code a} [B, M, K], {@code b} [B, K, N], {@code out} [B, M, N])
 * map to one strided-batched cuBLAS GEMM, or that they do not ({@link #of} answers null: the caller makes the
 * inputs contiguous first). Pure, so it is tested without a GPU.
 *
 * <p>An input matrix [R, C] with strides (sr, sc) is row-major with row stride {@code sr} when {@code sc == 1}, or
 * transposed storage (row-major [C, R] with row stride {@code sc}) when {@code sr == 1}; an extent-1 dimension
 * takes any stride. A batch stride of 0 (a broadcast input) is passed through, which cuBLAS allows for inputs. The
 * output must be row-major with unit column stride. Strides and offsets are in elements.
 *
 * @param gemm          the column-major call ({@link CublasGemm#rowMajor}: B first, A second)
 * @param batch         B
 * @param strideA       A's batch stride (elements)
 * @param strideB       B's batch stride
 * @param strideC       out's batch stride
 */
record MatmulPlan(CublasGemm.Call gemm, int batch, long strideA, long strideB, long strideC) {

    /** True when there is nothing to compute (B, M or N is 0). */
    boolean empty() {
        return batch == 0 || gemm.m() == 0 || gemm.n() == 0;
    }

    /** True when K is 0: the output is all zeros (cuBLAS is not called). */
    boolean zeroK() {
        return gemm.k() == 0;
    }

    /** One input matrix as cuBLAS sees it: whether it is stored transposed, and its leading dimension. */
    record Matrix(boolean transposed, int ld) {
    }

    /**
     * Matrix view of a [R, C] input with strides (sr, sc), or null when neither row-major nor transposed storage
     * describes it (e.g. both strides above 1, or a broadcast row).
     */
    static Matrix matrix(int rows, int cols, int sr, int sc) {
        boolean unitCol = sc == 1 || cols == 1;
        int rowLd = rows == 1 ? Math.max(1, cols) : sr;
        if (unitCol && rowLd >= Math.max(1, cols)) {
            return new Matrix(false, rowLd);
        }
        boolean unitRow = sr == 1 || rows == 1;
        int colLd = cols == 1 ? Math.max(1, rows) : sc;
        if (unitRow && colLd >= Math.max(1, rows)) {
            return new Matrix(true, colLd);
        }
        return null;
    }

    /** The plan for {@code a}, {@code b}, {@code out} (each rank 3), or null if cuBLAS cannot take them as they are. */
    static MatmulPlan of(Layout a, Layout b, Layout out) {
        if (a.rank() != 3 || b.rank() != 3 || out.rank() != 3) {
            throw new IllegalArgumentException("matmul operands are [B, M, K], [B, K, N], [B, M, N], found " + a
                    + ", " + b + ", " + out);
        }
        int batch = out.shape()[0];
        int m = a.shape()[1];
        int k = a.shape()[2];
        int n = b.shape()[2];
        Matrix ma = matrix(m, k, a.strides()[1], a.strides()[2]);
        Matrix mb = matrix(k, n, b.strides()[1], b.strides()[2]);
        Matrix mc = matrix(m, n, out.strides()[1], out.strides()[2]);
        if (ma == null || mb == null || mc == null || mc.transposed()) {
            return null;
        }
        if (m == 0 || n == 0 || batch == 0) {
            return new MatmulPlan(CublasGemm.rowMajor(false, false, m, n, k), batch, 0, 0, 0);
        }
        CublasGemm.Call call = CublasGemm.rowMajor(ma.transposed(), mb.transposed(), m, n, k, ma.ld(), mb.ld(),
                mc.ld());
        return new MatmulPlan(call, batch, batchStride(a), batchStride(b), batchStride(out));
    }

    private static long batchStride(Layout l) {
        return l.shape()[0] == 1 ? 0 : l.strides()[0];
    }
}
