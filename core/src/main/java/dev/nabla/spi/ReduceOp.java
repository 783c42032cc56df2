package dev.nabla.spi;

import dev.nabla.engine.Reductions;

/**
 * Reductions over a set of axes. ARGMAX/ARGMIN reduce exactly one axis and write INT64 indices
 * (first occurrence wins on ties); the others write the input dtype (SUM of BOOL is never asked:
 * core casts first). MAX/MIN propagate NaN.
 */
public enum ReduceOp {
    SUM, PROD, MAX, MIN, ARGMAX, ARGMIN
}
