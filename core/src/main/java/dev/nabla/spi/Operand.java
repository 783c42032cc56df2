package dev.nabla.spi;

import dev.nabla.DType;

/** A buffer seen through a layout: what a backend primitive reads or writes. */
public record Operand(Buffer buffer, Layout layout) {
    public DType dtype() {
        return buffer.dtype();
    }

    public int[] shape() {
        return layout.shape();
    }

    public int numel() {
        return layout.numel();
    }
}
