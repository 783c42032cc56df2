package dev.nabla.cuda.emu;

import dev.nabla.DType;
import dev.nabla.cuda.kernels.KernelCalls;
import dev.nabla.spi.Layout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fallback matmul kernel (matmul.cu, through KernelCalls.matmul) against a plain loop in the CPU backend's order:
 * integers wrap bit for bit, f64 sums in the same order exactly, f32 too (one float accumulator, no FMA).
 */
class MatmulEmulationTest extends EmulationTestBase {

    @Test
    void stridedBatchedProductsOfEveryDtype() throws IOException {
        Random r = new Random(7);
        for (DType d : new DType[]{DType.INT32, DType.INT64, DType.FLOAT64, DType.FLOAT32}) {
            for (int c = 0; c < 12; c++) {
                int batch = 1 + r.nextInt(3), m = 1 + r.nextInt(5), n = 1 + r.nextInt(6), k = r.nextInt(7);
                boolean broadcastA = r.nextInt(3) == 0;
                boolean transposeB = r.nextBoolean();
                // a: [batch or 1, m, k] contiguous at offset 2; b: [batch, k, n], maybe stored transposed
                int aBatch = broadcastA ? 1 : batch;
                Layout la = new Layout(new int[]{aBatch, m, k}, new int[]{m * k, k, 1}, 2);
                Layout lb = transposeB
                        ? new Layout(new int[]{batch, k, n}, new int[]{k * n, 1, k}, 0)
                        : new Layout(new int[]{batch, k, n}, new int[]{k * n, n, 1}, 0);
                Layout lo = Layout.contiguous(batch, m, n);
                long[] av = values(r, 2 + aBatch * m * k, d);
                long[] bv = values(r, batch * k * n, d);
                DArr da = upload(d, array(d, av));
                DArr db = upload(d, array(d, bv));
                DArr dout = alloc(d, batch * m * n);
                launch(KernelCalls.matmul(d, da.ptr(), la, db.ptr(), lb, dout.ptr(), lo), r.nextInt(3));
                Object expected = reference(d, av, la, bv, lb, batch, m, n, k);
                Object actual = download(dout);
                String what = d + " batch " + batch + " m " + m + " n " + n + " k " + k + " broadcastA " + broadcastA
                        + " transposeB " + transposeB;
                switch (d) {
                    case INT32 -> assertArrayEquals((int[]) expected, (int[]) actual, what);
                    case INT64 -> assertArrayEquals((long[]) expected, (long[]) actual, what);
                    case FLOAT64 -> assertArrayEquals((double[]) expected, (double[]) actual, what);
                    default -> assertArrayEquals((float[]) expected, (float[]) actual, what);
                }
                free(da, db, dout);
            }
        }
        assertEquals(null, KernelCalls.matmul(DType.INT64, null, Layout.contiguous(1, 0, 3), null,
                Layout.contiguous(1, 3, 2), null, Layout.contiguous(1, 0, 2)), "nothing to launch for an empty result");
    }

    /** Raw values: integers spanning the full range (so products wrap), floats small integers plus fractions. */
    private static long[] values(Random r, int n, DType d) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = d.isFloatingPoint() ? Double.doubleToLongBits(r.nextInt(21) - 10 + r.nextDouble())
                    : d == DType.INT32 ? r.nextInt() : r.nextLong();
        }
        return v;
    }

    private static Object array(DType d, long[] v) {
        return switch (d) {
            case INT32 -> java.util.Arrays.stream(v).mapToInt(x -> (int) x).toArray();
            case INT64 -> v.clone();
            case FLOAT64 -> java.util.Arrays.stream(v).mapToDouble(Double::longBitsToDouble).toArray();
            default -> {
                float[] f = new float[v.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) Double.longBitsToDouble(v[i]);
                }
                yield f;
            }
        };
    }

    private static Object reference(DType d, long[] a, Layout la, long[] b, Layout lb, int batch, int m, int n, int k) {
        Object av = array(d, a);
        Object bv = array(d, b);
        int total = batch * m * n;
        int[] oi = new int[total];
        long[] ol = new long[total];
        double[] od = new double[total];
        float[] of = new float[total];
        for (int bi = 0; bi < batch; bi++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int t = (bi * m + i) * n + j;
                    int ia = bi * (la.shape()[0] == 1 ? 0 : la.strides()[0]) + i * la.strides()[1] + la.offset();
                    int ib = bi * lb.strides()[0] + j * lb.strides()[2] + lb.offset();
                    for (int p = 0; p < k; p++) {
                        int x = ia + p * la.strides()[2];
                        int y = ib + p * lb.strides()[1];
                        switch (d) {
                            case INT32 -> oi[t] += ((int[]) av)[x] * ((int[]) bv)[y];
                            case INT64 -> ol[t] += ((long[]) av)[x] * ((long[]) bv)[y];
                            case FLOAT64 -> od[t] += ((double[]) av)[x] * ((double[]) bv)[y];
                            default -> of[t] += ((float[]) av)[x] * ((float[]) bv)[y];
                        }
                    }
                }
            }
        }
        return switch (d) {
            case INT32 -> oi;
            case INT64 -> ol;
            case FLOAT64 -> od;
            default -> of;
        };
    }
}
