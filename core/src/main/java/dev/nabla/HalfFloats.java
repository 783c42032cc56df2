package dev.nabla;

/**
 * Conversions between {@code float} and the raw 16-bit patterns of {@link DType#BFLOAT16} and {@link DType#FLOAT16},
 * held in a {@code short}. To a half type: round to nearest, ties to even; NaN stays NaN; FLOAT16 overflows to
 * infinity beyond 65504 (from 65520 on) and keeps subnormals down to 2^-24; BFLOAT16 has float32's exponent range.
 * From a half type: exact. Other types convert through {@code float}, as PyTorch does.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** The BFLOAT16 nearest {@code f} (ties to even): the upper 16 bits of the rounded float32; NaN stays a quiet NaN. */
    public static short toBFloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            // Keep the sign and the upper payload; set the quiet bit so that truncation cannot make it infinite.
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** The float a BFLOAT16 bit pattern stands for (exact). */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The IEEE FLOAT16 nearest {@code f} (ties to even, overflow to infinity, subnormals kept). */
    public static short toFloat16(float f) {
        return Float.floatToFloat16(f);
    }

    /** The float an IEEE FLOAT16 bit pattern stands for (exact). */
    public static float float16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** {@code f} rounded to {@code half} (BFLOAT16 or FLOAT16), as bits. */
    public static short fromFloat(DType half, float f) {
        return switch (half) {
            case BFLOAT16 -> toBFloat16(f);
            case FLOAT16 -> toFloat16(f);
            default -> throw new IllegalArgumentException("not a half type: " + half);
        };
    }

    /** The float that {@code bits} of {@code half} (BFLOAT16 or FLOAT16) stand for. */
    public static float toFloat(DType half, short bits) {
        return switch (half) {
            case BFLOAT16 -> bfloat16ToFloat(bits);
            case FLOAT16 -> float16ToFloat(bits);
            default -> throw new IllegalArgumentException("not a half type: " + half);
        };
    }

    /** Every value of {@code values} rounded to {@code half}, as bits. */
    public static short[] fromFloats(DType half, float[] values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = fromFloat(half, values[i]);
        }
        return out;
    }

    /** The floats that {@code bits} of {@code half} stand for. */
    public static float[] toFloats(DType half, short[] bits) {
        float[] out = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            out[i] = toFloat(half, bits[i]);
        }
        return out;
    }
}
