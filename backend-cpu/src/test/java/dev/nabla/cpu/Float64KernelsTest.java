package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.cpu.kernels.ScalarMath;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The FLOAT64 kernels (plain loops in {@link Elementwise} and {@link Reductions}; there is no SIMD variant to
 * compare with) against straightforward per-element references. Every constant of {@link UnaryOp},
 * {@link BinaryOp} and {@link ReduceOp} runs: the references are exhaustive switches, so a new op does not compile
 * here until it has one, and an op FLOAT64 does not support must say so. The sizes are FloatKernelsTest's (the
 * vector tails, should a SIMD path come) and one above {@link Parallel#MIN_PARALLEL_ELEMENTS}; inputs sit at an
 * offset, contiguous, strided or broadcast, with special values mixed in, and nothing outside the output may change.
 */
class Float64KernelsTest {
    static final CpuBackend BE = new CpuBackend(Kernels.simdOrNull(), 0);
    static final int[] SIZES = {1, 7, 15, 16, 17, 33, 100, 1000, 4099, 40_000};
    static final double[] SPECIAL = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE, 1, -1, 0.5, -0.5,
        1.5, 2.5, -2.5, 709.5, 710, -745, -800, 800, 1e-300, -1e-300, 4503599627370497.0, 0.49999999999999994, 1e-17,
        -1e-17, 3.9, -3.9};
    static final double ALPHA = 0.1;

    /** {@code op(x)} in double, or null where FLOAT64 does not support the op. */
    static Double reference(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> x > 0 ? 1.0 : x < 0 ? -1.0 : x; // keeps -0 and NaN
            case EXP -> Math.exp(x);
            case EXPM1 -> Math.expm1(x);
            case LOG -> Math.log(x);
            case LOG1P -> Math.log1p(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case ERF -> ScalarMath.erf(x); // its values are pinned in FloatKernelsTest.erfMatchesReferenceValues
            case RELU -> Double.isNaN(x) || x > 0 ? x : 0.0;
            case LEAKY_RELU -> x > 0 ? x : ALPHA * x;
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x); // half to even, as FLOAT32
            case LOGICAL_NOT -> null;
        };
    }

    /** {@code a op b}: a double, 1/0 for a comparison, or null where FLOAT64 does not support the op. */
    static Double reference(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> Math.max(a, b); // NaN propagates, 0 above -0
            case MINIMUM -> Math.min(a, b);
            case EQ -> a == b ? 1.0 : 0.0;
            case NE -> a != b ? 1.0 : 0.0;
            case LT -> a < b ? 1.0 : 0.0;
            case LE -> a <= b ? 1.0 : 0.0;
            case GT -> a > b ? 1.0 : 0.0;
            case GE -> a >= b ? 1.0 : 0.0;
            case LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR -> null;
        };
    }

    /** The reduction of {@code x[off .. off+n)}: a double, or the index (first on ties) for ARGMAX/ARGMIN. */
    static double reference(ReduceOp op, double[] x, int off, int n) {
        double acc = switch (op) {
            case SUM -> 0;
            case PROD -> 1;
            case MAX, MIN, ARGMAX, ARGMIN -> x[off];
        };
        int best = 0;
        for (int i = 0; i < n; i++) {
            double v = x[off + i];
            switch (op) {
                case SUM -> acc += v;
                case PROD -> acc *= v;
                case MAX -> acc = Double.isNaN(acc) || Double.isNaN(v) ? Double.NaN : Math.max(acc, v);
                case MIN -> acc = Double.isNaN(acc) || Double.isNaN(v) ? Double.NaN : Math.min(acc, v);
                case ARGMAX -> best = v > x[off + best] ? i : best;
                case ARGMIN -> best = v < x[off + best] ? i : best;
            }
        }
        return op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN ? best : acc;
    }

    /** Elementwise ops whose kernel is the reference's own arithmetic: they must agree to the bit. */
    static boolean exact(UnaryOp op) {
        return switch (op) {
            case SIGMOID, ERF, EXP, EXPM1, LOG, LOG1P, SIN, COS, TANH -> false;
            default -> true;
        };
    }

    static double[] input(Random r, int n, double lo, double hi) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 3 == 0 ? SPECIAL[(i / 3) % SPECIAL.length] : lo + (hi - lo) * r.nextDouble();
        }
        return x;
    }

    static boolean agree(double expected, double actual, boolean exact) {
        if (exact || Double.isNaN(expected)) {
            return Double.isNaN(expected) ? Double.isNaN(actual)
                    : Double.doubleToRawLongBits(expected) == Double.doubleToRawLongBits(actual);
        }
        return TestUtil.close(expected, actual, 1e-14, 1e-300);
    }

    /** A length-n view at offset 3: contiguous (stride 1) or every other element (stride 2). */
    static Layout view(int n, int stride) {
        return new Layout(new int[] {n}, new int[] {stride}, 3);
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesTheReference(UnaryOp op) {
        if (reference(op, 1.0) == null) {
            Operand x = TestUtil.contiguous(BE, new double[] {1, 2}, 2);
            assertThrows(UnsupportedOperationException.class, () -> BE.unary(op, x, TestUtil.empty(BE, DType.FLOAT64, 2), ALPHA));
            return;
        }
        Random r = new Random(op.ordinal());
        for (int n : SIZES) {
            for (int stride : new int[] {1, 2}) {
                Operand x = new Operand(BE.fromArray(input(r, 3 + 2 * n, -10, 10)), view(n, stride));
                Operand out = new Operand(BE.fromArray(new double[n + 8]), new Layout(new int[] {n}, new int[] {1}, 5));
                BE.unary(op, x, out, ALPHA);
                double[] got = (double[]) TestUtil.array(out);
                for (int i = 0; i < n; i++) {
                    double xi = TestUtil.at(x, i);
                    if (!agree(reference(op, xi), got[5 + i], exact(op))) {
                        fail(op + "(" + xi + "): expected " + reference(op, xi) + ", found " + got[5 + i]
                                + " (n=" + n + ", stride " + stride + ", i=" + i + ")");
                    }
                }
                assertUntouched(got, 5, n, op + " n=" + n);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryMatchesTheReference(BinaryOp op) {
        if (reference(op, 1, 2) == null) {
            Operand x = TestUtil.contiguous(BE, new double[] {1, 0}, 2);
            assertThrows(UnsupportedOperationException.class,
                    () -> BE.binary(op, x, x, TestUtil.empty(BE, op.isComparison() ? DType.BOOL : DType.FLOAT64, 2)));
            return;
        }
        Random r = new Random(100 + op.ordinal());
        DType outType = op.isComparison() ? DType.BOOL : DType.FLOAT64;
        for (int n : SIZES) {
            double[] a = input(r, 3 + 2 * n, -4, 4);
            double[] b = input(r, 3 + 2 * n, -4, 4);
            for (int i = 0; i < n; i += 7) {
                b[3 + i] = a[3 + i]; // ties, for the comparisons and MAXIMUM/MINIMUM
            }
            // vector op vector, vector op broadcast scalar, broadcast scalar op strided vector
            Layout[][] forms = {{view(n, 1), view(n, 1)}, {view(n, 1), view(n, 0)}, {view(n, 0), view(n, 2)}};
            for (Layout[] form : forms) {
                Operand x = new Operand(BE.fromArray(a), form[0]);
                Operand y = new Operand(BE.fromArray(b), form[1]);
                Operand out = TestUtil.empty(BE, outType, n);
                BE.binary(op, x, y, out);
                double[] got = TestUtil.toDoubles(BE.toArray(out));
                for (int i = 0; i < n; i++) {
                    double xi = TestUtil.at(x, i);
                    double yi = TestUtil.at(y, i);
                    if (!agree(reference(op, xi, yi), got[i], true)) {
                        fail(op + "(" + xi + ", " + yi + "): expected " + reference(op, xi, yi) + ", found " + got[i]
                                + " (n=" + n + ", strides " + form[0].strides()[0] + " and " + form[1].strides()[0] + ")");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reductionMatchesTheReference(ReduceOp op) {
        boolean index = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        Random r = new Random(200 + op.ordinal());
        for (int n : SIZES) {
            int rows = 3;
            double[] x = new double[rows * n];
            for (int i = 0; i < x.length; i++) {
                // PROD near 1 so long rows stay finite; a coarse grid gives the arg reductions ties
                x[i] = op == ReduceOp.PROD ? 0.99 + 0.02 * r.nextDouble() : index ? r.nextInt(9) - 4 : r.nextDouble() * 4 - 2;
            }
            if (!index && n > 1) {
                x[n + n / 2] = Double.NaN; // the middle row: MAX/MIN propagate NaN, SUM/PROD give NaN
            }
            Operand in = TestUtil.contiguous(BE, x, rows, n);
            Operand out = TestUtil.empty(BE, index ? DType.INT64 : DType.FLOAT64, rows, 1);
            BE.reduce(op, in, new int[] {1}, out);
            double[] got = TestUtil.toDoubles(BE.toArray(out));
            for (int row = 0; row < rows; row++) {
                double expected = reference(op, x, row * n, n);
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    magnitude += Math.abs(x[row * n + i]);
                }
                // SUM and PROD may associate differently (blocked, in parallel chunks)
                boolean ok = Double.isNaN(expected) ? Double.isNaN(got[row])
                        : Math.abs(expected - got[row]) <= 1e-12 * (magnitude + Math.abs(expected));
                if (!ok) {
                    fail(op + " of row " + row + " (n=" + n + "): expected " + expected + ", found " + got[row]);
                }
            }
        }
    }

    static void assertUntouched(double[] array, int from, int n, String what) {
        for (int i = 0; i < array.length; i++) {
            if (i < from || i >= from + n) {
                assertEquals(0.0, array[i], what + ": element " + i + " outside the output was written");
            }
        }
    }
}
