package dev.nabla.serving.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The numeric tensor datatypes of the Open Inference Protocol that an input may use. Models compute in FP32, so every
 * value is converted to FP32 as it is (a UINT8 pixel 255 becomes 255.0f, not 1.0f); integers above 2^24 lose their
 * lowest bits. {@code BOOL} and {@code BYTES} are refused: no model here takes them.
 */
public enum DataType {
    UINT8(1), UINT16(2), UINT32(4), UINT64(8),
    INT8(1), INT16(2), INT32(4), INT64(8),
    FP16(2), FP32(4), FP64(8);

    private final int bytes;

    DataType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element in the binary tensor extension. */
    public int bytes() {
        return bytes;
    }

    /** True for the integer types, whose JSON values must be whole numbers in range. */
    public boolean isInteger() {
        return this != FP16 && this != FP32 && this != FP64;
    }

    /** The datatype a request names; {@code where} names the field in the error. */
    public static DataType parse(String name, String where) {
        if (name != null) {
            for (DataType t : values()) {
                if (t.name().equals(name)) {
                    return t;
                }
            }
        }
        String found = name == null ? "nothing" : "'" + name + "'";
        String why = "BOOL".equals(name) || "BYTES".equals(name) ? " (the models take numbers)" : "";
        throw new ProtocolException(where + ": expected a numeric datatype (" + supported() + "), found " + found + why);
    }

    /** The names {@link #parse} accepts, comma-separated. */
    public static String supported() {
        return Arrays.stream(values()).map(DataType::name).collect(Collectors.joining(", "));
    }

    /** The smallest value of an integer type. */
    long min() {
        return switch (this) {
            case UINT8, UINT16, UINT32, UINT64 -> 0;
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            default -> Long.MIN_VALUE;
        };
    }

    /** The largest value of an integer type that a long holds ({@code UINT64} goes beyond; see the decoder). */
    long max() {
        return switch (this) {
            case UINT8 -> 0xFF;
            case UINT16 -> 0xFFFF;
            case UINT32 -> 0xFFFF_FFFFL;
            case INT8 -> Byte.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
    }

    /**
     * Converts {@code count} little-endian elements of this type from {@code in} (at its position) into
     * {@code out}; binary data may hold any bit pattern, NaN and infinities included.
     */
    void decode(ByteBuffer in, float[] out, int count) {
        switch (this) {
            case FP32 -> in.asFloatBuffer().get(out, 0, count);
            case FP64 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = (float) in.getDouble(in.position() + 8 * i);
                }
            }
            case FP16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = Float.float16ToFloat(in.getShort(in.position() + 2 * i));
                }
            }
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = in.get(in.position() + i) & 0xFF;
                }
            }
            case INT8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = in.get(in.position() + i);
                }
            }
            case UINT16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = in.getShort(in.position() + 2 * i) & 0xFFFF;
                }
            }
            case INT16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = in.getShort(in.position() + 2 * i);
                }
            }
            case UINT32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = in.getInt(in.position() + 4 * i) & 0xFFFF_FFFFL;
                }
            }
            case INT32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = in.getInt(in.position() + 4 * i);
                }
            }
            case UINT64 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = unsignedToFloat(in.getLong(in.position() + 8 * i));
                }
            }
            case INT64 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = in.getLong(in.position() + 8 * i);
                }
            }
        }
        in.position(in.position() + count * bytes);
    }

    /** An unsigned 64-bit value as the nearest float. */
    static float unsignedToFloat(long v) {
        if (v >= 0) {
            return v;
        }
        // Halve (keeping the lowest bit so that rounding stays correct), convert, double.
        return 2f * ((v >>> 1) | (v & 1));
    }
}
