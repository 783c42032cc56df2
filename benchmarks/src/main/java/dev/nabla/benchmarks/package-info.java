/**
 * JMH benchmarks of Nabla's CPU backend and of whole training and inference steps; never part of the
 * test run. {@code benchmarks/run.sh} builds {@code benchmarks/target/benchmarks.jar}, runs them and
 * writes the results table ({@link dev.nabla.benchmarks.Report}); {@code docs/benchmarks.md} explains
 * the method.
 *
 * <ul>
 *   <li>{@link dev.nabla.benchmarks.GemmBenchmark}: FLOAT32 GEMM through the backend SPI, square and
 *       the example models' exact products;</li>
 *   <li>{@link dev.nabla.benchmarks.ConvBenchmark}: conv2d forward, data and filter gradients of the
 *       example CNN's layers;</li>
 *   <li>{@link dev.nabla.benchmarks.ElementwiseBenchmark}, {@link dev.nabla.benchmarks.ReductionBenchmark}:
 *       memory-bound kernels in GB/s;</li>
 *   <li>{@link dev.nabla.benchmarks.TrainingStepBenchmark}, {@link dev.nabla.benchmarks.ColdEpochBenchmark},
 *       {@link dev.nabla.benchmarks.InferenceBenchmark}: the example models end to end (steady-state step,
 *       first epoch of a fresh JVM, forward only).</li>
 * </ul>
 * The work each benchmark does (FLOPs, bytes) is defined once in {@link dev.nabla.benchmarks.Workloads}.
 */
package dev.nabla.benchmarks;
