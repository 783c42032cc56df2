package dev.nabla;

/**
 * Element types of a tensor. Promotion follows PyTorch: {@code BOOL < INT8 < INT32 < INT64 < FLOAT32 < FLOAT64}.
 * INT8 is a storage type (quantized weights): it converts to and from every other type, and arithmetic runs after
 * such a conversion.
 */
public enum DType {
    BOOL(1), INT8(1), INT32(4), INT64(8), FLOAT32(4), FLOAT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes one element occupies on a device. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public boolean isIntegral() {
        return this == INT8 || this == INT32 || this == INT64;
    }

    /** The smallest type both {@code a} and {@code b} convert to without losing their category. */
    public static DType promote(DType a, DType b) {
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
