/**
 * CUDA backend for Nabla — not implemented yet.
 *
 * <p>The CUDA backend (JCuda 12.6.0 + JCublas + cuDNN through jcudnn, a caching device
 * allocator, cuBLAS GEMM, cuDNN convolution/pooling/normalization and own kernels shipped as
 * PTX) lands in a later issue. This package is a placeholder so the
 * module is part of the build; it has no JCuda dependency yet.
 */
package dev.nabla.cuda;
