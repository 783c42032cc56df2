package dev.nabla.spi;

import dev.nabla.DType;

/**
 * The Java arrays that values cross the SPI in ({@link Backend#fromArray}, {@link Backend#toArray}): {@code float[]}
 * for FLOAT32, {@code double[]} FLOAT64, {@code long[]} INT64, {@code int[]} INT32, {@code boolean[]} BOOL,
 * {@code byte[]} INT8, and a {@code short[]} of raw bits for BFLOAT16 and FLOAT16 (which needs its dtype named).
 */
public final class JavaArrays {
    private JavaArrays() {
    }

    /** The dtype a Java array holds; a {@code short[]} is refused, since it may hold either half type. */
    public static DType dtypeOf(Object array) {
        return switch (array) {
            case float[] ignored -> DType.FLOAT32;
            case double[] ignored -> DType.FLOAT64;
            case long[] ignored -> DType.INT64;
            case int[] ignored -> DType.INT32;
            case boolean[] ignored -> DType.BOOL;
            case byte[] ignored -> DType.INT8;
            case short[] ignored -> throw new IllegalArgumentException("a short[] holds BFLOAT16 or FLOAT16 bits; "
                    + "name its dtype with fromArray(array, dtype)");
            case null -> throw new IllegalArgumentException("expected a float[], double[], long[], int[], boolean[] or "
                    + "byte[], found null");
            default -> throw new IllegalArgumentException("expected a float[], double[], long[], int[], boolean[] or "
                    + "byte[], found " + array.getClass().getTypeName());
        };
    }

    /** A new zeroed array of {@code n} elements of {@code dtype}'s Java type. */
    public static Object newArray(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT64 -> new long[n];
            case INT32 -> new int[n];
            case BOOL -> new boolean[n];
            case INT8 -> new byte[n];
            case BFLOAT16, FLOAT16 -> new short[n];
        };
    }
}
