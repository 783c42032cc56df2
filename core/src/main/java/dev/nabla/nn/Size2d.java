package dev.nabla.nn;

/**
 * A (height, width) pair for the kernel size, stride, padding or dilation of a 2-D layer: PyTorch's
 * {@code 3} or {@code (3, 5)}. Any ints are accepted here; each layer checks the values it needs and names itself.
 */
public record Size2d(int height, int width) {

    /** The same value for height and width, as PyTorch reads a plain int. */
    public static Size2d of(int size) {
        return new Size2d(size, size);
    }

    public static Size2d of(int height, int width) {
        return new Size2d(height, width);
    }

    public boolean isSquare() {
        return height == width;
    }

    /** PyTorch's tuple form, {@code (3, 5)}. */
    @Override
    public String toString() {
        return "(" + height + ", " + width + ")";
    }
}
