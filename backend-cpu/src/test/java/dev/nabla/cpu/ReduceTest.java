package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.ReduceOp;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reductions against a naive loop over every element, accumulating in double. */
class ReduceTest {
    static final CpuBackend BE = new CpuBackend(Kernels.simdOrNull(), 0);
    static final CpuBackend SCALAR = new CpuBackend(Kernels.scalar(), 0);

    static int[] outShape(int[] shape, int[] dims) {
        int[] s = shape.clone();
        for (int d : dims) {
            s[d] = 1;
        }
        return s;
    }

    /** Naive reduction: result[i] and sum of |x| per output (for SUM tolerances). */
    static double[][] naive(ReduceOp op, Operand x, int[] dims) {
        int[] os = outShape(x.shape(), dims);
        int outN = Layout.contiguous(os).numel();
        double[] acc = new double[outN];
        double[] mag = new double[outN];
        boolean[] seen = new boolean[outN];
        int[] ostr = Layout.contiguousStrides(os);
        int[] idx = new int[x.shape().length];
        do {
            int o = 0;
            for (int d = 0; d < idx.length; d++) {
                o += (os[d] == 1 ? 0 : idx[d]) * ostr[d];
            }
            double v = TestUtil.at(x, idx);
            mag[o] += Math.abs(v);
            if (!seen[o]) {
                acc[o] = op == ReduceOp.SUM ? 0 : op == ReduceOp.PROD ? 1 : v;
                seen[o] = true;
            }
            acc[o] = switch (op) {
                case SUM -> acc[o] + v;
                case PROD -> acc[o] * v;
                case MAX -> Math.max(acc[o], v);
                case MIN -> Math.min(acc[o], v);
                default -> throw new IllegalArgumentException();
            };
        } while (TestUtil.next(idx, x.shape()));
        return new double[][] {acc, mag};
    }

    static void check(CpuBackend be, ReduceOp op, Operand x, int[] dims, Layout outLayout) {
        DType dt = x.dtype();
        int storage = outLayout.offset() + 1;
        for (int d = 0; d < outLayout.rank(); d++) {
            storage += (outLayout.shape()[d] - 1) * outLayout.strides()[d];
        }
        Operand out = new Operand(be.allocate(dt, storage), outLayout);
        be.reduce(op, x, dims, out);
        double[][] ref = naive(op, x, dims);
        double[] got = TestUtil.toDoubles(be.toArray(out));
        String what = be.kernels().description() + " " + op + " " + dt + " " + Arrays.toString(x.shape())
                + " " + x.layout() + " dims " + Arrays.toString(dims);
        for (int i = 0; i < got.length; i++) {
            double e = ref[0][i];
            double tol = switch (dt) {
                case FLOAT32 -> op == ReduceOp.SUM ? 1e-5 * ref[1][i] + 1e-6 : op == ReduceOp.PROD ? 1e-4 * Math.abs(e) : 0;
                case FLOAT64 -> 1e-12 * (ref[1][i] + Math.abs(e));
                default -> 0;
            };
            if (!(Double.isNaN(e) ? Double.isNaN(got[i]) : Math.abs(e - got[i]) <= tol)) {
                fail(what + " at " + i + ": expected " + e + ", found " + got[i]);
            }
        }
    }

    static Operand floats(CpuBackend be, Random r, Layout l, int storage, float lo, float hi) {
        return new Operand(be.fromArray(TestUtil.randomFloats(r, storage, lo, hi)), l);
    }

