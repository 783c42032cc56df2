package dev.nabla.spi;

import dev.nabla.engine.Elementwise;

/**
 * Elementwise functions of two operands of the same dtype and shape. Comparison ops write BOOL;
 * logical ops read and write BOOL; the arithmetic ops write the input dtype. DIV and POW are only
 * called on floating-point buffers (core promotes integers first).
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE,
    LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR;

    public boolean isComparison() {
        return ordinal() >= EQ.ordinal() && ordinal() <= GE.ordinal();
    }

    public boolean isLogical() {
        return ordinal() >= LOGICAL_AND.ordinal();
    }
}
