package dev.nabla.cuda.emu;

import dev.nabla.DType;
import dev.nabla.HalfFloats;
import dev.nabla.spi.JavaArrays;
import dev.nabla.spi.Layout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Host-side data of the emulation tests: Java arrays of each dtype (BOOL boolean[], INT8 byte[], INT32 int[],
 * INT64 long[], halves short[] of raw bits, FLOAT32 float[], FLOAT64 double[]), their little-endian bytes, random
 * strided layouts and values with the edge cases that matter, and comparison with ulp tolerances.
 */
final class Host {
    private Host() {
    }

    static String suffix(DType d) {
        return switch (d) {
            case BOOL -> "b8";
            case INT8 -> "i8";
            case INT32 -> "i32";
            case INT64 -> "i64";
            case BFLOAT16 -> "bf16";
            case FLOAT16 -> "f16";
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
        };
    }

    static int length(Object a) {
        return java.lang.reflect.Array.getLength(a);
    }

    static Object get(Object a, int i) {
        return java.lang.reflect.Array.get(a, i);
    }

    static void set(Object a, int i, Object v) {
        java.lang.reflect.Array.set(a, i, v);
    }

    static Object copy(Object a) {
        return switch (a) {
            case boolean[] x -> x.clone();
            case byte[] x -> x.clone();
            case int[] x -> x.clone();
            case long[] x -> x.clone();
            case short[] x -> x.clone();
            case float[] x -> x.clone();
            case double[] x -> x.clone();
            default -> throw new IllegalArgumentException();
        };
    }

    static byte[] toBytes(DType d, Object a) {
        int n = length(a);
        ByteBuffer b = ByteBuffer.allocate(n * d.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (a) {
                case boolean[] x -> b.put((byte) (x[i] ? 1 : 0));
                case byte[] x -> b.put(x[i]);
                case int[] x -> b.putInt(x[i]);
                case long[] x -> b.putLong(x[i]);
                case short[] x -> b.putShort(x[i]);
                case float[] x -> b.putFloat(x[i]);
                case double[] x -> b.putDouble(x[i]);
                default -> throw new IllegalArgumentException();
            }
        }
        return b.array();
    }

    /** Bytes to an array; a BOOL byte other than 0 or 1 fails (kernels must write 0/1). */
    static Object fromBytes(DType d, byte[] bytes, boolean strictBool) {
        int n = bytes.length / d.byteSize();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Object a = JavaArrays.newArray(d, n);
        for (int i = 0; i < n; i++) {
            switch (a) {
                case boolean[] x -> {
                    byte v = b.get();
                    if (strictBool && v != 0 && v != 1) {
                        fail("BOOL element " + i + " holds " + v + ", not 0 or 1");
                    }
                    x[i] = v != 0;
                }
                case byte[] x -> x[i] = b.get();
                case int[] x -> x[i] = b.getInt();
                case long[] x -> x[i] = b.getLong();
                case short[] x -> x[i] = b.getShort();
                case float[] x -> x[i] = b.getFloat();
                case double[] x -> x[i] = b.getDouble();
                default -> throw new IllegalArgumentException();
            }
        }
        return a;
    }

    // ------------------------------------------------------------------ values