    @Test
    void float32OverDimsAndLayouts() {
        Random r = new Random(1);
        int[][] shapes = {{37, 53}, {5, 6, 7}, {2, 3, 4, 5}, {1, 9, 1}};
        for (CpuBackend be : new CpuBackend[] {BE, SCALAR}) {
            for (int[] shape : shapes) {
                for (int[] dims : subsets(shape.length)) {
                    for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PROD}) {
                        Layout l = Layout.contiguous(shape);
                        float lo = op == ReduceOp.PROD ? 0.95f : -1f;
                        float hi = op == ReduceOp.PROD ? 1.05f : 1f;
                        check(be, op, floats(be, r, l, l.numel(), lo, hi), dims, Layout.contiguous(outShape(shape, dims)));
                        // reversed axes (a transposed view of the same data)
                        int[] perm = new int[shape.length];
                        for (int d = 0; d < perm.length; d++) {
                            perm[d] = perm.length - 1 - d;
                        }
                        int[] base = new int[shape.length];
                        for (int d = 0; d < perm.length; d++) {
                            base[d] = shape[perm.length - 1 - d];
                        }
                        Layout t = TestUtil.permuted(base, perm);
                        check(be, op, floats(be, r, t, t.numel(), lo, hi), dims, Layout.contiguous(outShape(shape, dims)));
                    }
                }
            }
        }
    }

    @Test
    void broadcastInputAndStridedOutput() {
        Random r = new Random(2);
        // x is [6, 50] with the first axis broadcast (stride 0)
        Operand x = floats(BE, r, new Layout(new int[] {6, 50}, new int[] {0, 1}, 4), 60, -1, 1);
        check(BE, ReduceOp.SUM, x, new int[] {0}, Layout.contiguous(1, 50));
        check(BE, ReduceOp.SUM, x, new int[] {1}, Layout.contiguous(6, 1));
        // output [1, 50] written with stride 3 at offset 2
        check(BE, ReduceOp.MAX, floats(BE, r, Layout.contiguous(70, 50), 3500, -1, 1), new int[] {0},
                new Layout(new int[] {1, 50}, new int[] {0, 3}, 2));
        // output [70, 1] with stride 2
        check(BE, ReduceOp.SUM, floats(BE, r, Layout.contiguous(70, 50), 3500, -1, 1), new int[] {1},
                new Layout(new int[] {70, 1}, new int[] {2, 1}, 1));
    }

    @Test
    void largeReductionsUseChunksAndColumnBlocks() {
        Random r = new Random(3);
        check(BE, ReduceOp.SUM, floats(BE, r, Layout.contiguous(200_003), 200_003, -1, 1), new int[] {0}, Layout.contiguous(1));
        check(BE, ReduceOp.MAX, floats(BE, r, Layout.contiguous(200_003), 200_003, -1, 1), new int[] {0}, Layout.contiguous(1));
        check(BE, ReduceOp.SUM, floats(BE, r, Layout.contiguous(3, 150_001), 450_003, -1, 1), new int[] {1}, Layout.contiguous(3, 1));
        check(BE, ReduceOp.SUM, floats(BE, r, Layout.contiguous(700, 1100), 770_000, -1, 1), new int[] {0}, Layout.contiguous(1, 1100));
        check(BE, ReduceOp.MIN, floats(BE, r, Layout.contiguous(300, 2, 1030), 618_000, -1, 1), new int[] {0}, Layout.contiguous(1, 2, 1030));
        check(SCALAR, ReduceOp.SUM, floats(SCALAR, r, Layout.contiguous(130, 77), 10_010, -1, 1), new int[] {0}, Layout.contiguous(1, 77));
    }

    @Test
    void columnSumsStayAccurateOverManyRows() {
        // 100000 rows of 0.1f: plain float accumulation drifts by ~1e-3 relative; blocked stays close
        int rows = 100_000;
        float[] data = new float[rows * 3];
        Arrays.fill(data, 0.1f);
        Operand x = TestUtil.contiguous(BE, data, rows, 3);
        Operand out = TestUtil.empty(BE, DType.FLOAT32, 1, 3);
        BE.reduce(ReduceOp.SUM, x, new int[] {0}, out);
        for (float v : (float[]) BE.toArray(out)) {
            assertEquals(rows * (double) 0.1f, v, 1e-5 * rows * 0.1);
        }
        Operand flat = TestUtil.contiguous(BE, data, data.length);
        Operand one = TestUtil.empty(BE, DType.FLOAT32, 1);
        BE.reduce(ReduceOp.SUM, flat, new int[] {0}, one);
        assertEquals(data.length * (double) 0.1f, ((float[]) BE.toArray(one))[0], 1e-6 * data.length * 0.1);
    }

    @Test
    void otherDtypes() {
        Random r = new Random(4);
        int[] shape = {7, 9, 11};
        for (int[] dims : subsets(3)) {
            for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PROD}) {
                Layout l = TestUtil.permuted(new int[] {11, 7, 9}, 1, 2, 0);
                check(BE, op, new Operand(BE.fromArray(TestUtil.randomDoubles(r, 693)), l), dims, Layout.contiguous(outShape(shape, dims)));
                int bound = op == ReduceOp.PROD ? 2 : 1000;
                check(BE, op, new Operand(BE.fromArray(TestUtil.randomLongs(r, 693, bound)), l), dims, Layout.contiguous(outShape(shape, dims)));
                check(BE, op, new Operand(BE.fromArray(TestUtil.randomInts(r, 693, bound)), l), dims, Layout.contiguous(outShape(shape, dims)));
            }
        }
    }

    @Test
    void boolMaxIsAnyAndMinIsAll() {
        boolean[] data = {false, false, false, true, false, true, true, true, true};
        Operand x = TestUtil.contiguous(BE, data, 3, 3);
        Operand rows = TestUtil.empty(BE, DType.BOOL, 3, 1);
        BE.reduce(ReduceOp.MAX, x, new int[] {1}, rows);
        assertArrayEquals(new boolean[] {false, true, true}, (boolean[]) BE.toArray(rows));
        BE.reduce(ReduceOp.MIN, x, new int[] {1}, rows);
        assertArrayEquals(new boolean[] {false, false, true}, (boolean[]) BE.toArray(rows));
        Operand cols = TestUtil.empty(BE, DType.BOOL, 1, 3);
        BE.reduce(ReduceOp.MAX, x, new int[] {0}, cols);
        assertArrayEquals(new boolean[] {true, true, true}, (boolean[]) BE.toArray(cols));
        BE.reduce(ReduceOp.MIN, x, new int[] {0}, cols);
        assertArrayEquals(new boolean[] {false, false, false}, (boolean[]) BE.toArray(cols));
        assertThrows(UnsupportedOperationException.class, () -> BE.reduce(ReduceOp.SUM, x, new int[] {0}, cols));
    }

    @Test
    void maxMinPropagateNaN() {
        float[] data = {1, 2, Float.NaN, 4, 5, 6};
        Operand x = TestUtil.contiguous(BE, data, 2, 3);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
            Operand rows = TestUtil.empty(BE, DType.FLOAT32, 2, 1);
            BE.reduce(op, x, new int[] {1}, rows);
            float[] v = (float[]) BE.toArray(rows);
            assertTrue(Float.isNaN(v[0]));
            assertEquals(op == ReduceOp.MAX ? 6f : 4f, v[1]);
            Operand cols = TestUtil.empty(BE, DType.FLOAT32, 1, 3);
            BE.reduce(op, x, new int[] {0}, cols);
            float[] c = (float[]) BE.toArray(cols);
            assertTrue(Float.isNaN(c[2]));
            assertEquals(op == ReduceOp.MAX ? 4f : 1f, c[0]);
        }
    }

    @Test
    void argMaxArgMinTiesAndNaN() {
        // rows: ties take the first index; a NaN wins and the first NaN stays
        float[] f = {
            3, 1, 3, 0,
            2, Float.NaN, 5, Float.NaN,
            -1, -1, -1, -1};
        Operand x = TestUtil.contiguous(BE, f, 3, 4);
        assertArrayEquals(new long[] {0, 1, 0}, arg(ReduceOp.ARGMAX, x, 1, 3, 1));
        assertArrayEquals(new long[] {3, 1, 0}, arg(ReduceOp.ARGMIN, x, 1, 3, 1));
        assertArrayEquals(new long[] {0, 1, 1, 1}, arg(ReduceOp.ARGMAX, x, 0, 1, 4));
        assertArrayEquals(new long[] {2, 1, 2, 1}, arg(ReduceOp.ARGMIN, x, 0, 1, 4));
        double[] d = new double[12];
        long[] l = new long[12];
        int[] i32 = new int[12];
        for (int i = 0; i < 12; i++) {
            d[i] = f[i];
            l[i] = Float.isNaN(f[i]) ? 9 : (long) f[i];
            i32[i] = (int) l[i];
        }
        assertArrayEquals(new long[] {0, 1, 0}, arg(ReduceOp.ARGMAX, TestUtil.contiguous(BE, d, 3, 4), 1, 3, 1));
        assertArrayEquals(new long[] {0, 1, 0}, arg(ReduceOp.ARGMAX, TestUtil.contiguous(BE, l, 3, 4), 1, 3, 1));
        assertArrayEquals(new long[] {2, 2, 2, 2}, arg(ReduceOp.ARGMIN, TestUtil.contiguous(BE, i32, 3, 4), 0, 1, 4));
        // transposed view and a size-1 axis
        Operand t = new Operand(BE.fromArray(f), new Layout(new int[] {4, 3}, new int[] {1, 4}, 0));
        assertArrayEquals(new long[] {0, 1, 0}, arg(ReduceOp.ARGMAX, t, 0, 1, 3));
        assertArrayEquals(new long[] {0, 0, 0, 0}, arg(ReduceOp.ARGMAX, TestUtil.contiguous(BE, new float[] {1, 2, 3, 4}, 4, 1), 1, 4, 1));
    }

    @Test
    void argMaxMatchesNaiveOnRandomData() {
        Random r = new Random(6);
        int[] shape = {13, 17, 19};
        Operand x = new Operand(BE.fromArray(TestUtil.randomInts(r, 13 * 17 * 19, 5)), Layout.contiguous(shape));
        for (int dim = 0; dim < 3; dim++) {
            int[] os = outShape(shape, new int[] {dim});
            Operand out = new Operand(BE.allocate(DType.INT64, Layout.contiguous(os).numel()), Layout.contiguous(os));
            BE.reduce(ReduceOp.ARGMAX, x, new int[] {dim}, out);
            long[] got = (long[]) BE.toArray(out);
            int[] idx = new int[3];
            int o = 0;
            do {
                int best = -1;
                double bv = 0;
                int[] j = idx.clone();
                for (int k = 0; k < shape[dim]; k++) {
                    j[dim] = k;
                    double v = TestUtil.at(x, j);
                    if (best < 0 || v > bv) {
                        best = k;
                        bv = v;
                    }
                }
                assertEquals(best, got[o++], "dim " + dim);
            } while (TestUtil.next(idx, os));
        }
    }

    @Test
    void argMaxOfLongRowsTiesAndNaN() {
        for (int len : new int[] {64, 100, 1000}) {
            float[] f = new float[3 * len];
            for (int i = 0; i < len; i++) {
                f[i] = (i % 7) - 3f;               // row 0: max 3 first at index 6, min -3 at 0
                f[len + i] = -0f;                  // row 1: -0 and +0 tie: first wins
                f[2 * len + i] = i;                // row 2: NaNs at len/2 and len-1
            }
            f[len + len / 3] = 0f;
            f[2 * len + len / 2] = Float.NaN;
            f[3 * len - 1] = Float.NaN;
            Operand x = TestUtil.contiguous(BE, f, 3, len);
            assertArrayEquals(new long[] {6, 0, len / 2}, arg(ReduceOp.ARGMAX, x, 1, 3, 1), "len " + len);
            assertArrayEquals(new long[] {0, 0, len / 2}, arg(ReduceOp.ARGMIN, x, 1, 3, 1), "len " + len);
        }
    }

    static long[] arg(ReduceOp op, Operand x, int dim, int... outShape) {
        Operand out = TestUtil.empty(BE, DType.INT64, outShape);
        BE.reduce(op, x, new int[] {dim}, out);
        return (long[]) BE.toArray(out);
    }

    @Test
    void emptyAxes() {
        Operand x = TestUtil.empty(BE, DType.FLOAT32, 3, 0);
        Operand out = TestUtil.empty(BE, DType.FLOAT32, 3, 1);
        BE.reduce(ReduceOp.SUM, x, new int[] {1}, out);
        assertArrayEquals(new float[3], (float[]) BE.toArray(out));
        BE.reduce(ReduceOp.PROD, x, new int[] {1}, out);
        assertArrayEquals(new float[] {1, 1, 1}, (float[]) BE.toArray(out));
        assertThrows(IllegalArgumentException.class, () -> BE.reduce(ReduceOp.MAX, x, new int[] {1}, out));
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        int saved = CpuBackend.threads();
        try {
            Random r = new Random(5);
            Operand big = floats(BE, r, Layout.contiguous(1_000_000), 1_000_000, -1, 1);
            Operand cols = floats(BE, r, Layout.contiguous(4000, 300), 1_200_000, -1, 1);
            Operand rows = floats(BE, r, Layout.contiguous(300, 4000), 1_200_000, -1, 1);
            float[][] res = new float[3][];
            for (int t = 1; t <= 3; t++) {
                CpuBackend.setThreads(t);
                Operand a = TestUtil.empty(BE, DType.FLOAT32, 1);
                Operand b = TestUtil.empty(BE, DType.FLOAT32, 1, 300);
                Operand c = TestUtil.empty(BE, DType.FLOAT32, 300, 1);
                BE.reduce(ReduceOp.SUM, big, new int[] {0}, a);
                BE.reduce(ReduceOp.SUM, cols, new int[] {0}, b);
                BE.reduce(ReduceOp.SUM, rows, new int[] {1}, c);
                float[] all = new float[601];
                all[0] = ((float[]) BE.toArray(a))[0];
                System.arraycopy((float[]) BE.toArray(b), 0, all, 1, 300);
                System.arraycopy((float[]) BE.toArray(c), 0, all, 301, 300);
                res[t - 1] = all;
            }
            assertArrayEquals(res[0], res[1]);
            assertArrayEquals(res[0], res[2]);
        } finally {
            CpuBackend.setThreads(saved);
        }
    }

    /** All non-empty subsets of {0..rank-1}, sorted. */
    static int[][] subsets(int rank) {
        int[][] out = new int[(1 << rank) - 1][];
        for (int mask = 1; mask < 1 << rank; mask++) {
            int[] s = new int[Integer.bitCount(mask)];
            for (int d = 0, j = 0; d < rank; d++) {
                if ((mask & (1 << d)) != 0) {
                    s[j++] = d;
                }
            }
            out[mask - 1] = s;
        }
        return out;
    }
}
