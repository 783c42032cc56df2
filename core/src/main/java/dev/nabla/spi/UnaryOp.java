package dev.nabla.spi;

import dev.nabla.engine.Elementwise;

/**
 * Elementwise functions of one operand. Float ops read and write floating-point buffers (core
 * casts integer inputs first); NEG, ABS, SIGN and RELU also run on INT32/INT64; LOGICAL_NOT on BOOL.
 * LEAKY_RELU uses the {@code alpha} argument as the negative slope; the others ignore it.
 */
public enum UnaryOp {
    NEG, ABS, SIGN,
    EXP, EXPM1, LOG, LOG1P, SQRT, RSQRT, RECIPROCAL,
    SIN, COS, TANH, SIGMOID, ERF,
    RELU, LEAKY_RELU,
    FLOOR, CEIL, ROUND,
    LOGICAL_NOT;

    /** True for ops that are defined on integer buffers as well as floating ones. */
    public boolean supportsIntegers() {
        return this == NEG || this == ABS || this == SIGN || this == RELU;
    }
}
