package dev.nabla.cuda;

import dev.nabla.DType;
import dev.nabla.HalfFloats;

/**
 * A fill of a contiguous range as a driver memset ({@code cuMemsetD8Async}/{@code D16}/{@code D32}): the element
 * value converted as the CPU backend converts it ({@code (float)}, {@code (int)}, {@code (long)}, half rounding,
 * {@code != 0} for BOOL), then written as {@code count} units of {@code width} bytes. An 8-byte value is a memset only
 * when its two 32-bit halves are equal (0, -1, ...); otherwise {@link #of} answers null and a kernel fills. Pure.
 *
 * @param width 1, 2 or 4 bytes per unit
 * @param bits  the unit's bits (low {@code width} bytes used)
 * @param count units to write
 */
record FillPattern(int width, int bits, long count) {
    static FillPattern of(DType dtype, double value, long numel) {
        return switch (dtype) {
            case FLOAT32 -> new FillPattern(4, Float.floatToRawIntBits((float) value), numel);
            case INT32 -> new FillPattern(4, (int) value, numel);
            case BOOL -> new FillPattern(1, value != 0 ? 1 : 0, numel);
            case INT8 -> new FillPattern(1, (byte) (long) value, numel);
            case BFLOAT16, FLOAT16 -> new FillPattern(2, HalfFloats.fromFloat(dtype, (float) value), numel);
            case FLOAT64 -> wide(Double.doubleToRawLongBits(value), numel);
            case INT64 -> wide((long) value, numel);
        };
    }

    private static FillPattern wide(long bits, long numel) {
        int lo = (int) bits;
        int hi = (int) (bits >>> 32);
        return lo == hi ? new FillPattern(4, lo, 2 * numel) : null;
    }
}
