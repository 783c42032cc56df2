package dev.nabla.cuda.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class CudaErrorsTest {
    @Test
    void messagesNameTheCallTheCodeAndItsDescription() {
        assertEquals("cuMemcpyHtoDAsync failed: CUDA_ERROR_ILLEGAL_ADDRESS (700): an illegal memory access was "
                + "encountered", CudaErrors.message("cuMemcpyHtoDAsync", 700, "CUDA_ERROR_ILLEGAL_ADDRESS",
                "an illegal memory access was encountered"));
        assertEquals("cudnnConvolutionForward failed: CUDNN_STATUS_BAD_PARAM (2000)",
                CudaErrors.message("cudnnConvolutionForward", 2000, "CUDNN_STATUS_BAD_PARAM", null));
        assertEquals("cudnnConvolutionForward failed: CUDNN_STATUS_BAD_PARAM (2000)",
                CudaErrors.message("cudnnConvolutionForward", 2000, "CUDNN_STATUS_BAD_PARAM",
                        "CUDNN_STATUS_BAD_PARAM"));
        assertEquals("cublasSgemm failed: status 13", CudaErrors.message("cublasSgemm", 13, null, ""));
    }

    @Test
    void exceptionsCarryTheirPartsAndSurviveFailingLookups() {
        CudaErrors.Names names = new CudaErrors.Names(c -> "CUBLAS_STATUS_EXECUTION_FAILED", c -> {
            throw new UnsatisfiedLinkError("no libcublas");
        });
        CudaCallException e = CudaErrors.exception(CudaCallException.Library.CUBLAS, "cublasSgemmStridedBatched", 13,
                names);
        assertEquals("cublasSgemmStridedBatched failed: CUBLAS_STATUS_EXECUTION_FAILED (13)", e.getMessage());
        assertSame(CudaCallException.Library.CUBLAS, e.library());
        assertEquals(13, e.code());
        assertEquals("cublasSgemmStridedBatched", e.call());
        assertEquals(true, e instanceof dev.nabla.NablaException);
    }

    @Test
    void successIsNotChecked() {
        CudaErrors.checkDriver(0, "cuInit");
        CudaErrors.checkCublas(0, "cublasCreate");
        CudaErrors.checkCudnn(0, "cudnnCreate");
    }
}
