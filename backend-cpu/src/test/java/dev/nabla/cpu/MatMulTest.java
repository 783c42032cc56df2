package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Batched matmul against a naive triple loop accumulating in double. */
class MatMulTest {
    static final CpuBackend SIMD = new CpuBackend(Kernels.simdOrNull(), 0);
    static final CpuBackend SCALAR = new CpuBackend(Kernels.scalar(), 0);

    /** B, M, K, N. */
    static final int[][] SHAPES = {
        {1, 1, 1, 1}, {1, 1, 7, 1}, {1, 3, 5, 7}, {2, 17, 33, 9}, {1, 64, 64, 64}, {1, 65, 129, 47},
        {3, 100, 300, 70}, {1, 8, 513, 33}, {1, 200, 16, 300}, {1, 1, 1000, 300}, {1, 300, 1000, 1},
        {2, 40, 0, 30}, {4, 33, 40, 65}, {1, 7, 300, 600},
    };

    enum Form { ROW_MAJOR, TRANSPOSED, BROADCAST_BATCH }

    /** Operand [B, R, C] in the given storage form; the data is random. */
    static Operand matrix(CpuBackend be, Random r, int batch, int rows, int cols, Form form) {
        return switch (form) {
            case ROW_MAJOR -> new Operand(be.fromArray(TestUtil.randomFloats(r, batch * rows * cols, -1, 1)),
                    Layout.contiguous(batch, rows, cols));
            case TRANSPOSED -> new Operand(be.fromArray(TestUtil.randomFloats(r, batch * rows * cols, -1, 1)),
                    new Layout(new int[] {batch, rows, cols}, new int[] {rows * cols, 1, rows}, 0));
            case BROADCAST_BATCH -> new Operand(be.fromArray(TestUtil.randomFloats(r, rows * cols + 3, -1, 1)),
                    new Layout(new int[] {batch, rows, cols}, new int[] {0, cols, 1}, 3));
        };
    }

    /** Output [B, M, N]: contiguous, or a transposed view at an offset inside a larger buffer. */
    static Operand output(CpuBackend be, int batch, int m, int n, boolean strided) {
        if (!strided) {
            return TestUtil.empty(be, DType.FLOAT32, batch, m, n);
        }
        int size = batch * m * n + 5;
        float[] init = new float[size];
        java.util.Arrays.fill(init, 42f);
        return new Operand(be.fromArray(init), new Layout(new int[] {batch, m, n}, new int[] {m * n, 1, m}, 5));
    }

    static void check(Operand a, Operand b, Operand out, String what) {
        int[] s = out.shape();
        int kk = a.shape()[2];
        for (int bi = 0; bi < s[0]; bi++) {
            for (int i = 0; i < s[1]; i++) {
                for (int j = 0; j < s[2]; j++) {
                    double ref = 0, mag = 0;
                    for (int p = 0; p < kk; p++) {
                        double t = TestUtil.at(a, bi, i, p) * TestUtil.at(b, bi, p, j);
                        ref += t;
                        mag += Math.abs(t);
                    }
                    double got = TestUtil.at(out, bi, i, j);
                    if (!(Math.abs(got - ref) <= 1e-5 * mag + 1e-6)) {
                        fail(what + " at [" + bi + "," + i + "," + j + "]: expected " + ref + ", found " + got);
                    }
                }
            }
        }
    }

