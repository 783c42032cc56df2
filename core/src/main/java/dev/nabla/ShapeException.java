package dev.nabla;

/** An op was given tensors whose shapes do not fit, e.g. {@code matmul: cannot multiply [2, 3] by [4, 5]}. */
public class ShapeException extends NablaException {
    public ShapeException(String message) {
        super(message);
    }
}
