package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Strided, broadcast and aliased elementwise operations against per-index reference loops. */
class ElementwiseTest {
    static final CpuBackend BE = new CpuBackend(Kernels.simdOrNull(), 0);
    static final CpuBackend SCALAR = new CpuBackend(Kernels.scalar(), 0);
    /** Logical shape [R, C]: small by default; {@link #large} switches to one above the parallel threshold. */
    static int R = 9;
    static int C = 67;

    static void large(boolean on) {
        R = on ? 40 : 9;
        C = on ? 1030 : 67; // 40 * 1030 > 32K elements: runs in parallel chunks
    }

    /** Input layouts over a logical [R, C] shape. */
    enum In {
        CONTIGUOUS, TRANSPOSED, ROW_BROADCAST, COLUMN_BROADCAST, SCALAR, STRIDED;

        Layout layout() {
            int[] shape = {R, C};
            return switch (this) {
                case CONTIGUOUS -> Layout.contiguous(R, C);
                case TRANSPOSED -> new Layout(shape, new int[] {1, R}, 0);
                case ROW_BROADCAST -> new Layout(shape, new int[] {0, 1}, 2);
                case COLUMN_BROADCAST -> new Layout(shape, new int[] {1, 0}, 1);
                case SCALAR -> new Layout(shape, new int[] {0, 0}, 3);
                case STRIDED -> new Layout(shape, new int[] {3 * C, 3}, 1);
            };
        }

        int storage() {
            return 3 * R * C + 4;
        }
    }

    /** Output layouts: contiguous, transposed, or a strided view at an offset. */
    enum Out {
        CONTIGUOUS, TRANSPOSED, STRIDED;

        Layout layout() {
            return switch (this) {
                case CONTIGUOUS -> Layout.contiguous(R, C);
                case TRANSPOSED -> new Layout(new int[] {R, C}, new int[] {1, R}, 0);
                case STRIDED -> new Layout(new int[] {R, C}, new int[] {2 * C + 1, 2}, 3);
            };
        }
    }

    static Object randomArray(DType dt, Random r, int n) {
        return switch (dt) {
            case FLOAT32 -> TestUtil.randomFloats(r, n, -3f, 3f);
            case FLOAT64 -> TestUtil.randomDoubles(r, n);
            case INT64 -> TestUtil.randomLongs(r, n, 50);
            case INT32 -> TestUtil.randomInts(r, n, 50);
            case BOOL -> TestUtil.randomBools(r, n);
            case INT8 -> {
                byte[] b = new byte[n];
                r.nextBytes(b);
                yield b;
            }
            case BFLOAT16, FLOAT16 -> throw new IllegalArgumentException("half dtypes: see HalfPrecisionSuite");
        };
    }

    /** The dtypes the backend computes on (INT8 is only stored and converted; core computes half in FLOAT32). */
    static final DType[] COMPUTED = java.util.Arrays.stream(DType.values()).filter(t -> t != DType.INT8 && !t.isHalf())
            .toArray(DType[]::new);

    static double ref(BinaryOp op, DType dt, double a, double b) {
        if (dt == DType.FLOAT32 && !op.isComparison() && !op.isLogical()) {
            return FloatKernelsTest.naive(op, (float) a, (float) b);
        }
        return switch (op) {
            case ADD -> dt == DType.INT32 ? (double) ((int) a + (int) b) : a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LOGICAL_AND -> (a != 0 && b != 0) ? 1 : 0;
            case LOGICAL_OR -> (a != 0 || b != 0) ? 1 : 0;
            case LOGICAL_XOR -> ((a != 0) ^ (b != 0)) ? 1 : 0;
        };
    }

    static void runBinary(CpuBackend be, BinaryOp op, DType dt, In ia, In ib, Out io, Random r) {
        Operand a = new Operand(be.fromArray(randomArray(dt, r, ia.storage())), ia.layout());
        Operand b = new Operand(be.fromArray(randomArray(dt, r, ib.storage())), ib.layout());
        DType outType = op.isComparison() ? DType.BOOL : dt;
        Layout ol = io.layout();
        Object init = randomArray(outType, r, 3 * R * C + 4);
        Operand out = new Operand(be.fromArray(init), ol);
        be.binary(op, a, b, out);
        int[] idx = new int[2];
        boolean[] written = new boolean[3 * R * C + 4];
        String what = op + " " + dt + " " + ia + " x " + ib + " -> " + io;
        do {
            double e = ref(op, dt, TestUtil.at(a, idx), TestUtil.at(b, idx));
            double g = TestUtil.at(out, idx);
            if (!(Double.isNaN(e) ? Double.isNaN(g) : e == g)) {
                fail(what + " at " + idx[0] + "," + idx[1] + ": expected " + e + ", found " + g);
            }
            written[TestUtil.pos(ol, idx)] = true;
        } while (TestUtil.next(idx, ol.shape()));
        Object after = TestUtil.array(out);
        for (int p = 0; p < written.length; p++) {
            if (!written[p] && TestUtil.get(after, p) != TestUtil.get(init, p)) {
                fail(what + ": element " + p + " outside the output view was modified");
            }
        }
    }

