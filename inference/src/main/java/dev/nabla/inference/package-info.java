/**
 * Inference compiler for Nabla — not implemented yet.
 *
 * <p>Planned: a tracer that captures a trained model as a graph IR,
 * graph passes (dead-code elimination, dropout/identity removal, batch-norm folding, fusion,
 * pruning, int8 quantization), a compact single-file model format and a thread-safe
 * {@code Predictor} runtime. This package is a placeholder so the module is part of the build.
 */
package dev.nabla.inference;
