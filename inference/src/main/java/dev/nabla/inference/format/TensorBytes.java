package dev.nabla.inference.format;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.io.FileFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Tensors as the little-endian bytes of safetensors, and safetensors dtype codes. */
final class TensorBytes {
    private TensorBytes() {
    }

    /** The safetensors code of a dtype: F32, F64, I64, I32, I8, BOOL. */
    static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case BOOL -> "BOOL";
        };
    }

    /** The dtype of a safetensors code, or null for codes Nabla has no dtype for (F16, BF16, U8, ...). */
    static DType dtype(String code) {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I64" -> DType.INT64;
            case "I32" -> DType.INT32;
            case "I8" -> DType.INT8;
            case "BOOL" -> DType.BOOL;
            default -> null;
        };
    }

    /** The tensor's elements in row-major order, little-endian; bool as one byte 0 or 1. */
    static byte[] encode(Tensor t) {
        long size = (long) t.numel() * t.dtype().byteSize();
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("model file: a tensor of " + size + " bytes is more than one file "
                    + "buffer holds");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
            case INT64 -> b.asLongBuffer().put(t.toLongArray());
            case INT32 -> b.asIntBuffer().put(t.toIntArray());
            case INT8 -> b.put(t.toByteArray());
            case BOOL -> {
                for (boolean v : t.toBooleanArray()) {
                    b.put((byte) (v ? 1 : 0));
                }
            }
        }
        return b.array();
    }

    /**
     * A tensor of {@code dtype} and {@code shape} read from {@code bytes[offset, offset + numel * size)}, which
     * the caller has checked. It belongs to no {@link TensorScope}: a loaded graph owns its constants.
     */
    static Tensor decode(Path file, String name, byte[] bytes, int offset, DType dtype, int[] shape, int numel) {
        ByteBuffer slice = ByteBuffer.wrap(bytes, offset, numel * dtype.byteSize()).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        Tensor flat = switch (dtype) {
            case FLOAT32 -> {
                float[] v = new float[numel];
                slice.asFloatBuffer().get(v);
                yield Tensor.of(v);
            }
            case FLOAT64 -> {
                double[] v = new double[numel];
                slice.asDoubleBuffer().get(v);
                yield Tensor.of(v);
            }
            case INT64 -> {
                long[] v = new long[numel];
                slice.asLongBuffer().get(v);
                yield Tensor.of(v);
            }
            case INT32 -> {
                int[] v = new int[numel];
                slice.asIntBuffer().get(v);
                yield Tensor.of(v);
            }
            case INT8 -> {
                byte[] v = new byte[numel];
                slice.get(v);
                yield Tensor.of(v);
            }
            case BOOL -> {
                boolean[] v = new boolean[numel];
                for (int i = 0; i < numel; i++) {
                    byte b = slice.get(i);
                    // Only 0 and 1 are booleans; anything else is damage the checksum did not cover.
                    if (b != 0 && b != 1) {
                        throw new FileFormatException(file, "bool tensor '" + name + "' holds byte " + (b & 0xff)
                                + " at element " + i + "; expected 0 or 1");
                    }
                    v[i] = b == 1;
                }
                yield Tensor.of(v);
            }
        };
        return TensorScope.escape(flat.reshape(shape));
    }
}
