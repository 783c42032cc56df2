package dev.nabla.cuda.runtime;

import dev.nabla.NablaException;

/**
 * A CUDA library call failed: the driver ({@code CUresult}), cuBLAS ({@code cublasStatus_t}) or cuDNN
 * ({@code cudnnStatus_t}). The message names the call, the library's name for the code and its description, e.g.
 * {@code cuMemcpyHtoDAsync failed: CUDA_ERROR_ILLEGAL_ADDRESS (700): an illegal memory access was encountered}.
 *
 * <p>Errors of queued work surface at a later synchronizing call of the thread that queued it (see
 * {@link DeviceExecutor}); the call named is the one that failed, which may be an earlier one than the caller's.
 */
public class CudaCallException extends NablaException {
    /** Which library reported the code. */
    public enum Library { DRIVER, CUBLAS, CUDNN }

    private final Library library;
    private final String call;
    private final int code;

    public CudaCallException(Library library, String call, int code, String message) {
        super(message);
        this.library = library;
        this.call = call;
        this.code = code;
    }

    public Library library() {
        return library;
    }

    /** The failed call, e.g. {@code cuMemAlloc}. */
    public String call() {
        return call;
    }

    /** The library's status code ({@code CUresult}, {@code cublasStatus_t}, {@code cudnnStatus_t}). */
    public int code() {
        return code;
    }
}
