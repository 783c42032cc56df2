package dev.nabla.cuda;

import dev.nabla.cuda.CublasGemm.Call;
import jcuda.jcublas.cublasOperation;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The mapping is checked by running its argument tuple through a plain-Java column-major SGEMM with exactly the
 * BLAS semantics cuBLAS has, on the row-major arrays, and comparing with a row-major product computed directly.
 */
class CublasGemmTest {
    /** Reference BLAS sgemm, column-major: C = alpha op(A) op(B) + beta C, op(X) = X or Xᵀ. */
    static void columnMajorSgemm(int transa, int transb, int m, int n, int k, float alpha, float[] a, int lda,
                                 float[] b, int ldb, float beta, float[] c, int ldc) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float x = transa == cublasOperation.CUBLAS_OP_N ? a[i + p * lda] : a[p + i * lda];
                    float y = transb == cublasOperation.CUBLAS_OP_N ? b[p + j * ldb] : b[j + p * ldb];
                    s += (double) x * y;
                }
                c[i + j * ldc] = (float) (alpha * s + beta * c[i + j * ldc]);
            }
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static void check(boolean transA, boolean transB, int m, int n, int k, int padA, int padB, int padC) {
        SplittableRandom r = new SplittableRandom(31L * m + 7L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        int rowsA = transA ? k : m, colsA = transA ? m : k;
        int rowsB = transB ? n : k, colsB = transB ? k : n;
        int lda = colsA + padA, ldb = colsB + padB, ldc = n + padC;
        float[] a = random(r, Math.max(1, rowsA * lda));
        float[] b = random(r, Math.max(1, rowsB * ldb));
        Call call = padA == 0 && padB == 0 && padC == 0
                ? CublasGemm.rowMajor(transA, transB, m, n, k)
                : CublasGemm.rowMajor(transA, transB, m, n, k, lda, ldb, ldc);
        assertEquals(CublasGemm.Operand.B, call.first());
        assertEquals(CublasGemm.Operand.A, call.second());
        float[] first = call.first() == CublasGemm.Operand.A ? a : b;
        float[] second = call.second() == CublasGemm.Operand.A ? a : b;
        float[] betaZero = new float[Math.max(1, m * ldc)];
        columnMajorSgemm(call.transa(), call.transb(), call.m(), call.n(), call.k(), 1f, first, call.ldFirst(),
                second, call.ldSecond(), 0f, betaZero, call.ldc());
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double expected = 0;
                for (int p = 0; p < k; p++) {
                    double x = transA ? a[p * lda + i] : a[i * lda + p];
                    double y = transB ? b[j * ldb + p] : b[p * ldb + j];
                    expected += x * y;
                }
                String where = "C[" + i + "," + j + "] of " + m + "x" + n + "x" + k + " transA=" + transA + " transB=" + transB;
                assertEquals(expected, betaZero[i * ldc + j], 1e-5 * Math.max(1, k), where);
            }
        }
    }

    @Test
    void everyTransposeCombinationAndShape() {
        int[][] shapes = {{1, 1, 1}, {2, 3, 4}, {4, 3, 2}, {5, 1, 7}, {1, 6, 3}, {7, 5, 1}, {16, 9, 13}, {3, 32, 17}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    check(ta, tb, s[0], s[1], s[2], 0, 0, 0);
                    check(ta, tb, s[0], s[1], s[2], 3, 1, 2);
                }
            }
        }
    }

    @Test
    void contiguousArgumentsAreTheNotesFormula() {
        // cublasSgemm(h, transB?T:N, transA?T:N, N, M, K, α, B, transB?K:N, A, transA?M:K, β, C, N)
        Call c = CublasGemm.rowMajor(true, false, 2, 3, 4);
        assertEquals(new Call(cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_T, 3, 2, 4,
                CublasGemm.Operand.B, 3, CublasGemm.Operand.A, 2, 3), c);
        Call d = CublasGemm.rowMajor(false, true, 2, 3, 4);
        assertEquals(new Call(cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, 3, 2, 4,
                CublasGemm.Operand.B, 4, CublasGemm.Operand.A, 4, 3), d);
    }

    @Test
    void rejectsBadStridesAndSizes() {
        assertThrows(IllegalArgumentException.class, () -> CublasGemm.rowMajor(false, false, 2, 3, 4, 3, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> CublasGemm.rowMajor(false, false, -1, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> CublasGemm.rowMajor(false, false, 2, 0, 4, 4, 0, 0));
    }
}
