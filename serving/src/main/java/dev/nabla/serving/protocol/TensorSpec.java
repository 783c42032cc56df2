package dev.nabla.serving.protocol;

import java.util.Arrays;

/**
 * A model's input or output as the protocol describes it: its name, its datatype and its shape, {@code -1} for the
 * batch dimension (always the first).
 */
public record TensorSpec(String name, DataType datatype, int[] shape) {
    public TensorSpec {
        shape = shape.clone();
        if (shape.length == 0 || shape[0] != -1) {
            throw new IllegalArgumentException("a served tensor's first dimension is the batch (-1), found "
                    + Arrays.toString(shape));
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Values per sample: the product of the dimensions after the batch. */
    public int sampleSize() {
        int n = 1;
        for (int i = 1; i < shape.length; i++) {
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    /** The shape for {@code samples} samples. */
    public int[] shapeFor(int samples) {
        int[] s = shape.clone();
        s[0] = samples;
        return s;
    }

    /** {@code [N, 1, 28, 28]}: how errors and logs show the shape a request must have. */
    public String shapeText() {
        StringBuilder sb = new StringBuilder("[N");
        for (int i = 1; i < shape.length; i++) {
            sb.append(", ").append(shape[i]);
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.datatype == datatype
                && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + datatype.hashCode()) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + datatype + shapeText();
    }
}
