package dev.nabla.cpu;

import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.cpu.kernels.ScalarMath;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The SIMD FLOAT32 kernels agree with the scalar ones (and the scalar ones with naive loops). */
class FloatKernelsTest {
    static final int[] SIZES = {1, 7, 15, 16, 17, 33, 100, 1000, 4099};
    static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        1e-40f, -1e-40f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.5f, -0.5f, 1.5f, 2.5f,
        -2.5f, 88.5f, 88.8f, -87.5f, -103f, 100f, -100f, 1e-7f, -1e-7f, 8388609f, -8388609f, 0.49999997f,
        3.9f, -3.9f, 4.1f, 9.5f, -9.5f, 1e30f, -1e30f};

    static FloatKernels scalar;
    static FloatKernels simd;

    @BeforeAll
    static void kernels() {
        scalar = Kernels.scalar();
        simd = Kernels.simdOrNull();
        assertNotNull(simd, "tests run with --add-modules jdk.incubator.vector, so SIMD kernels must load");
        assertTrue(simd.isSimd());
    }

    /** Random inputs of the op's natural range, with special values sprinkled in. */
    static float[] input(UnaryOp op, Random r, int n) {
        float lo = -10f, hi = 10f;
        switch (op) {
            case LOG, SQRT, RSQRT -> { lo = 0f; hi = 100f; }
            case LOG1P -> { lo = -1f; hi = 20f; }
            case EXP, EXPM1, SIGMOID, TANH -> { lo = -30f; hi = 30f; }
            case ERF -> { lo = -5f; hi = 5f; }
            default -> { }
        }
        float[] x = TestUtil.randomFloats(r, n, lo, hi);
        for (int i = 0; i < n; i += 3) {
            x[i] = SPECIAL[(i / 3) % SPECIAL.length];
        }
        if (n > 40) { // small magnitudes matter for expm1/log1p/erf/tanh
            for (int i = 1; i < n; i += 7) {
                x[i] = (r.nextFloat() - 0.5f) * 1e-3f;
            }
        }
        return x;
    }

    static boolean exact(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SIGN, SQRT, RECIPROCAL, RELU, LEAKY_RELU, FLOOR, CEIL, ROUND -> true;
            default -> false;
        };
    }

    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = "LOGICAL_NOT", mode = EnumSource.Mode.EXCLUDE)
    void unaryAgrees(UnaryOp op) {
        Random r = new Random(op.ordinal());
        for (int n : SIZES) {
            float[] x = input(op, r, n + 3);
            float[] a = new float[n + 6];
            float[] b = new float[n + 6];
            scalar.unary(op, x, 3, a, 5, n, 0.1f);
            simd.unary(op, x, 3, b, 5, n, 0.1f);
            for (int i = 0; i < n; i++) {
                float e = a[5 + i];
                float g = b[5 + i];
                boolean ok = exact(op) ? sameBits(e, g) : TestUtil.close(e, g, 1e-5, 1e-37);
                if (!ok) {
                    fail(op + "(" + x[3 + i] + "): scalar " + e + ", simd " + g + " (n=" + n + ", i=" + i + ")");
                }
            }
            // untouched outside the range
            assertEquals(0f, b[4]);
            assertEquals(0f, b[5 + n]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = "LOGICAL_NOT", mode = EnumSource.Mode.EXCLUDE)
    void unaryInPlace(UnaryOp op) {
        Random r = new Random(7);
        float[] x = input(op, r, 37);
        float[] expected = new float[37];
        simd.unary(op, x, 0, expected, 0, 37, 0.2f);
        simd.unary(op, x, 0, x, 0, 37, 0.2f);
        for (int i = 0; i < 37; i++) {
            assertTrue(sameBits(expected[i], x[i]), op + " in place differs at " + i);
        }
    }

    @Test
    void int8DotProductsAreExactInBothKernelSets() {
        java.util.Random r = new java.util.Random(8);
        for (int n : new int[]{0, 1, 7, 63, 64, 65, 127, 128, 200, 3136}) {
            byte[] a = new byte[n + 5];
            byte[] b = new byte[n + 3];
            r.nextBytes(a);
            r.nextBytes(b);
            a[2] = Byte.MIN_VALUE;
            int expected = 0;
            for (int i = 0; i < n; i++) {
                expected += a[i + 2] * b[i + 1];
            }
            assertEquals(expected, scalar.dotInt8(a, 2, b, 1, n), "scalar, n = " + n);
            if (simd != null) {
                assertEquals(expected, simd.dotInt8(a, 2, b, 1, n), "simd, n = " + n);
            }
        }
        // the extremes: 3136 products of -128 * -128 still fit an int
        byte[] low = new byte[3136];
        java.util.Arrays.fill(low, Byte.MIN_VALUE);
        assertEquals(3136 * 16384, scalar.dotInt8(low, 0, low, 0, 3136));
        if (simd != null) {
            assertEquals(3136 * 16384, simd.dotInt8(low, 0, low, 0, 3136));
        }
    }

    @Test
    void scalarUnaryMatchesDefinitions() {
        float[] x = {-2.5f, -0.5f, 0f, 0.5f, 1.5f, 2.5f, Float.NaN};
        float[] o = new float[x.length];
        scalar.unary(UnaryOp.ROUND, x, 0, o, 0, x.length, 0);
        assertArrayBits(new float[] {-2f, -0f, 0f, 0f, 2f, 2f, Float.NaN}, o);
        scalar.unary(UnaryOp.SIGN, x, 0, o, 0, x.length, 0);
        assertArrayBits(new float[] {-1f, -1f, 0f, 1f, 1f, 1f, Float.NaN}, o);
        scalar.unary(UnaryOp.RELU, x, 0, o, 0, x.length, 0);
        assertArrayBits(new float[] {0f, 0f, 0f, 0.5f, 1.5f, 2.5f, Float.NaN}, o);
        scalar.unary(UnaryOp.LEAKY_RELU, x, 0, o, 0, x.length, 0.1f);
        assertArrayBits(new float[] {-0.25f, -0.05f, 0f, 0.5f, 1.5f, 2.5f, Float.NaN}, o);
        scalar.unary(UnaryOp.SIGMOID, new float[] {-1000f, 1000f, 0f}, 0, o, 0, 3, 0);
        assertEquals(0f, o[0]);
        assertEquals(1f, o[1]);
        assertEquals(0.5f, o[2]);
    }

    @Test
    void erfMatchesReferenceValues() {
        // erf values to 16 digits (from the series definition, computed independently)
        double[][] ref = {
            {0.0, 0.0}, {1e-10, 1.1283791670955126e-10}, {0.1, 0.1124629160182849},
            {0.5, 0.5204998778130465}, {1.0, 0.8427007929497149}, {1.5, 0.9661051464753108},
            {2.0, 0.9953222650189527}, {2.5, 0.9995930479825550}, {3.0, 0.9999779095030014},
            {4.0, 0.9999999845827421}, {6.0, 1.0}, {-0.5, -0.5204998778130465}};
        for (double[] p : ref) {
            double got = ScalarMath.erf(p[0]);
            assertTrue(Math.abs(got - p[1]) <= 1e-15 * Math.max(1, Math.abs(p[1])) + 1e-25,
                    "erf(" + p[0] + ") = " + got + ", expected " + p[1]);
        }
        assertTrue(Double.isNaN(ScalarMath.erf(Double.NaN)));
        assertEquals(1.0, ScalarMath.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, ScalarMath.erf(Double.NEGATIVE_INFINITY));
    }

    @Test
    void erfIsSmoothEnoughForFiniteDifferences() {
        // central difference of erf must match its derivative 2/sqrt(pi) exp(-x^2) to ~1e-8
        for (double x = -3; x <= 3; x += 0.0625) {
            double h = 1e-5;
            double num = (ScalarMath.erf(x + h) - ScalarMath.erf(x - h)) / (2 * h);
            double exact = 2 / Math.sqrt(Math.PI) * Math.exp(-x * x);
            assertEquals(exact, num, 1e-8, "d erf / dx at " + x);
        }
    }

    static final BinaryOp[] ARITH = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW,
        BinaryOp.MAXIMUM, BinaryOp.MINIMUM};

    @Test
    void binaryAgrees() {
        Random r = new Random(3);
        for (BinaryOp op : ARITH) {
            for (int n : SIZES) {
                float[] a = TestUtil.randomFloats(r, n + 2, -4f, 4f);
                float[] b = TestUtil.randomFloats(r, n + 1, -4f, 4f);
                for (int i = 0; i < n; i += 5) {
                    a[i] = SPECIAL[(i / 5) % SPECIAL.length];
                    b[(i + 2) % n] = SPECIAL[(i / 5 + 3) % SPECIAL.length];
                }
                float s = b[0];
                for (int variant = 0; variant < 3; variant++) {
                    float[] x = new float[n + 4];
                    float[] y = new float[n + 4];
                    switch (variant) {
                        case 0 -> { scalar.binary(op, a, 2, b, 1, x, 4, n); simd.binary(op, a, 2, b, 1, y, 4, n); }
                        case 1 -> { scalar.binaryVS(op, a, 2, s, x, 4, n); simd.binaryVS(op, a, 2, s, y, 4, n); }
                        default -> { scalar.binarySV(op, s, b, 1, x, 4, n); simd.binarySV(op, s, b, 1, y, 4, n); }
                    }
                    for (int i = 4; i < n + 4; i++) {
                        if (!sameBits(x[i], y[i])) {
                            fail(op + " variant " + variant + " n=" + n + " i=" + i + ": scalar " + x[i] + ", simd " + y[i]);
                        }
                    }
                    // independent check of the scalar kernel for the VV variant
                    if (variant == 0) {
                        for (int i = 0; i < n; i++) {
                            float e = naive(op, a[2 + i], b[1 + i]);
                            assertTrue(sameBits(e, x[4 + i]), op + " scalar kernel at " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void compareAndWhereAgree() {
        Random r = new Random(13);
        BinaryOp[] cmps = {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE};
        for (int n : SIZES) {
            float[] a = TestUtil.randomFloats(r, n + 1, -2f, 2f);
            float[] b = TestUtil.randomFloats(r, n + 2, -2f, 2f);
            for (int i = 0; i < n; i += 4) {
                a[1 + i] = SPECIAL[(i / 4) % SPECIAL.length];
                b[2 + i] = i % 8 == 0 ? a[1 + i] : SPECIAL[(i / 4 + 5) % SPECIAL.length];
            }
            boolean[] c = TestUtil.randomBools(r, n + 3);
            int[][] strides = {{1, 1}, {1, 0}, {0, 1}};
            for (int[] st : strides) {
                for (BinaryOp op : cmps) {
                    boolean[] x = new boolean[n + 3];
                    boolean[] y = new boolean[n + 3];
                    scalar.compare(op, a, 1, st[0], b, 2, st[1], x, 3, n);
                    simd.compare(op, a, 1, st[0], b, 2, st[1], y, 3, n);
                    assertTrue(java.util.Arrays.equals(x, y), op + " n=" + n + " strides " + java.util.Arrays.toString(st));
                    for (int i = 0; i < n; i++) {
                        float va = a[1 + i * st[0]];
                        float vb = b[2 + i * st[1]];
                        boolean e = switch (op) {
                            case EQ -> va == vb;
                            case NE -> va != vb;
                            case LT -> va < vb;
                            case LE -> va <= vb;
                            case GT -> va > vb;
                            default -> va >= vb;
                        };
                        assertEquals(e, x[3 + i], op + " scalar kernel at " + i);
                    }
                }
                float[] x = new float[n + 1];
                float[] y = new float[n + 1];
                scalar.where(c, 3, a, 1, st[0], b, 2, st[1], x, 1, n);
                simd.where(c, 3, a, 1, st[0], b, 2, st[1], y, 1, n);
                assertArrayBits(x, y);
                for (int i = 0; i < n; i++) {
                    assertTrue(sameBits(c[3 + i] ? a[1 + i * st[0]] : b[2 + i * st[1]], x[1 + i]), "where at " + i);
                }
            }
        }
    }

    @Test
    void reluBackwardAgreesAndPassesTheGradientOnlyWhereTheInputIsPositive() {
        Random r = new Random(17);
        for (int n : SIZES) {
            float[] x = TestUtil.randomFloats(r, n + 1, -2f, 2f);
            float[] g = TestUtil.randomFloats(r, n + 2, -5f, 5f);
            for (int i = 0; i < n; i += 3) {
                x[1 + i] = SPECIAL[(i / 3) % SPECIAL.length];
                g[2 + i] = SPECIAL[(i / 3 + 7) % SPECIAL.length];
            }
            float[] viaScalar = new float[n + 3];
            float[] viaSimd = new float[n + 3];
            scalar.reluBackward(g, 2, x, 1, viaScalar, 3, n);
            simd.reluBackward(g, 2, x, 1, viaSimd, 3, n);
            assertArrayBits(viaScalar, viaSimd);
            for (int i = 0; i < n; i++) {
                float expected = x[1 + i] > 0 ? g[2 + i] : 0f; // NaN, -0 and 0 inputs pass nothing
                assertTrue(sameBits(expected, viaScalar[3 + i]), "n=" + n + " at " + i + ": x " + x[1 + i]);
            }
        }
    }

    @Test
    void powSquareShortcutMatchesPow() {
        float[] a = {-3f, -0f, 0f, 1.5f, Float.NaN, Float.NEGATIVE_INFINITY, 1e20f, 3e-30f};
        float[] x = new float[a.length];
        float[] y = new float[a.length];
        scalar.binaryVS(BinaryOp.POW, a, 0, 2f, x, 0, a.length);
        simd.binaryVS(BinaryOp.POW, a, 0, 2f, y, 0, a.length);
        assertArrayBits(x, y);
    }

    @Test
    void maximumMinimumPropagateNaN() {
        float[] a = {1f, Float.NaN, 3f, -0f};
        float[] b = {Float.NaN, 2f, 1f, 0f};
        for (FloatKernels k : new FloatKernels[] {scalar, simd}) {
            float[] o = new float[4];
            k.binary(BinaryOp.MAXIMUM, a, 0, b, 0, o, 0, 4);
            assertArrayBits(new float[] {Float.NaN, Float.NaN, 3f, 0f}, o);
            k.binary(BinaryOp.MINIMUM, a, 0, b, 0, o, 0, 4);
            assertArrayBits(new float[] {Float.NaN, Float.NaN, 1f, -0f}, o);
        }
    }

    @Test
    void reductionsAgreeWithNaiveLoops() {
        Random r = new Random(11);
        for (int n : new int[] {1, 7, 15, 16, 17, 33, 1000, 1025, 4099, 100_003}) {
            float[] x = TestUtil.randomFloats(r, n + 3, -1f, 1f);
            float[] y = TestUtil.randomFloats(r, n + 1, -1f, 1f);
            double sum = 0, abs = 0, dot = 0, dotAbs = 0;
            float max = Float.NEGATIVE_INFINITY, min = Float.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                sum += x[3 + i];
                abs += Math.abs(x[3 + i]);
                dot += (double) x[3 + i] * y[1 + i];
                dotAbs += Math.abs((double) x[3 + i] * y[1 + i]);
                max = Math.max(max, x[3 + i]);
                min = Math.min(min, x[3 + i]);
            }
            for (FloatKernels k : new FloatKernels[] {scalar, simd}) {
                String who = k.description() + " n=" + n;
                assertEquals(sum, k.sum(x, 3, n), 1e-6 * abs + 1e-30, who + " sum");
                assertEquals(dot, k.dot(x, 3, y, 1, n), 1e-6 * dotAbs + 1e-6, who + " dot");
                assertEquals(max, k.max(x, 3, n), who + " max");
                assertEquals(min, k.min(x, 3, n), who + " min");
            }
        }
        float[] p = {1.5f, -2f, 0.25f, 3f, 1f, 1f, 2f, 0.5f, 1.25f, -1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 3f};
        double expected = 1;
        for (float v : p) {
            expected *= v;
        }
        assertEquals(expected, scalar.prod(p, 0, p.length), 1e-12);
        assertEquals(expected, simd.prod(p, 0, p.length), 1e-12);
        assertEquals(0.0, simd.sum(p, 0, 0));
    }

    @Test
    void maxMinPropagateNaNAtAnyPosition() {
        for (int n : new int[] {1, 5, 16, 17, 40}) {
            for (int at = 0; at < n; at++) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = i;
                }
                x[at] = Float.NaN;
                for (FloatKernels k : new FloatKernels[] {scalar, simd}) {
                    assertTrue(Float.isNaN(k.max(x, 0, n)), k.description() + " max n=" + n + " at=" + at);
                    assertTrue(Float.isNaN(k.min(x, 0, n)), k.description() + " min n=" + n + " at=" + at);
                }
            }
        }
    }

    @Test
    void axpyIsBitwiseEqual() {
        Random r = new Random(5);
        for (int n : SIZES) {
            float[] x = TestUtil.randomFloats(r, n, -3f, 3f);
            float[] y1 = TestUtil.randomFloats(r, n + 2, -3f, 3f);
            float[] y2 = y1.clone();
            scalar.axpy(0.7f, x, 0, y1, 2, n);
            simd.axpy(0.7f, x, 0, y2, 2, n);
            assertArrayBits(y1, y2);
        }
    }

    @Test
    void batchNormElementwiseKernelsAreBitwiseEqualAndMatchTheirDefinitions() {
        Random r = new Random(6);
        for (int n : SIZES) {
            float[] x = TestUtil.randomFloats(r, n + 1, -3f, 3f);
            float[] g = TestUtil.randomFloats(r, n + 2, -3f, 3f);
            float[] viaScalar = new float[n + 3];
            float[] viaSimd = new float[n + 3];
            scalar.scaleShift(x, 1, 0.8f, -0.3f, viaScalar, 3, n);
            simd.scaleShift(x, 1, 0.8f, -0.3f, viaSimd, 3, n);
            assertArrayBits(viaScalar, viaSimd);
            for (int i = 0; i < n; i++) {
                assertTrue(sameBits(Math.fma(x[1 + i], 0.8f, -0.3f), viaScalar[3 + i]), "scaleShift n=" + n + " at " + i);
            }
            scalar.batchNormInputGradient(g, 2, x, 1, 0.4f, 0.2f, -0.1f, 1.7f, viaScalar, 3, n);
            simd.batchNormInputGradient(g, 2, x, 1, 0.4f, 0.2f, -0.1f, 1.7f, viaSimd, 3, n);
            assertArrayBits(viaScalar, viaSimd);
            for (int i = 0; i < n; i++) {
                float expected = (g[2 + i] - Math.fma(x[1 + i] - 0.4f, 0.2f, -0.1f)) * 1.7f;
                assertTrue(sameBits(expected, viaScalar[3 + i]), "batchNormInputGradient n=" + n + " at " + i);
            }
        }
    }

    @Test
    void batchNormSumsAgreeWithNaiveLoops() {
        Random r = new Random(7);
        for (int n : SIZES) {
            float[] x = TestUtil.randomFloats(r, n + 1, 99f, 101f);
            float[] g = TestUtil.randomFloats(r, n + 2, -3f, 3f);
            double squares = 0, sum = 0, dot = 0, absSum = 0, absDot = 0; // the sums of |terms| bound rounding
            for (int i = 0; i < n; i++) {
                double d = x[1 + i] - 100.0;
                squares += d * d;
                sum += g[2 + i];
                dot += g[2 + i] * d;
                absSum += Math.abs(g[2 + i]);
                absDot += Math.abs(g[2 + i] * d);
            }
            for (FloatKernels k : new FloatKernels[]{scalar, simd}) {
                assertEquals(squares, k.sumSquaredDeviations(x, 1, n, 100f), 1e-6 * squares, k.description());
                double[] acc = {1, 2}; // the kernel adds to what is there
                k.sumAndCenteredDot(g, 2, x, 1, n, 100f, acc);
                assertEquals(1 + sum, acc[0], 1e-6 * absSum + 1e-12, k.description() + " sum, n=" + n);
                assertEquals(2 + dot, acc[1], 1e-6 * absDot + 1e-12, k.description() + " dot, n=" + n);
            }
        }
    }

    static float naive(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (float) Math.pow(a, b);
            case MAXIMUM -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
            case MINIMUM -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b);
            default -> throw new IllegalArgumentException();
        };
    }

    static boolean sameBits(float a, float b) {
        return Float.isNaN(a) ? Float.isNaN(b) : Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
    }

    static void assertArrayBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(sameBits(expected[i], actual[i]), "at " + i + ": expected " + expected[i] + ", found " + actual[i]);
        }
    }
}
