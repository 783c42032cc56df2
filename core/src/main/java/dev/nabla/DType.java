package dev.nabla;

/**
 * Element types of a tensor. Promotion follows PyTorch ({@code torch.promote_types}): along
 * {@code BOOL < INT8 < INT32 < INT64 < BFLOAT16 | FLOAT16 < FLOAT32 < FLOAT64}, the larger type wins, except that
 * BFLOAT16 and FLOAT16 together promote to FLOAT32 (neither holds the other's values). A half type with any boolean or
 * integer type stays that half type.
 * <p>
 * INT8 is a storage type (quantized weights): it converts to and from every other type, and arithmetic runs after
 * such a conversion.
 * <p>
 * BFLOAT16 (1 sign, 8 exponent, 7 mantissa bits: float32's range, 3 significant digits) and FLOAT16 (IEEE 754 half:
 * 5 exponent, 10 mantissa bits, largest finite 65504) take 2 bytes per element. Conversions to them round to
 * nearest even (see {@link HalfFloats}); conversions from them are exact. Data movement (copies, casts, views, cat,
 * pad, where, gather, indexSelect, unfold, fill) runs on the half values themselves; arithmetic, reductions and
 * matmul compute in FLOAT32 and round the result to the half type once, as PyTorch does on the CPU.
 */
public enum DType {
    BOOL(1), INT8(1), INT32(4), INT64(8), BFLOAT16(2), FLOAT16(2), FLOAT32(4), FLOAT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes one element occupies on a device. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * The number an element of this dtype holds when {@code value} is stored in it (by {@code fill}, {@code full} or
     * a scalar operand): rounded to nearest for the floating types (through FLOAT32 for the half types), truncated
     * toward zero for INT64 and INT32 (INT32 saturating, as Java's {@code (int)}), truncated then wrapped to 8 bits
     * for INT8, and 1 or 0 for BOOL ({@code value != 0}).
     */
    public double convert(double value) {
        return switch (this) {
            case FLOAT64 -> value;
            case FLOAT32 -> (float) value;
            case BFLOAT16, FLOAT16 -> HalfFloats.toFloat(this, HalfFloats.fromFloat(this, (float) value));
            case INT64 -> (long) value;
            case INT32 -> (int) value;
            case INT8 -> (byte) (long) value;
            case BOOL -> value != 0 ? 1 : 0;
        };
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64 || this == BFLOAT16 || this == FLOAT16;
    }

    /** True for the 2-byte floating types BFLOAT16 and FLOAT16 (stored as raw bits, computed on in FLOAT32). */
    public boolean isHalf() {
        return this == BFLOAT16 || this == FLOAT16;
    }

    public boolean isIntegral() {
        return this == INT8 || this == INT32 || this == INT64;
    }

    /** The smallest type both {@code a} and {@code b} convert to without losing their category. */
    public static DType promote(DType a, DType b) {
        if (a.isHalf() && b.isHalf() && a != b) {
            return FLOAT32;
        }
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /** Default floating type that integer and boolean tensors turn into where an op needs floats. */
    public static DType defaultFloat() {
        return FLOAT32;
    }

    /** This type if it is floating point, else the default float type. */
    public DType toFloating() {
        return isFloatingPoint() ? this : defaultFloat();
    }
}
