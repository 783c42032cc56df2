package dev.nabla.serving.capture;

import dev.nabla.io.JsonInput;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How captured tensors are stored: values as float32 little-endian bytes (the safetensors and model-file order, so
 * any language reads them), shapes as comma-separated dimensions ({@code "1,28,28"}).
 */
final class FloatBlobs {
    /** Ranks above this are refused; real model inputs have a handful of dimensions. */
    static final int MAX_RANK = 8;

    private FloatBlobs() {
    }

    static byte[] encode(float[] values, int from, int count) {
        ByteBuffer b = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values, from, count);
        return b.array();
    }

    /** The floats of {@code bytes}, which must hold exactly {@code expected} of them. */
    static float[] decode(byte[] bytes, int expected, String what) {
        if (bytes == null || bytes.length != expected * Float.BYTES) {
            throw new CaptureStoreException(what + ": expected " + expected + " float32 values ("
                    + expected * Float.BYTES + " bytes), found " + (bytes == null ? "none" : bytes.length + " bytes"));
        }
        float[] values = new float[expected];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    static String shapeText(int[] shape, int from) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < shape.length; i++) {
            if (i > from) {
                sb.append(',');
            }
            sb.append(shape[i]);
        }
        return sb.toString();
    }

    static int[] parseShape(String text, String what) {
        if (text == null) {
            throw new CaptureStoreException(what + ": no shape");
        }
        if (text.isEmpty()) {
            return new int[0];
        }
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_RANK) {
            throw new CaptureStoreException(what + ": shape '" + JsonInput.clip(text) + "' has more than " + MAX_RANK
                    + " dimensions");
        }
        int[] shape = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                shape[i] = Integer.parseInt(parts[i]);
                if (shape[i] < 0) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            throw new CaptureStoreException(what + ": expected a shape like '1,28,28', found '" + JsonInput.clip(text) + "'");
        }
        return shape;
    }

    /** The number of elements of {@code shape[from..]}, or -1 when it exceeds an int. */
    static long numel(int[] shape, int from) {
        long n = 1;
        for (int i = from; i < shape.length; i++) {
            if (shape[i] < 0) {
                return -1;
            }
            n *= shape[i];
            if (n > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return n;
    }

    /**
     * The index of the largest of {@code values[from, from + count)}, NaN ignored; -1 when there are fewer than two
     * values (a single score is no class distribution) or all are NaN.
     */
    static int argmax(float[] values, int from, int count) {
        if (count < 2) {
            return -1;
        }
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            float v = values[from + i];
            if (!Float.isNaN(v) && (best < 0 || v > bestValue)) {
                best = i;
                bestValue = v;
            }
        }
        return best;
    }
}
