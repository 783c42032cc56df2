package dev.nabla.cuda;

import jcuda.jcublas.cublasOperation;

/**
 * Row-major GEMM expressed as the column-major call cuBLAS takes (CUDA-NOTES.md, "GEMM through cuBLAS").
 *
 * <p>A row-major matrix with row stride {@code ld} is, read column-major with the same {@code ld}, its transpose. So
 * the row-major product {@code C[M×N] = op(A)·op(B)} is the column-major product {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}: cuBLAS
 * is called with B as its first operand and A as its second, {@code m = N}, {@code n = M}, and each operand's
 * transpose flag kept as it is:
 * <pre>
 * cublasSgemm(h, transB ? T : N, transA ? T : N, N, M, K, α, B, ldb, A, lda, β, C, ldc)
 * </pre>
 * with {@code ldb}, {@code lda}, {@code ldc} the row strides of the row-major storage (for contiguous storage:
 * {@code transB ? K : N}, {@code transA ? M : K}, {@code N}). A pure function, so it is tested without a GPU.
 */
final class CublasGemm {
    private CublasGemm() {
    }

    /** Which row-major operand cuBLAS gets in its "A" or "B" position. */
    enum Operand { A, B }

    /**
     * The arguments of {@code cublasSgemm(handle, transa, transb, m, n, k, alpha, first, ldFirst, second, ldSecond,
     * beta, C, ldc)} (and of {@code cublasGemmEx_new} and the strided-batched forms, which take the same ones).
     *
     * @param transa   {@link cublasOperation#CUBLAS_OP_N} or {@code CUBLAS_OP_T}, for the first operand
     * @param first    which row-major operand is passed first (always {@link Operand#B})
     * @param second   which row-major operand is passed second (always {@link Operand#A})
     */
    record Call(int transa, int transb, int m, int n, int k, Operand first, int ldFirst, Operand second, int ldSecond,
                int ldc) {
    }

    /** Contiguous row-major operands: A is [M, K] ([K, M] if {@code transA}), B is [K, N] ([N, K] if {@code transB}). */
    static Call rowMajor(boolean transA, boolean transB, int m, int n, int k) {
        return rowMajor(transA, transB, m, n, k, transA ? m : k, transB ? k : n, n);
    }

    /**
     * Row-major operands with row strides {@code lda}, {@code ldb}, {@code ldc} (in elements; each at least its
     * matrix's column count, and at least 1 as cuBLAS requires).
     */
    static Call rowMajor(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes must be >= 0, found M=" + m + " N=" + n + " K=" + k);
        }
        requireLd("A", lda, transA ? m : k);
        requireLd("B", ldb, transB ? k : n);
        requireLd("C", ldc, n);
        return new Call(transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                n, m, k, Operand.B, ldb, Operand.A, lda, ldc);
    }

    private static void requireLd(String name, int ld, int columns) {
        if (ld < Math.max(1, columns)) {
            throw new IllegalArgumentException("row stride of " + name + " must be >= max(1, " + columns
                    + ") (its column count), found " + ld);
        }
    }
}
