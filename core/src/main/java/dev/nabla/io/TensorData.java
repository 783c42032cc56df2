package dev.nabla.io;

import dev.nabla.DType;
import dev.nabla.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor's elements as bytes, the way safetensors, Nabla's model file and ONNX's {@code raw_data} store them:
 * row-major, little-endian, one byte per BOOL (0 or 1) and per INT8, the raw 16 bits of each BFLOAT16 and FLOAT16
 * element in two bytes; and the safetensors names of the dtypes.
 */
public final class TensorData {
    private TensorData() {
    }

    /** The elements of {@code t}, row-major and little-endian. */
    public static byte[] encode(Tensor t) {
        long size = (long) t.numel() * t.dtype().byteSize();
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a tensor of " + size + " bytes is more than one byte array holds");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
            case INT64 -> b.asLongBuffer().put(t.toLongArray());
            case INT32 -> b.asIntBuffer().put(t.toIntArray());
            case INT8 -> b.put(t.toByteArray());
            case BFLOAT16, FLOAT16 -> b.asShortBuffer().put(t.halfBits());
            case BOOL -> {
                for (boolean v : t.toBooleanArray()) {
                    b.put((byte) (v ? 1 : 0));
                }
            }
        }
        return b.array();
    }

    /**
     * A tensor of {@code dtype} and {@code shape} from the little-endian elements at the start of {@code bytes}
     * (its position onwards), which must hold them all. A BOOL byte other than 0 or 1 is refused with an
     * {@link IllegalArgumentException} naming the element: such a file was not written as safetensors says.
     */
    public static Tensor decode(ByteBuffer bytes, DType dtype, int[] shape) {
        int n = dev.nabla.ops.Shapes.numel(shape);
        ByteBuffer slice = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        Tensor flat = switch (dtype) {
            case FLOAT32 -> {
                float[] v = new float[n];
                slice.asFloatBuffer().get(v);
                yield Tensor.of(v);
            }
            case FLOAT64 -> {
                double[] v = new double[n];
                slice.asDoubleBuffer().get(v);
                yield Tensor.of(v);
            }
            case INT64 -> {
                long[] v = new long[n];
                slice.asLongBuffer().get(v);
                yield Tensor.of(v);
            }
            case INT32 -> {
                int[] v = new int[n];
                slice.asIntBuffer().get(v);
                yield Tensor.of(v);
            }
            case INT8 -> {
                byte[] v = new byte[n];
                slice.get(v);
                yield Tensor.of(v);
            }
            case BFLOAT16, FLOAT16 -> {
                short[] v = new short[n];
                slice.asShortBuffer().get(v);
                yield Tensor.ofHalfBits(dtype, v, n);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    byte b = slice.get(i);
                    if (b != 0 && b != 1) {
                        throw new IllegalArgumentException("bool element " + i + " holds byte " + (b & 0xff)
                                + "; expected 0 or 1");
                    }
                    v[i] = b == 1;
                }
                yield Tensor.of(v);
            }
        };
        return flat.reshape(shape);
    }

    /** The safetensors name of a dtype: F32, F64, BF16, F16, I64, I32, I8, BOOL. */
    public static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case BFLOAT16 -> "BF16";
            case FLOAT16 -> "F16";
            case BOOL -> "BOOL";
        };
    }

    /** The dtype of a safetensors name, or null for names Nabla has no dtype for (U8, I16, F8_E4M3, ...). */
    public static DType dtype(String code) {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I64" -> DType.INT64;
            case "I32" -> DType.INT32;
            case "I8" -> DType.INT8;
            case "BF16" -> DType.BFLOAT16;
            case "F16" -> DType.FLOAT16;
            case "BOOL" -> DType.BOOL;
            default -> null;
        };
    }
}
