package dev.nabla.inference.graph;

import dev.nabla.DType;

import java.util.Arrays;

/**
 * The element type and shape of a graph value. The batch size stays symbolic: a negative dimension
 * {@code -k} stands for {@code k} times the batch size (so {@code -1} is the batch dimension itself), and
 * {@link #concrete(int)} gives the shape at one batch size.
 */
public record TensorType(DType dtype, int[] shape) {

    public TensorType {
        shape = shape.clone();
    }

    /** A shape whose first dimension is the batch: {@code [N, rest...]}. */
    public static TensorType batched(DType dtype, int... rest) {
        int[] shape = new int[rest.length + 1];
        shape[0] = -1;
        System.arraycopy(rest, 0, shape, 1, rest.length);
        return new TensorType(dtype, shape);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Dimension {@code d} as stored: negative for multiples of the batch size. */
    public int dim(int d) {
        return shape[d];
    }

    /** True if some dimension grows with the batch size. */
    public boolean isBatched() {
        for (int s : shape) {
            if (s < 0) {
                return true;
            }
        }
        return false;
    }

    /** The shape at batch size {@code batch}. */
    public int[] concrete(int batch) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[i] < 0 ? Math.multiplyExact(-shape[i], batch) : shape[i];
        }
        return out;
    }

    /** Elements at batch size {@code batch}, as a long so that a hostile shape cannot overflow it. */
    public long numel(int batch) {
        long n = 1;
        for (int s : shape) {
            n *= s < 0 ? (long) -s * batch : s;
        }
        return n;
    }

    /** {@code f32[N,32,28,28]}: dtype, then N for the batch size (2N for twice it). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(dtypeName(dtype)).append('[');
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            int s = shape[i];
            sb.append(s == -1 ? "N" : s < 0 ? -s + "N" : Integer.toString(s));
        }
        return sb.append(']').toString();
    }

    /** Short dtype names as graphs print them: f32, f64, bf16, f16, i64, i32, i8, bool. */
    public static String dtypeName(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case BFLOAT16 -> "bf16";
            case FLOAT16 -> "f16";
            case INT64 -> "i64";
            case INT32 -> "i32";
            case INT8 -> "i8";
            case BOOL -> "bool";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorType t && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return dtype.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
