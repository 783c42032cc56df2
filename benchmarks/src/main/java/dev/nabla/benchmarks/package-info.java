/**
 * Nabla benchmarks — not implemented yet.
 *
 * <p>Planned: JMH benchmarks for kernels, training steps and
 * inference. Benchmarks are never part of the test run. This package is a placeholder so the
 * module is part of the build; JMH is added together with the first benchmark.
 */
package dev.nabla.benchmarks;
