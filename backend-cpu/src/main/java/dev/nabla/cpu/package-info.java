/**
 * The pure-Java CPU backend ({@link dev.nabla.cpu.CpuBackendProvider}, device type {@code "cpu"}).
 *
 * <p>FLOAT32 kernels use the incubating Java Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}; otherwise scalar kernels run and one WARN says so.
 * System properties, read once:
 * <ul>
 *   <li>{@code nabla.cpu.simd=false}: use the scalar kernels even when the Vector API is present;</li>
 *   <li>{@code nabla.cpu.threads=N}: threads for CPU kernels (default: available processors); also
 *       {@link dev.nabla.cpu.CpuBackend#setThreads(int)} at run time;</li>
 *   <li>{@code nabla.cpu.pool.bytes=N}: bytes of released arrays kept for reuse (default 256 MiB, 0 turns
 *       the pool off);</li>
 *   <li>{@code nabla.cpu.warmup=false}: do not warm the SIMD kernels up on a background thread when they
 *       are chosen (the warm-up gets them compiled by C2 before training needs them).</li>
 * </ul>
 * Results never depend on the thread count: work is split over output elements or fixed chunks, and
 * partial results are combined in a fixed order. Besides the SPI primitives the backend implements the
 * optional fast paths for FLOAT32 convolution (forward, backward data, backward filter: implicit GEMM on
 * the packed micro-kernel, or direct kernels for stride-1 layers with few taps per filter; see
 * {@code Conv}), fully connected and int8-quantized linear layers, max pooling, ReLU's gradient, batch
 * normalization (statistics, output and gradients; see {@code Norm}) and the fused Adam/AdamW step (FLOAT32
 * and FLOAT64), and says so through {@code supports}. BFLOAT16 and FLOAT16 buffers hold raw bits in a
 * {@code short[]}; core computes on them in FLOAT32.
 */
package dev.nabla.cpu;
