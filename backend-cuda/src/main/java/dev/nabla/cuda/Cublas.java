package dev.nabla.cuda;

import dev.nabla.DType;
import dev.nabla.cuda.runtime.CudaStream;
import jcuda.Pointer;
import jcuda.cudaDataType;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;

import static dev.nabla.cuda.runtime.CudaErrors.checkCublas;

/**
 * The device's cuBLAS handle, bound to its stream ({@code cublasCreate}, {@code cublasSetStream}), and batched
 * row-major GEMM through {@link MatmulPlan}: {@code cublasSgemmStridedBatched} / {@code cublasDgemmStridedBatched}
 * (pointer mode host: α and β are read during the call), or for FLOAT32 with {@link CudaSettings#TF32}
 * {@code cublasGemmStridedBatchedEx_new} with {@code CUBLAS_COMPUTE_32F_FAST_TF32} (the {@code _new} entry takes the
 * compute type as given; the plain one maps it through a legacy table and refuses TF32, CUDA-NOTES.md). Device
 * thread only.
 */
final class Cublas implements AutoCloseable {
    private final cublasHandle handle = new cublasHandle();
    private final boolean tf32;
    private boolean closed;

    Cublas(CudaStream stream, boolean tf32) {
        this.tf32 = tf32;
        checkCublas(JCublas2.cublasCreate(handle), "cublasCreate");
        int r = JCublas2.cublasSetStream(handle, stream.runtimeHandle());
        if (r != 0) {
            JCublas2.cublasDestroy(handle);
            checkCublas(r, "cublasSetStream");
        }
    }

    /**
     * {@code out = a · b} per batch, as planned; {@code a}, {@code b}, {@code out} point at each operand's first
     * element (its layout offset applied). FLOAT32 or FLOAT64; the plan must not be {@link MatmulPlan#empty()} or
     * {@link MatmulPlan#zeroK()}.
     */
    void gemm(DType dtype, MatmulPlan plan, CUdeviceptr a, CUdeviceptr b, CUdeviceptr out) {
        CublasGemm.Call c = plan.gemm();
        Pointer first = c.first() == CublasGemm.Operand.A ? a : b;
        Pointer second = c.second() == CublasGemm.Operand.A ? a : b;
        long strideFirst = c.first() == CublasGemm.Operand.A ? plan.strideA() : plan.strideB();
        long strideSecond = c.second() == CublasGemm.Operand.A ? plan.strideA() : plan.strideB();
        switch (dtype) {
            case FLOAT32 -> {
                Pointer one = Pointer.to(new float[]{1f});
                Pointer zero = Pointer.to(new float[]{0f});
                if (tf32) {
                    checkCublas(JCublas2.cublasGemmStridedBatchedEx_new(handle, c.transa(), c.transb(), c.m(), c.n(),
                            c.k(), one, first, cudaDataType.CUDA_R_32F, c.ldFirst(), strideFirst, second,
                            cudaDataType.CUDA_R_32F, c.ldSecond(), strideSecond, zero, out, cudaDataType.CUDA_R_32F,
                            c.ldc(), plan.strideC(), plan.batch(), cublasComputeType.CUBLAS_COMPUTE_32F_FAST_TF32,
                            cublasGemmAlgo.CUBLAS_GEMM_DEFAULT), "cublasGemmStridedBatchedEx(TF32)");
                } else {
                    checkCublas(JCublas2.cublasSgemmStridedBatched(handle, c.transa(), c.transb(), c.m(), c.n(), c.k(),
                            one, first, c.ldFirst(), strideFirst, second, c.ldSecond(), strideSecond, zero, out,
                            c.ldc(), plan.strideC(), plan.batch()), "cublasSgemmStridedBatched");
                }
            }
            case FLOAT64 -> {
                Pointer one = Pointer.to(new double[]{1d});
                Pointer zero = Pointer.to(new double[]{0d});
                checkCublas(JCublas2.cublasDgemmStridedBatched(handle, c.transa(), c.transb(), c.m(), c.n(), c.k(),
                        one, first, c.ldFirst(), strideFirst, second, c.ldSecond(), strideSecond, zero, out, c.ldc(),
                        plan.strideC(), plan.batch()), "cublasDgemmStridedBatched");
            }
            default -> throw new IllegalArgumentException("cuBLAS matmul is FLOAT32/FLOAT64 only, found " + dtype);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            checkCublas(JCublas2.cublasDestroy(handle), "cublasDestroy");
        }
    }
}
