package dev.nabla.cuda;

/**
 * The CUDA backend's settings, read once from system properties:
 * <ul>
 *   <li>{@code nabla.cuda.tf32} (default false): FLOAT32 matmul and convolution may use TF32 tensor cores (about
 *       10 significant bits in the products, several times faster on Ampere and newer). Off, cuBLAS computes in
 *       full FP32 ({@code CUBLAS_COMPUTE_32F}) and cuDNN is held to FMA math ({@code CUDNN_FMA_MATH}), so results
 *       match the CPU backend to float rounding.</li>
 *   <li>{@code nabla.cuda.stagingBytes} (default 4 MiB) and {@code nabla.cuda.stagingSlots} (default 4): the pinned
 *       host staging ring of each device (host transfers cross in chunks of this size).</li>
 *   <li>{@code nabla.cuda.cudnnWorkspaceBytes} (default 512 MiB): the largest cuDNN workspace an algorithm may
 *       need to be chosen.</li>
 * </ul>
 */
final class CudaSettings {
    static final boolean TF32 = Boolean.getBoolean("nabla.cuda.tf32");
    static final int STAGING_BYTES = Math.max(1 << 16, Integer.getInteger("nabla.cuda.stagingBytes", 4 << 20));
    static final int STAGING_SLOTS = Math.max(1, Integer.getInteger("nabla.cuda.stagingSlots", 4));
    static final long CUDNN_WORKSPACE_LIMIT = Long.getLong("nabla.cuda.cudnnWorkspaceBytes", 512L << 20);

    private CudaSettings() {
    }
}
