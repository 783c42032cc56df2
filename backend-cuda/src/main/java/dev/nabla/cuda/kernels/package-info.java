/**
 * Host-side helpers for launching the kernels of {@code src/main/cuda}: packing {@code NablaLayout} arguments,
 * merging dimensions, and planning reductions. Pure logic, tested without a GPU.
 */
package dev.nabla.cuda.kernels;