    /**
     * The fused linear layer gives exactly what matmul(x, W^T), then adding the bias, then ReLU give: shapes reach the
     * skinny and packed paths (with B packed whole, and slice by slice for 400 rows), several K slices and, for
     * 2100 outputs, two column panels.
     */
    @Test
    void linearWithBiasAndReluEqualsTheUnfusedOpsBitwise() {
        int[][] shapes = {{1, 64, 10}, {3, 5, 7}, {128, 784, 256}, {128, 256, 10}, {7, 300, 2100}, {200, 40, 33},
                {400, 520, 48}, {16, 40, 2100}};
        Random r = new Random(5);
        for (CpuBackend be : new CpuBackend[]{SIMD, SCALAR}) {
            for (int[] s : shapes) {
                int m = s[0], kk = s[1], o = s[2];
                Operand x = new Operand(be.fromArray(TestUtil.randomFloats(r, m * kk, -1, 1)), Layout.contiguous(m, kk));
                float[] wData = TestUtil.randomFloats(r, o * kk, -1, 1);
                Operand w = new Operand(be.fromArray(wData), Layout.contiguous(o, kk));
                float[] bias = TestUtil.randomFloats(r, o, -1, 1);
                Operand b = new Operand(be.fromArray(bias), Layout.contiguous(o));
                // matmul with W^T as the transposed view eager mode passes
                Operand wt = new Operand(w.buffer(), new Layout(new int[]{1, kk, o}, new int[]{0, 1, kk}, 0));
                Operand product = TestUtil.empty(be, DType.FLOAT32, 1, m, o);
                be.matmul(new Operand(x.buffer(), Layout.contiguous(1, m, kk)), wt, product);
                float[] expected = (float[]) TestUtil.array(product);
                for (FusedActivation act : FusedActivation.values()) {
                    for (boolean withBias : new boolean[]{true, false}) {
                        Operand out = TestUtil.empty(be, DType.FLOAT32, m, o);
                        org.junit.jupiter.api.Assertions.assertTrue(be.linear(x, w, withBias ? b : null, act, out));
                        float[] got = (float[]) TestUtil.array(out);
                        for (int i = 0; i < m * o; i++) {
                            float v = withBias ? expected[i] + bias[i % o] : expected[i];
                            v = act == FusedActivation.RELU ? Math.max(v, 0f) : v;
                            if (Float.floatToRawIntBits(v) != Float.floatToRawIntBits(got[i])) {
                                fail(java.util.Arrays.toString(s) + " " + act + " bias " + withBias + " at " + i
                                        + ": expected " + v + ", found " + got[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void float32MatchesNaive() {
        Random r = new Random(1);
        for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
            for (int[] sh : SHAPES) {
                for (Form fa : Form.values()) {
                    for (Form fb : Form.values()) {
                        boolean strided = (fa.ordinal() + fb.ordinal()) % 2 == 1;
                        Operand a = matrix(be, r, sh[0], sh[1], sh[2], fa);
                        Operand b = matrix(be, r, sh[0], sh[2], sh[3], fb);
                        Operand out = output(be, sh[0], sh[1], sh[3], strided);
                        be.matmul(a, b, out);
                        check(a, b, out, be.kernels().description() + " " + java.util.Arrays.toString(sh) + " " + fa + " x " + fb
                                + (strided ? " strided out" : ""));
                        if (strided) {
                            assertEquals(42f, ((float[]) TestUtil.array(out))[0], "element before a strided output untouched");
                        }
                    }
                }
            }
        }
    }

    @Test
    void kZeroFillsZeros() {
        Operand a = TestUtil.empty(SIMD, DType.FLOAT32, 2, 3, 0);
        Operand b = TestUtil.empty(SIMD, DType.FLOAT32, 2, 0, 4);
        Operand out = new Operand(SIMD.fromArray(new float[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}), Layout.contiguous(2, 3, 4));
        SIMD.matmul(a, b, out);
        assertArrayEquals(new float[24], (float[]) SIMD.toArray(out));
        Operand outD = new Operand(SIMD.fromArray(new double[] {1, 2, 3, 4}), Layout.contiguous(1, 2, 2));
        SIMD.matmul(TestUtil.empty(SIMD, DType.FLOAT64, 1, 2, 0), TestUtil.empty(SIMD, DType.FLOAT64, 1, 0, 2), outD);
        assertArrayEquals(new double[4], (double[]) SIMD.toArray(outD));
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        int saved = CpuBackend.threads();
        try {
            Random r = new Random(9);
            int[][] shapes = {{1, 300, 700, 260}, {6, 50, 90, 70}, {1, 1, 4000, 900}, {1, 2000, 300, 1}, {1, 128, 3136, 128}};
            for (int[] sh : shapes) {
                for (Form fb : new Form[] {Form.ROW_MAJOR, Form.TRANSPOSED}) {
                    Operand a = matrix(SIMD, r, sh[0], sh[1], sh[2], Form.ROW_MAJOR);
                    Operand b = matrix(SIMD, r, sh[0], sh[2], sh[3], fb);
                    List<float[]> results = new ArrayList<>();
                    for (int threads : new int[] {1, 2, 3}) {
                        CpuBackend.setThreads(threads);
                        Operand out = TestUtil.empty(SIMD, DType.FLOAT32, sh[0], sh[1], sh[3]);
                        SIMD.matmul(a, b, out);
                        results.add((float[]) SIMD.toArray(out));
                    }
                    assertArrayEquals(results.get(0), results.get(1), "1 vs 2 threads " + java.util.Arrays.toString(sh));
                    assertArrayEquals(results.get(0), results.get(2), "1 vs 3 threads " + java.util.Arrays.toString(sh));
                }
            }
        } finally {
            CpuBackend.setThreads(saved);
        }
    }

    /** The packed and row-update paths compute each element as one FMA chain over k: exactly this loop. */
    @Test
    void packedPathEqualsOneFmaChainPerElement() {
        Random r = new Random(4);
        for (int[] sh : new int[][] {{1, 70, 600, 90}, {1, 1, 50, 40}, {2, 64, 64, 64}}) {
            for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
                Operand a = matrix(be, r, sh[0], sh[1], sh[2], Form.ROW_MAJOR);
                Operand b = matrix(be, r, sh[0], sh[2], sh[3], Form.ROW_MAJOR);
                Operand out = TestUtil.empty(be, DType.FLOAT32, sh[0], sh[1], sh[3]);
                be.matmul(a, b, out);
                for (int bi = 0; bi < sh[0]; bi++) {
                    for (int i = 0; i < sh[1]; i++) {
                        for (int j = 0; j < sh[3]; j++) {
                            float s = 0f;
                            for (int p = 0; p < sh[2]; p++) {
                                s = Math.fma((float) TestUtil.at(a, bi, i, p), (float) TestUtil.at(b, bi, p, j), s);
                            }
                            assertEquals(s, (float) TestUtil.at(out, bi, i, j), 0f,
                                    be.kernels().description() + " at " + bi + "," + i + "," + j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void otherDtypesMatchNaive() {
        Random r = new Random(2);
        int batch = 2, m = 5, kk = 7, n = 3;
        double[] ad = TestUtil.randomDoubles(r, batch * m * kk);
        double[] bd = TestUtil.randomDoubles(r, kk * n);
        Operand a = TestUtil.contiguous(SIMD, ad, batch, m, kk);
        Operand b = new Operand(SIMD.fromArray(bd), new Layout(new int[] {batch, kk, n}, new int[] {0, 1, kk}, 0));
        Operand out = TestUtil.empty(SIMD, DType.FLOAT64, batch, m, n);
        SIMD.matmul(a, b, out);
        check(a, b, out, "float64");
        for (DType dt : new DType[] {DType.INT64, DType.INT32}) {
            Object ai = dt == DType.INT64 ? TestUtil.randomLongs(r, batch * m * kk, 9) : TestUtil.randomInts(r, batch * m * kk, 9);
            Object bi = dt == DType.INT64 ? TestUtil.randomLongs(r, batch * kk * n, 9) : TestUtil.randomInts(r, batch * kk * n, 9);
            Operand x = TestUtil.contiguous(SIMD, ai, batch, m, kk);
            Operand y = TestUtil.contiguous(SIMD, bi, batch, kk, n);
            Operand z = TestUtil.empty(SIMD, dt, batch, m, n);
            SIMD.matmul(x, y, z);
            for (int q = 0; q < batch; q++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        long s = 0;
                        for (int p = 0; p < kk; p++) {
                            s += (long) TestUtil.at(x, q, i, p) * (long) TestUtil.at(y, q, p, j);
                        }
                        assertEquals(s, (long) TestUtil.at(z, q, i, j), dt + " at " + q + "," + i + "," + j);
                    }
                }
            }
        }
    }
}
