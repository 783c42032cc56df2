/**
 * CUDA backend for Nabla: the probe, the runtime and the library paths; the kernels are not wired yet.
 *
 * <p>{@link dev.nabla.cuda.CudaBackendProvider}, registered for device type {@code "cuda"}, probes the NVIDIA driver,
 * the devices, cuBLAS 12 and (optionally) cuDNN 9 without crashing where they are missing and says what is missing
 * and how to fix it. {@link dev.nabla.cuda.CudaBackend} runs on one {@code CudaDevice}: a
 * {@link dev.nabla.cuda.runtime.DeviceExecutor} (one platform thread holding the device's primary context, one
 * FIFO queue, asynchronous errors owned by the submitting thread), one stream, the caching allocator
 * ({@code memory.CachingAllocator} over {@code memory.DriverMemory}), pinned staged host transfers, the PTX modules,
 * cuBLAS and cuDNN. Memory, transfers, copies, fills, matmul (cuBLAS) and convolution/pooling (cuDNN) are
 * implemented; the other primitives go to the {@code KernelOps} hook, which throws until the kernels are wired. Until
 * then the probe answers "unavailable" on every machine ({@code CudaProbe.COMPUTE_WIRED}) and
 * {@code Device.cuda()} tensors fail with that reason. See {@code docs/gpu.md} and this module's README.
 */
package dev.nabla.cuda;