    @Test
    void float32ArithmeticOverAllLayouts() {
        Random r = new Random(1);
        BinaryOp[] ops = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM, BinaryOp.MINIMUM};
        for (In ia : In.values()) {
            for (In ib : In.values()) {
                for (Out io : Out.values()) {
                    BinaryOp op = ops[(ia.ordinal() * 7 + ib.ordinal() * 3 + io.ordinal()) % ops.length];
                    runBinary(BE, op, DType.FLOAT32, ia, ib, io, r);
                }
            }
        }
        large(true);
        try {
            for (In ib : In.values()) {
                runBinary(BE, BinaryOp.ADD, DType.FLOAT32, In.CONTIGUOUS, ib, Out.values()[ib.ordinal() % 3], r);
            }
            runBinary(BE, BinaryOp.MUL, DType.FLOAT32, In.TRANSPOSED, In.STRIDED, Out.CONTIGUOUS, r);
            runBinary(BE, BinaryOp.ADD, DType.FLOAT64, In.CONTIGUOUS, In.ROW_BROADCAST, Out.CONTIGUOUS, r);
        } finally {
            large(false);
        }
        runBinary(BE, BinaryOp.POW, DType.FLOAT32, In.CONTIGUOUS, In.SCALAR, Out.CONTIGUOUS, r);
        runBinary(SCALAR, BinaryOp.SUB, DType.FLOAT32, In.STRIDED, In.ROW_BROADCAST, Out.STRIDED, r);
    }

    @Test
    void otherDtypesOverLayouts() {
        Random r = new Random(2);
        for (DType dt : new DType[] {DType.FLOAT64, DType.INT64, DType.INT32}) {
            BinaryOp[] ops = dt.isFloatingPoint()
                    ? new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW, BinaryOp.MAXIMUM, BinaryOp.MINIMUM}
                    : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MAXIMUM, BinaryOp.MINIMUM};
            int i = 0;
            for (BinaryOp op : ops) {
                In ia = In.values()[i++ % In.values().length];
                In ib = In.values()[(i * 5) % In.values().length];
                runBinary(BE, op, dt, ia, ib, Out.values()[i % 3], r);
            }
        }
    }

    @Test
    void comparisonsAndLogicalOps() {
        Random r = new Random(3);
        BinaryOp[] cmps = {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE};
        for (DType dt : COMPUTED) {
            int i = 0;
            for (BinaryOp op : cmps) {
                runBinary(BE, op, dt, In.values()[i % 6], In.values()[(i + 2) % 6], Out.values()[i % 3], r);
                i++;
            }
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.LOGICAL_AND, BinaryOp.LOGICAL_OR, BinaryOp.LOGICAL_XOR}) {
            runBinary(BE, op, DType.BOOL, In.STRIDED, In.COLUMN_BROADCAST, Out.TRANSPOSED, r);
        }
        // NaN compares unequal to everything, itself included
        Operand x = TestUtil.contiguous(BE, new float[] {Float.NaN, 1f}, 2);
        Operand out = TestUtil.empty(BE, DType.BOOL, 2);
        BE.binary(BinaryOp.EQ, x, x, out);
        assertArrayEquals(new boolean[] {false, true}, (boolean[]) BE.toArray(out));
        BE.binary(BinaryOp.NE, x, x, out);
        assertArrayEquals(new boolean[] {true, false}, (boolean[]) BE.toArray(out));
    }

    @Test
    void inPlaceAliasing() {
        Random r = new Random(4);
        for (Out io : Out.values()) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
                Layout l = io.layout();
                Object data = randomArray(dt, r, 3 * R * C + 4);
                Operand a = new Operand(BE.fromArray(data), l);
                Operand b = new Operand(BE.fromArray(randomArray(dt, r, C + 2)), new Layout(new int[] {R, C}, new int[] {0, 1}, 2));
                BE.binary(BinaryOp.MUL, a, b, a); // a *= b in place
                int[] idx = new int[2];
                do {
                    double e = ref(BinaryOp.MUL, dt, TestUtil.get(data, TestUtil.pos(l, idx)), TestUtil.at(b, idx));
                    assertEquals(e, TestUtil.at(a, idx), 0.0, dt + " " + io + " at " + idx[0] + "," + idx[1]);
                } while (TestUtil.next(idx, l.shape()));
                Operand x = new Operand(BE.fromArray(randomArray(dt, r, 3 * R * C + 4)), l);
                Object before = BE.toArray(x);
                BE.unary(UnaryOp.NEG, x, x, 0);
                Object after = BE.toArray(x);
                for (int i = 0; i < R * C; i++) {
                    assertEquals(-TestUtil.get(before, i), TestUtil.get(after, i), 0.0);
                }
            }
        }
    }

    @Test
    void unaryOverLayoutsMatchesFlatKernel() {
        Random r = new Random(5);
        UnaryOp[] ops = {UnaryOp.EXP, UnaryOp.RELU, UnaryOp.TANH, UnaryOp.SQRT, UnaryOp.LEAKY_RELU, UnaryOp.ERF};
        int k = 0;
        for (In ia : In.values()) {
            for (Out io : Out.values()) {
                UnaryOp op = ops[k++ % ops.length];
                float[] data = TestUtil.randomFloats(r, ia.storage(), -3f, 3f);
                if (op == UnaryOp.SQRT) {
                    for (int i = 0; i < data.length; i++) {
                        data[i] = Math.abs(data[i]);
                    }
                }
                Operand x = new Operand(BE.fromArray(data), ia.layout());
                Operand out = new Operand(BE.allocate(DType.FLOAT32, 3 * R * C + 4), io.layout());
                BE.unary(op, x, out, 0.01);
                int[] idx = new int[2];
                float[] one = new float[1];
                do {
                    BE.kernels().unary(op, new float[] {(float) TestUtil.at(x, idx)}, 0, one, 0, 1, 0.01f);
                    assertEquals(one[0], (float) TestUtil.at(out, idx), 0f, op + " " + ia + " -> " + io);
                } while (TestUtil.next(idx, new int[] {R, C}));
            }
        }
        // other dtypes
        Operand li = TestUtil.contiguous(BE, new long[] {-3, 0, 5, Long.MIN_VALUE + 1}, 4);
        Operand lo = TestUtil.empty(BE, DType.INT64, 4);
        BE.unary(UnaryOp.ABS, li, lo, 0);
        assertArrayEquals(new long[] {3, 0, 5, Long.MAX_VALUE}, (long[]) BE.toArray(lo));
        BE.unary(UnaryOp.SIGN, li, lo, 0);
        assertArrayEquals(new long[] {-1, 0, 1, -1}, (long[]) BE.toArray(lo));
        BE.unary(UnaryOp.RELU, li, lo, 0);
        assertArrayEquals(new long[] {0, 0, 5, 0}, (long[]) BE.toArray(lo));
        Operand ii = TestUtil.contiguous(BE, new int[] {-3, 0, 5}, 3);
        Operand iout = TestUtil.empty(BE, DType.INT32, 3);
        BE.unary(UnaryOp.NEG, ii, iout, 0);
        assertArrayEquals(new int[] {3, 0, -5}, (int[]) BE.toArray(iout));
        Operand d = TestUtil.contiguous(BE, new double[] {-2, 0.5, Double.NaN}, 3);
        Operand dout = TestUtil.empty(BE, DType.FLOAT64, 3);
        BE.unary(UnaryOp.LEAKY_RELU, d, dout, 0.25);
        assertArrayEquals(new double[] {-0.5, 0.5, Double.NaN}, (double[]) BE.toArray(dout));
        BE.unary(UnaryOp.SIGMOID, TestUtil.contiguous(BE, new double[] {-800, 800, 0}, 3), dout, 0);
        assertArrayEquals(new double[] {0, 1, 0.5}, (double[]) BE.toArray(dout));
        Operand bl = TestUtil.contiguous(BE, new boolean[] {true, false}, 2);
        Operand bo = TestUtil.empty(BE, DType.BOOL, 2);
        BE.unary(UnaryOp.LOGICAL_NOT, bl, bo, 0);
        assertArrayEquals(new boolean[] {false, true}, (boolean[]) BE.toArray(bo));
    }

    @Test
    void whereOverLayouts() {
        Random r = new Random(6);
        for (DType dt : COMPUTED) {
            Operand cond = new Operand(BE.fromArray(TestUtil.randomBools(r, 3 * R * C + 4)), In.values()[dt.ordinal() % In.values().length].layout());
            Operand a = new Operand(BE.fromArray(randomArray(dt, r, 3 * R * C + 4)), In.STRIDED.layout());
            Operand b = new Operand(BE.fromArray(randomArray(dt, r, 3 * R * C + 4)), In.ROW_BROADCAST.layout());
            Operand out = new Operand(BE.allocate(dt, 3 * R * C + 4), Out.values()[dt.ordinal() % 3].layout());
            BE.where(cond, a, b, out);
            int[] idx = new int[2];
            do {
                double e = TestUtil.at(cond, idx) != 0 ? TestUtil.at(a, idx) : TestUtil.at(b, idx);
                assertEquals(e, TestUtil.at(out, idx), 0.0, dt + " at " + idx[0] + "," + idx[1]);
            } while (TestUtil.next(idx, new int[] {R, C}));
        }
    }

    @Test
    void unsupportedCombinationsNameOpAndDtype() {
        Operand l = TestUtil.contiguous(BE, new long[] {1, 2}, 2);
        Operand lo = TestUtil.empty(BE, DType.INT64, 2);
        var e = assertThrows(UnsupportedOperationException.class, () -> BE.unary(UnaryOp.EXP, l, lo, 0));
        assertTrue(e.getMessage().contains("EXP") && e.getMessage().contains("INT64"), e.getMessage());
        Operand i = TestUtil.contiguous(BE, new int[] {1, 2}, 2);
        e = assertThrows(UnsupportedOperationException.class, () -> BE.binary(BinaryOp.DIV, i, i, TestUtil.empty(BE, DType.INT32, 2)));
        assertTrue(e.getMessage().contains("DIV") && e.getMessage().contains("INT32"), e.getMessage());
        Operand f = TestUtil.contiguous(BE, new float[] {1, 2}, 2);
        e = assertThrows(UnsupportedOperationException.class, () -> BE.binary(BinaryOp.LOGICAL_AND, f, f, TestUtil.empty(BE, DType.BOOL, 2)));
        assertTrue(e.getMessage().contains("LOGICAL_AND") && e.getMessage().contains("FLOAT32"), e.getMessage());
        e = assertThrows(UnsupportedOperationException.class, () -> BE.unary(UnaryOp.LEAKY_RELU, i, TestUtil.empty(BE, DType.INT32, 2), 0.1));
        assertTrue(e.getMessage().contains("LEAKY_RELU"), e.getMessage());
        Operand b = TestUtil.contiguous(BE, new byte[] {1, 2}, 2);
        e = assertThrows(UnsupportedOperationException.class, () -> BE.binary(BinaryOp.ADD, b, b, TestUtil.empty(BE, DType.INT8, 2)));
        assertTrue(e.getMessage().contains("ADD") && e.getMessage().contains("INT8"), e.getMessage());
        e = assertThrows(UnsupportedOperationException.class, () -> BE.reduce(dev.nabla.spi.ReduceOp.SUM, b, new int[] {0},
                TestUtil.empty(BE, DType.INT8, 1)));
        assertTrue(e.getMessage().contains("INT8"), e.getMessage());
    }

    @Test
    void elementwiseDoesNotDependOnThreadCount() {
        int saved = CpuBackend.threads();
        try {
            Random r = new Random(8);
            float[] data = TestUtil.randomFloats(r, 300_001, -20f, 20f);
            Operand x = TestUtil.contiguous(BE, data, data.length);
            float[][] res = new float[2][];
            for (int t = 1; t <= 2; t++) {
                CpuBackend.setThreads(t);
                Operand out = TestUtil.empty(BE, DType.FLOAT32, data.length);
                BE.unary(UnaryOp.TANH, x, out, 0);
                BE.binary(BinaryOp.MUL, out, x, out);
                res[t - 1] = (float[]) BE.toArray(out);
            }
            assertArrayEquals(res[0], res[1]);
        } finally {
            CpuBackend.setThreads(saved);
        }
    }
}
