package dev.nabla.spi;

/**
 * An activation applied to a result as it is written (a fused epilogue), so that no separate pass over the
 * output is needed. {@code NONE} leaves the result as computed.
 */
public enum FusedActivation {
    NONE,
    /** {@code max(x, 0)}, NaN kept (as the RELU unary op). */
    RELU
}
