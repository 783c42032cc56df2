package dev.nabla.nn;

import dev.nabla.spi.Conv2dGeometry;

/** Checks the user's 2-D window options and turns them into the backend's geometry, naming the op on failure. */
final class WindowOptions {
    private WindowOptions() {
    }

    static Conv2dGeometry geometry(String op, Size2d kernel, Size2d stride, Size2d padding, Size2d dilation) {
        positive(op, "kernel_size", kernel);
        positive(op, "stride", stride);
        positive(op, "dilation", dilation);
        if (padding == null || padding.height() < 0 || padding.width() < 0) {
            throw new IllegalArgumentException(op + ": padding must be non-negative, found " + padding);
        }
        return new Conv2dGeometry(kernel.height(), kernel.width(), stride.height(), stride.width(),
                padding.height(), padding.width(), dilation.height(), dilation.width());
    }

    /** {@link #geometry} for a pooling, which (as in PyTorch) also needs padding at most half the kernel size. */
    static Conv2dGeometry pool(String op, Size2d kernel, Size2d stride, Size2d padding, Size2d dilation) {
        Conv2dGeometry g = geometry(op, kernel, stride, padding, dilation);
        if (padding.height() > kernel.height() / 2 || padding.width() > kernel.width() / 2) {
            throw new IllegalArgumentException(op + ": padding " + padding + " must be at most half the kernel size "
                    + kernel);
        }
        return g;
    }

    private static void positive(String op, String name, Size2d value) {
        if (value == null || value.height() <= 0 || value.width() <= 0) {
            throw new IllegalArgumentException(op + ": " + name + " must be positive, found " + value);
        }
    }

    /** PyTorch prints a pooling option as the user gave it; an int reads as the square pair. */
    static String pooling(Size2d value) {
        return value.isSquare() ? Integer.toString(value.height()) : value.toString();
    }
}
