package dev.nabla.inference.format;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.TensorData;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/** The model file's tensor bytes: {@link TensorData}'s encoding, with the file's limits and errors. */
final class TensorBytes {
    private TensorBytes() {
    }

    /** The safetensors code of a dtype: F32, F64, BF16, F16, I64, I32, I8, BOOL. */
    static String code(DType dtype) {
        return TensorData.code(dtype);
    }

    /** The dtype of a safetensors code, or null for codes Nabla has no dtype for (U8, I16, ...). */
    static DType dtype(String code) {
        return TensorData.dtype(code);
    }

    /** The tensor's elements in row-major order, little-endian; bool as one byte 0 or 1. */
    static byte[] encode(Tensor t) {
        long size = (long) t.numel() * t.dtype().byteSize();
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("model file: a tensor of " + size + " bytes is more than one file "
                    + "buffer holds");
        }
        return TensorData.encode(t);
    }

    /**
     * A tensor of {@code dtype} and {@code shape} read from {@code bytes[offset, offset + numel * size)}, which
     * the caller has checked. It belongs to no {@link TensorScope}: a loaded graph owns its constants.
     */
    static Tensor decode(Path file, String name, byte[] bytes, int offset, DType dtype, int[] shape, int numel) {
        try {
            // a bool byte other than 0 or 1 is refused even in a file whose checksum was recomputed over it
            return TensorScope.escape(TensorData.decode(ByteBuffer.wrap(bytes, offset, numel * dtype.byteSize()),
                    dtype, shape));
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "tensor '" + name + "': " + e.getMessage());
        }
    }
}
