/**
 * CUDA backend for Nabla: the probe, the runtime, cuBLAS and cuDNN, and this module's kernels for every other
 * primitive. Not yet run on a GPU: off unless {@code -Dnabla.cuda.experimental=true} (see {@code CudaProbe}).
 *
 * <p>{@link dev.nabla.cuda.CudaBackendProvider}, registered for device type {@code "cuda"}, probes the NVIDIA driver,
 * the devices, cuBLAS 12 and (optionally) cuDNN 9 without crashing where they are missing and says what is missing
 * and how to fix it. {@link dev.nabla.cuda.CudaBackend} runs on one {@code CudaDevice}: a
 * {@link dev.nabla.cuda.runtime.DeviceExecutor} (one platform thread holding the device's primary context, one
 * FIFO queue, asynchronous errors owned by the submitting thread), one stream, the caching allocator
 * ({@code memory.CachingAllocator} over {@code memory.DriverMemory}), pinned staged host transfers, the PTX modules,
 * cuBLAS and cuDNN. Memory, transfers, copies and fills, matmul (cuBLAS) and convolution (cuDNN) run on the
 * runtime; every other primitive, max pooling, batch norm, Adam and ReLU's gradient are launches of the kernels in
 * {@code src/main/cuda} ({@link dev.nabla.cuda.KernelLaunches} over the pure {@code kernels.KernelCalls}, which the
 * tests run through a CPU emulation of the kernels). See {@code docs/gpu.md} and this module's README.
 */
package dev.nabla.cuda;
