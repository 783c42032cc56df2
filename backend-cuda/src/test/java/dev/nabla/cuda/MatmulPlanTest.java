package dev.nabla.cuda;

import dev.nabla.spi.Layout;
import jcuda.jcublas.cublasOperation;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each plan is run through a plain-Java strided-batched column-major SGEMM with cuBLAS's semantics over the
 * operands' own buffers, and compared with the row-major product read through the layouts.
 */
class MatmulPlanTest {
    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextInt(-4, 5));
        }
        return v;
    }

    private static int extent(Layout l) {
        long last = l.offset();
        for (int d = 0; d < l.rank(); d++) {
            last += (long) (l.shape()[d] - 1) * l.strides()[d];
        }
        return (int) last + 1;
    }

    /** cublasSgemmStridedBatched on Java arrays (offsets are the pointers). */
    private static void stridedBatched(MatmulPlan p, float[] a, int ao, float[] b, int bo, float[] c, int co) {
        CublasGemm.Call g = p.gemm();
        float[] first = g.first() == CublasGemm.Operand.A ? a : b;
        float[] second = g.second() == CublasGemm.Operand.A ? a : b;
        int fo = g.first() == CublasGemm.Operand.A ? ao : bo;
        int so = g.second() == CublasGemm.Operand.A ? ao : bo;
        long fs = g.first() == CublasGemm.Operand.A ? p.strideA() : p.strideB();
        long ss = g.second() == CublasGemm.Operand.A ? p.strideA() : p.strideB();
        for (int batch = 0; batch < p.batch(); batch++) {
            for (int j = 0; j < g.n(); j++) {
                for (int i = 0; i < g.m(); i++) {
                    double s = 0;
                    for (int q = 0; q < g.k(); q++) {
                        int xi = (int) (fo + batch * fs) + (g.transa() == cublasOperation.CUBLAS_OP_N
                                ? i + q * g.ldFirst() : q + i * g.ldFirst());
                        int yi = (int) (so + batch * ss) + (g.transb() == cublasOperation.CUBLAS_OP_N
                                ? q + j * g.ldSecond() : j + q * g.ldSecond());
                        s += (double) first[xi] * second[yi];
                    }
                    c[(int) (co + batch * p.strideC()) + i + j * g.ldc()] = (float) s;
                }
            }
        }
    }

    private static void check(Layout a, Layout b, Layout out) {
        SplittableRandom r = new SplittableRandom(a.hashCode() * 31L + b.hashCode());
        MatmulPlan p = MatmulPlan.of(a, b, out);
        assertNotNull(p, a + " " + b + " " + out);
        float[] da = random(r, extent(a));
        float[] db = random(r, extent(b));
        float[] dc = new float[extent(out)];
        stridedBatched(p, da, a.offset(), db, b.offset(), dc, out.offset());
        int batch = out.shape()[0], m = out.shape()[1], n = out.shape()[2], k = a.shape()[2];
        for (int q = 0; q < batch; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int t = 0; t < k; t++) {
                        s += da[at(a, q, i, t)] * db[at(b, q, t, j)];
                    }
                    assertEquals(s, dc[at(out, q, i, j)], 0, "[" + q + "," + i + "," + j + "] of " + a + " x " + b);
                }
            }
        }
    }

    private static int at(Layout l, int q, int i, int j) {
        return l.offset() + q * l.strides()[0] + i * l.strides()[1] + j * l.strides()[2];
    }

    private static Layout view(int[] shape, int[] strides, int offset) {
        return new Layout(shape, strides, offset);
    }

    @Test
    void contiguousTransposedOffsetAndBroadcastOperandsMapToOneGemm() {
        int batch = 3, m = 4, k = 5, n = 2;
        Layout a = Layout.contiguous(batch, m, k);
        Layout b = Layout.contiguous(batch, k, n);
        Layout out = Layout.contiguous(batch, m, n);
        check(a, b, out);
        // a stored transposed ([B, K, M] memory): strides (M*K, 1, M)
        check(view(new int[]{batch, m, k}, new int[]{m * k, 1, m}, 0), b, out);
        // b transposed and offset, out padded rows (ldc = n + 3) at an offset
        check(a, view(new int[]{batch, k, n}, new int[]{k * n, 1, k}, 7),
                view(new int[]{batch, m, n}, new int[]{m * (n + 3), n + 3, 1}, 2));
        // b broadcast over the batch (weights): batch stride 0
        check(a, view(new int[]{batch, k, n}, new int[]{0, n, 1}, 0), out);
        // batch 1 and M = 1 with an arbitrary row stride
        check(view(new int[]{1, 1, k}, new int[]{999, 12345, 1}, 0), Layout.contiguous(1, k, n),
                Layout.contiguous(1, 1, n));
    }

    @Test
    void layoutsNoGemmDescribesAreDeclined() {
        Layout b = Layout.contiguous(1, 3, 2);
        Layout out = Layout.contiguous(1, 4, 2);
        assertNull(MatmulPlan.of(view(new int[]{1, 4, 3}, new int[]{24, 6, 2}, 0), b, out), "both strides > 1");
        assertNull(MatmulPlan.of(view(new int[]{1, 4, 3}, new int[]{12, 0, 1}, 0), b, out), "a broadcast row");
        assertNull(MatmulPlan.of(Layout.contiguous(1, 4, 3), b, view(new int[]{1, 4, 2}, new int[]{8, 1, 4}, 0)),
                "a transposed output");
    }

    @Test
    void emptyAndZeroKPlans() {
        assertTrue(MatmulPlan.of(Layout.contiguous(2, 0, 3), Layout.contiguous(2, 3, 4), Layout.contiguous(2, 0, 4))
                .empty());
        MatmulPlan zeroK = MatmulPlan.of(Layout.contiguous(2, 3, 0), Layout.contiguous(2, 0, 4),
                Layout.contiguous(2, 3, 4));
        assertTrue(!zeroK.empty() && zeroK.zeroK());
    }
}
