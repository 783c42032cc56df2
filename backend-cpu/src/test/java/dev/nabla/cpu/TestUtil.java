package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;

import java.util.Random;

/** Independent, deliberately naive helpers for the kernel tests. */
final class TestUtil {
    private TestUtil() {
    }

    static float[] randomFloats(Random r, int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + (hi - lo) * r.nextFloat();
        }
        return a;
    }

    static double[] randomDoubles(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextDouble() * 4 - 2;
        }
        return a;
    }

    static long[] randomLongs(Random r, int n, int bound) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(2 * bound + 1) - bound;
        }
        return a;
    }

    static int[] randomInts(Random r, int n, int bound) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(2 * bound + 1) - bound;
        }
        return a;
    }

    static boolean[] randomBools(Random r, int n) {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextBoolean();
        }
        return a;
    }

    /** Linear buffer position of multi-index {@code idx} in {@code l}. */
    static int pos(Layout l, int[] idx) {
        int p = l.offset();
        for (int d = 0; d < idx.length; d++) {
            p += idx[d] * l.strides()[d];
        }
        return p;
    }

    /** Advances a row-major multi-index; false after the last one. */
    static boolean next(int[] idx, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) {
                return true;
            }
            idx[d] = 0;
        }
        return false;
    }

    static double get(Object array, int p) {
        return switch (array) {
            case float[] a -> a[p];
            case double[] a -> a[p];
            case long[] a -> a[p];
            case int[] a -> a[p];
            case boolean[] a -> a[p] ? 1 : 0;
            case byte[] a -> a[p];
            default -> throw new IllegalArgumentException();
        };
    }

    static Object array(Operand o) {
        return ((CpuBuffer) o.buffer()).array();
    }

    static double at(Operand o, int... idx) {
        return get(array(o), pos(o.layout(), idx));
    }

    static Operand operand(CpuBackend be, Object javaArray, Layout layout) {
        return new Operand(be.fromArray(javaArray), layout);
    }

    static Operand contiguous(CpuBackend be, Object javaArray, int... shape) {
        return new Operand(be.fromArray(javaArray), Layout.contiguous(shape));
    }

    static Operand empty(CpuBackend be, DType dtype, int... shape) {
        Layout l = Layout.contiguous(shape);
        return new Operand(be.allocate(dtype, l.numel()), l);
    }

    /** A permuted view of a contiguous buffer: {@code perm[d]} is the source axis of view axis d. */
    static Layout permuted(int[] baseShape, int... perm) {
        int[] strides = Layout.contiguousStrides(baseShape);
        int[] s = new int[perm.length];
        int[] st = new int[perm.length];
        for (int d = 0; d < perm.length; d++) {
            s[d] = baseShape[perm[d]];
            st[d] = strides[perm[d]];
        }
        return new Layout(s, st, 0);
    }

    /** Relative-or-absolute closeness with NaN == NaN and equal infinities. */
    static boolean close(double expected, double actual, double rel, double abs) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (expected == actual) {
            return true;
        }
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            return false;
        }
        return Math.abs(expected - actual) <= Math.max(abs, rel * Math.abs(expected));
    }

    static double[] toDoubles(Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = get(array, i);
        }
        return d;
    }
}
