package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code matmul} for every rank combination, strided operands and odd sizes, against a naive loop. */
public abstract class LinalgSuite extends BackendTestBase {

    /**
     * Compares a [.., m, n] result with the naive product of row-major [m, k] and [k, n] matrices;
     * FLOAT32 results may err by 1e-5 of the sum of |a_ip * b_pj| (rounding of the accumulation).
     */
    private static void assertProduct(double[] actual, int offset, double[] a, double[] b, int m, int k, int n,
                                      DType dtype, String what) {
        double relative = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[p * n + j];
                    magnitude += Math.abs(a[i * k + p] * b[p * n + j]);
                }
                double got = actual[offset + i * n + j];
                if (Math.abs(got - s) > relative * magnitude + 1e-30) {
                    fail(what + ": element [" + i + ", " + j + "] is " + got + ", expected " + s);
                }
            }
        }
    }

    private static double[] values(long seed, int n, DType dtype) {
        double[] v = randomValues(seed, n, -1, 1);
        return dtype == DType.FLOAT32 ? roundedToFloat(v) : v;
    }

    @Test
    void matrixTimesMatrixAtManySizes() {
        int[][] sizes = {{1, 1, 1}, {2, 3, 4}, {1, 7, 1}, {5, 1, 3}, {8, 8, 8}, {17, 33, 9}, {67, 45, 71},
                {3, 300, 2}, {130, 70, 129}};
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            for (int[] s : sizes) {
                int m = s[0], k = s[1], n = s[2];
                double[] a = values(m * 1000L + k, m * k, dtype);
                double[] b = values(k * 1000L + n, k * n, dtype);
                Tensor c = Tensor.of(a).reshape(m, k).to(dtype).matmul(Tensor.of(b).reshape(k, n).to(dtype));
                assertShape(c, m, n);
                assertEquals(dtype, c.dtype());
                assertProduct(c.toDoubleArray(), 0, a, b, m, k, n, dtype, dtype + " " + m + "x" + k + "x" + n);
            }
        }
    }

    @Test
    void handCheckedProducts() {
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[]{7, 8, 9, 10, 11, 12}, 3, 2);
        assertValues(a.matmul(b), 58, 64, 139, 154);
        Tensor dot = f32(1, 2, 3).matmul(f32(4, 5, 6));
        assertShape(dot);
        assertValues(dot, 32);
        Tensor vm = f32(1, 1).matmul(a); // [2] @ [2, 3]
        assertShape(vm, 3);
        assertValues(vm, 5, 7, 9);
        Tensor mv = a.matmul(f32(1, 0, -1)); // [2, 3] @ [3]
        assertShape(mv, 2);
        assertValues(mv, -2, -2);
        assertValues(Tensor.eye(3).matmul(b), 7, 8, 9, 10, 11, 12);
    }

    @Test
    void transposedSlicedAndExpandedOperands() {
        int m = 6, k = 5, n = 7;
        double[] a = values(1, m * k, DType.FLOAT32);
        double[] b = values(2, k * n, DType.FLOAT32);
        Tensor aT = Tensor.of(naiveTranspose(a, m, k)).reshape(k, m).to(DType.FLOAT32).t(); // [m, k], column-major
        Tensor bT = Tensor.of(naiveTranspose(b, k, n)).reshape(n, k).to(DType.FLOAT32).t(); // [k, n], column-major
        Tensor aC = Tensor.of(a).reshape(m, k).to(DType.FLOAT32);
        Tensor bC = Tensor.of(b).reshape(k, n).to(DType.FLOAT32);
        assertProduct(aT.matmul(bC).toDoubleArray(), 0, a, b, m, k, n, DType.FLOAT32, "a transposed");
        assertProduct(aC.matmul(bT).toDoubleArray(), 0, a, b, m, k, n, DType.FLOAT32, "b transposed");
        assertProduct(aT.matmul(bT).toDoubleArray(), 0, a, b, m, k, n, DType.FLOAT32, "both transposed");

        // every other row / column of larger matrices
        double[] big = new double[2 * m * 2 * k];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                big[(2 * i) * 2 * k + 2 * p] = a[i * k + p];
                big[(2 * i + 1) * 2 * k + 2 * p] = 1e3;
                big[(2 * i) * 2 * k + 2 * p + 1] = -1e3;
            }
        }
        Tensor aStrided = Tensor.of(big).reshape(2 * m, 2 * k).to(DType.FLOAT32).slice(0, 0, 2 * m, 2).slice(1, 0, 2 * k, 2);
        assertProduct(aStrided.matmul(bC).toDoubleArray(), 0, a, b, m, k, n, DType.FLOAT32, "a sliced with step 2");
        Tensor bNarrow = Tensor.of(b).reshape(k, n).to(DType.FLOAT32).pad(new int[]{1, 2}, 9).narrow(1, 1, n);
        assertProduct(aC.matmul(bNarrow).toDoubleArray(), 0, a, b, m, k, n, DType.FLOAT32, "b narrowed (offset)");

        // a batch of 3 identical left matrices through a stride-0 expansion
        Tensor expanded = aC.unsqueeze(0).expand(3, m, k);
        Tensor batched = expanded.matmul(bC);
        assertShape(batched, 3, m, n);
        double[] r = batched.toDoubleArray();
        for (int q = 0; q < 3; q++) {
            assertProduct(r, q * m * n, a, b, m, k, n, DType.FLOAT32, "expanded batch " + q);
        }
    }

    @Test
    void batchedAndBroadcastBatches() {
        int m = 3, k = 4, n = 2;
        double[][] as = new double[10][];
        double[][] bs = new double[10][];
        for (int i = 0; i < 10; i++) {
            as[i] = values(100 + i, m * k, DType.FLOAT64);
            bs[i] = values(200 + i, k * n, DType.FLOAT64);
        }
        // [2, 3, 4] @ [2, 4, 2]
        Tensor c = Tensor.of(concat(as, 0, 2)).reshape(2, m, k).matmul(Tensor.of(concat(bs, 0, 2)).reshape(2, k, n));
        assertShape(c, 2, m, n);
        for (int q = 0; q < 2; q++) {
            assertProduct(c.toDoubleArray(), q * m * n, as[q], bs[q], m, k, n, DType.FLOAT64, "batch " + q);
        }
        // [2, 1, 3, 4] @ [5, 4, 2] -> [2, 5, 3, 2]
        Tensor left = Tensor.of(concat(as, 0, 2)).reshape(2, 1, m, k);
        Tensor right = Tensor.of(concat(bs, 0, 5)).reshape(5, k, n);
        Tensor d = left.matmul(right);
        assertShape(d, 2, 5, m, n);
        double[] dv = d.toDoubleArray();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 5; j++) {
                assertProduct(dv, (i * 5 + j) * m * n, as[i], bs[j], m, k, n, DType.FLOAT64, "broadcast batch " + i + "," + j);
            }
        }
        // [2, 3, 4] @ [4, 2] and [3, 4] @ [2, 4, 2]
        Tensor e = Tensor.of(concat(as, 0, 2)).reshape(2, m, k).matmul(Tensor.of(bs[7]).reshape(k, n));
        assertShape(e, 2, m, n);
        assertProduct(e.toDoubleArray(), m * n, as[1], bs[7], m, k, n, DType.FLOAT64, "3-D @ 2-D");
        Tensor f = Tensor.of(as[3]).reshape(m, k).matmul(Tensor.of(concat(bs, 0, 2)).reshape(2, k, n));
        assertShape(f, 2, m, n);
        assertProduct(f.toDoubleArray(), m * n, as[3], bs[1], m, k, n, DType.FLOAT64, "2-D @ 3-D");
        // 1-D with batches: [4] @ [2, 4, 2] -> [2, 2]; [2, 3, 4] @ [4] -> [2, 3]
        Tensor g = Tensor.of(bs[0]).reshape(k, n).select(1, 0).matmul(Tensor.of(concat(bs, 0, 2)).reshape(2, k, n));
        assertShape(g, 2, n);
        Tensor h = Tensor.of(concat(as, 0, 2)).reshape(2, m, k).matmul(Tensor.of(new double[]{1, 0, 0, 0}));
        assertShape(h, 2, m);
        assertValues(h, as[0][0], as[0][4], as[0][8], as[1][0], as[1][4], as[1][8]);
        // a permuted batch: [k, B, m] -> [B, m, k] is not contiguous
        Tensor permuted = Tensor.of(concat(as, 0, 2)).reshape(2, m, k).permute(2, 0, 1).contiguous().permute(1, 2, 0);
        assertProduct(permuted.matmul(Tensor.of(bs[4]).reshape(k, n)).toDoubleArray(), m * n, as[1], bs[4], m, k, n,
                DType.FLOAT64, "permuted batch");
    }

    private static double[] concat(double[][] parts, int from, int to) {
        int len = 0;
        for (int i = from; i < to; i++) {
            len += parts[i].length;
        }
        double[] r = new double[len];
        int at = 0;
        for (int i = from; i < to; i++) {
            System.arraycopy(parts[i], 0, r, at, parts[i].length);
            at += parts[i].length;
        }
        return r;
    }

    @Test
    void integerAndMixedDtypes() {
        Tensor a = Tensor.of(new long[]{1_000_000, 2, -3, 4}, 2, 2);
        Tensor b = Tensor.of(new long[]{1_000_000, 0, 5, -1_000_000}, 2, 2);
        Tensor c = a.matmul(b);
        assertEquals(DType.INT64, c.dtype());
        assertLongs(c, 1_000_000_000_010L, -2_000_000, -3_000_000 + 20, -4_000_000);
        assertEquals(DType.INT32, i32(1, 2).matmul(i32(3, 4)).dtype());
        assertEquals(11, i32(1, 2).matmul(i32(3, 4)).itemLong());
        Tensor mixed = i64(1, 2).matmul(f32(0.5f, 0.25f));
        assertEquals(DType.FLOAT32, mixed.dtype());
        assertValues(mixed, 1);
        assertEquals(DType.FLOAT64, f32(1, 2).matmul(f64(1, 1)).dtype());
    }

    @Test
    void emptyDimensions() {
        Tensor z = Tensor.ones(2, 0).matmul(Tensor.ones(0, 3));
        assertShape(z, 2, 3);
        assertValues(z, 0, 0, 0, 0, 0, 0);
        assertShape(Tensor.ones(0, 3).matmul(Tensor.ones(3, 2)), 0, 2);
        assertShape(Tensor.ones(4, 3).matmul(Tensor.ones(3, 0)), 4, 0);
        assertShape(Tensor.ones(0, 4, 3).matmul(Tensor.ones(3, 2)), 0, 4, 2);
    }

    @Test
    void resultIsReproducible() {
        Tensor a = Tensor.randn(150, 200);
        Tensor b = Tensor.randn(200, 90);
        assertArrayEquals(a.matmul(b).toFloatArray(), a.matmul(b).toFloatArray());
        assertArrayEquals(a.matmul(b).narrow(0, 10, 1).toFloatArray(), a.narrow(0, 10, 1).matmul(b).toFloatArray(),
                "a row of the product does not depend on the other rows");
    }

    @Test
    void errorsNameTheShapes() {
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertEquals("matmul: cannot multiply [2, 3] by [4, 5]: inner dimensions 3 and 4 differ", e.getMessage());
        ShapeException v = assertThrows(ShapeException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)));
        assertEquals("matmul: cannot multiply [3] by [4]: inner dimensions 3 and 4 differ", v.getMessage());
        ShapeException batch = assertThrows(ShapeException.class,
                () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(3, 4, 5)));
        assertEquals(true, batch.getMessage().contains("matmul") && batch.getMessage().contains("[2]")
                && batch.getMessage().contains("[3]"), batch.getMessage());
        ShapeException scalar = assertThrows(ShapeException.class, () -> Tensor.scalar(1).matmul(Tensor.zeros(1)));
        assertEquals(true, scalar.getMessage().contains("matmul"), scalar.getMessage());
        assertThrows(DTypeException.class, () -> bools(true).matmul(bools(true)));
    }
}
