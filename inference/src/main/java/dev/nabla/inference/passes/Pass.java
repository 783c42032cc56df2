package dev.nabla.inference.passes;

import dev.nabla.inference.graph.Graph;

/**
 * One graph transformation, {@code Graph -> Graph}. An exact pass computes the same function (up to float
 * rounding: folding a batch norm into a convolution reorders multiplications); a data-driven pass may change
 * outputs and is measured against an accuracy budget. Every pass says what it changed.
 */
public interface Pass {
    /** Short name for reports, e.g. {@code "batch-norm folding"}. */
    String name();

    /** True if the result computes the same function as the input. */
    boolean isExact();

    PassResult run(Graph graph);
}