    static final float[] FLOAT_EDGES = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        0.5f, 1.5f, 2.5f, -2.5f, -0.5f, 1e-40f, -1e-40f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, 65504f,
        65520f, 65519.99f, 3e9f, -3e9f, 1e19f, -1e19f, 2147483520f, -2147483648f, 127.9f, -128.5f, 255f, 300.7f,
        1.00390625f, 5.9604645e-8f, 2.9802322e-8f, 3.0e-8f, 1e-5f, 100f, -100f, 0.1f, 7e-39f};
    static final long[] LONG_EDGES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE,
        (1L << 53) + 1, -(1L << 53) - 1, 255, 128, -129, 1L << 40, 0x1234_5678_9ABC_DEF0L};

    static Object randomValue(DType d, Random r, boolean edges) {
        boolean edge = edges && r.nextInt(4) == 0;
        return switch (d) {
            case BOOL -> r.nextBoolean();
            case INT8 -> (byte) (edge ? LONG_EDGES[r.nextInt(LONG_EDGES.length)] : r.nextInt(256));
            case INT32 -> edge ? (int) LONG_EDGES[r.nextInt(LONG_EDGES.length)] : r.nextInt(2001) - 1000;
            case INT64 -> edge ? LONG_EDGES[r.nextInt(LONG_EDGES.length)] : (long) r.nextInt(2001) - 1000;
            case BFLOAT16, FLOAT16 -> edge && r.nextBoolean() ? (short) r.nextInt(65536)
                    : HalfFloats.fromFloat(d, (Float) randomValue(DType.FLOAT32, r, edges));
            case FLOAT32 -> edge ? FLOAT_EDGES[r.nextInt(FLOAT_EDGES.length)] : (float) (r.nextGaussian() * 4);
            case FLOAT64 -> edge ? (r.nextInt(5) == 0 ? Double.MIN_VALUE * r.nextInt(100) : (double) FLOAT_EDGES[r.nextInt(FLOAT_EDGES.length)])
                    : r.nextGaussian() * 4;
        };
    }

    static Object randomArray(DType d, int n, Random r, boolean edges) {
        Object a = JavaArrays.newArray(d, n);
        for (int i = 0; i < n; i++) {
            set(a, i, randomValue(d, r, edges));
        }
        return a;
    }

    // ------------------------------------------------------------------ layouts

    static final int[][] SHAPES = {{}, {1}, {31}, {33}, {4, 250}, {2, 3, 4}, {3, 1, 5, 2}, {7, 1}, {2, 3, 2, 3, 2},
        {1000}, {5, 7, 3}, {2, 2, 2, 2, 2, 2, 2, 2, 2}};

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** A random layout of {@code shape}: contiguous, permuted, with gaps, or (if allowed) broadcast; random offset. */
    static Layout randomLayout(Random r, int[] shape, boolean broadcast) {
        int rank = shape.length;
        int offset = r.nextInt(3) == 0 ? 0 : r.nextInt(7);
        // above rank 8 only layouts that merge down to rank 8 (contiguous ones) can be launched
        int kind = rank > 8 ? 0 : r.nextInt(broadcast ? 4 : 3);
        Integer[] order = new Integer[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = i;
        }
        if (kind == 1) {
            java.util.Collections.shuffle(Arrays.asList(order), r);
        }
        int[] strides = new int[rank];
        int running = 1;
        for (int k = rank - 1; k >= 0; k--) {
            int d = order[k];
            int gap = kind == 2 ? 1 + r.nextInt(2) : 1;
            strides[d] = running * gap;
            running = strides[d] * Math.max(1, shape[d]);
        }
        if (kind == 3) {
            for (int d = 0; d < rank; d++) {
                if (r.nextBoolean()) {
                    strides[d] = 0;
                }
            }
        }
        return new Layout(shape.clone(), strides, offset);
    }

    static int span(Layout l) {
        int end = l.offset();
        for (int d = 0; d < l.rank(); d++) {
            end += (Math.max(1, l.shape()[d]) - 1) * l.strides()[d];
        }
        return end + 1 + 3; // a little slack behind the last element
    }

    static int pos(Layout l, int linear) {
        int p = l.offset();
        for (int d = l.rank() - 1; d >= 0; d--) {
            int s = l.shape()[d];
            p += (linear % s) * l.strides()[d];
            linear /= s;
        }
        return p;
    }

    // ------------------------------------------------------------------ comparison

    static long ulpDistance(double a, double b) {
        long x = Double.doubleToLongBits(a), y = Double.doubleToLongBits(b);
        x = x < 0 ? Long.MIN_VALUE - x : x;
        y = y < 0 ? Long.MIN_VALUE - y : y;
        return Math.abs(x - y);
    }

    static long ulpDistance(float a, float b) {
        long x = Float.floatToIntBits(a), y = Float.floatToIntBits(b);
        x = x < 0 ? Integer.MIN_VALUE - x : x;
        y = y < 0 ? Integer.MIN_VALUE - y : y;
        return Math.abs(x - y);
    }

    /**
     * Every element equal: bit for bit, or, for floating dtypes, both NaN (unless {@code nanBits}) or within
     * {@code ulps} units in the last place (same sign of infinity required).
     */
    static void assertElements(String what, DType d, Object expected, Object actual, long ulps, boolean nanBits) {
        int n = length(expected);
        if (n != length(actual)) {
            fail(what + ": length " + length(actual) + " vs " + n);
        }
        for (int i = 0; i < n; i++) {
            Object e = get(expected, i), a = get(actual, i);
            if (e.equals(a)) {
                continue;
            }
            boolean ok = switch (d) {
                case FLOAT32 -> {
                    float x = (Float) e, y = (Float) a;
                    yield Float.floatToRawIntBits(x) == Float.floatToRawIntBits(y)
                            || !nanBits && Float.isNaN(x) && Float.isNaN(y)
                            || ulps > 0 && !Float.isNaN(x) && !Float.isNaN(y) && ulpDistance(x, y) <= ulps;
                }
                case FLOAT64 -> {
                    double x = (Double) e, y = (Double) a;
                    yield !nanBits && Double.isNaN(x) && Double.isNaN(y)
                            || ulps > 0 && !Double.isNaN(x) && !Double.isNaN(y) && ulpDistance(x, y) <= ulps;
                }
                case BFLOAT16, FLOAT16 -> {
                    float x = HalfFloats.toFloat(d, (Short) e), y = HalfFloats.toFloat(d, (Short) a);
                    yield !nanBits && Float.isNaN(x) && Float.isNaN(y);
                }
                default -> false;
            };
            if (!ok) {
                fail(what + ": element " + i + " is " + show(d, a) + ", expected " + show(d, e));
            }
        }
    }

    /**
     * Normal FLOAT64 draws {@code a + b z}: the device's libm may move z by a few ulps, which a cancellation between
     * a and b z (values near 0) turns into many ulps of the result; so the bound is a few ulps of |a| + |b z|.
     */
    static void assertNormal64(String what, double a, double b, double[] expected, double[] actual, int from) {
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], g = actual[from + i];
            double scale = Math.abs(a) + Math.abs(e - a);
            if (Double.doubleToLongBits(e) != Double.doubleToLongBits(g) && !(Math.abs(e - g) <= 8 * Math.ulp(scale))) {
                fail(what + ": element " + i + " is " + g + ", expected " + e);
            }
        }
    }

    static String show(DType d, Object v) {
        return switch (d) {
            case FLOAT32 -> v + " (0x" + Integer.toHexString(Float.floatToRawIntBits((Float) v)) + ")";
            case FLOAT64 -> v + " (0x" + Long.toHexString(Double.doubleToRawLongBits((Double) v)) + ")";
            case BFLOAT16, FLOAT16 -> "0x" + Integer.toHexString((Short) v & 0xFFFF) + " (" + HalfFloats.toFloat(d, (Short) v) + ")";
            default -> String.valueOf(v);
        };
    }
}
