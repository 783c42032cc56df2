/**
 * CUDA backend for Nabla: the groundwork, not the compute.
 *
 * <p>What is here: {@link dev.nabla.cuda.CudaBackendProvider}, registered for device type {@code "cuda"}, whose probe
 * finds the NVIDIA driver, the devices, cuBLAS 12 and (optionally) cuDNN 9 without crashing where they are missing
 * and says what is missing and how to fix it; the CUDA C kernel sources ({@code src/main/cuda}) and the PTX built
 * from them; the row-major to column-major cuBLAS operand mapping; the caching device allocator
 * ({@code memory.CachingAllocator}: size classes, free lists, statistics, out-of-memory retry after emptying the
 * cache), tested against a fake device memory and not yet wired to {@code cuMemAlloc}. Dependencies: JCuda and JCublas 12.6.0, the
 * jcudnn 11.7.0 Java API with the 12.6.0 natives (cuDNN 9).
 *
 * <p>What is not here yet (issue #11, part 2): the allocator's binding to the driver, kernels for every SPI primitive, cuBLAS and
 * cuDNN calls. Until then the probe answers "unavailable" on every machine, also where a GPU works, and says so;
 * {@code Device.cuda()} tensors fail with that reason. See {@code docs/gpu.md}.
 */
package dev.nabla.cuda;
