package dev.nabla.cuda.runtime;

import java.util.function.IntFunction;

/**
 * Status checks for the three CUDA libraries, and the text of their errors. The lookups of a code's name and
 * description are injected ({@link Names}), so the text is built and tested without the native libraries; the
 * defaults ({@link #driverNames()}, ...) call JCuda and are touched only on a real failure.
 *
 * <p>Every call site checks the returned status itself rather than relying on JCuda's {@code setExceptionsEnabled}:
 * the backend turns JCuda's exceptions off for the driver, cuBLAS and cuDNN when it starts, because under cuDNN 9
 * JCudnn's own text reads "INVALID cudnnStatus: 2000" (cuDNN 9 renumbered its codes, CUDA-NOTES.md), and because an
 * out-of-memory result must come back as a value ({@link dev.nabla.cuda.memory.DeviceMemory#allocate} answers null).
 */
public final class CudaErrors {
    /** How a library names a status code: {@code name} (e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}) and description. */
    public record Names(IntFunction<String> name, IntFunction<String> description) {
    }

    private static volatile Names driver;
    private static volatile Names cublas;
    private static volatile Names cudnn;

    private CudaErrors() {
    }

    /** The message of a failed call: {@code call failed: NAME (code): description}, without empty parts. */
    public static String message(String call, int code, String name, String description) {
        StringBuilder s = new StringBuilder(call).append(" failed: ");
        boolean hasName = name != null && !name.isBlank();
        if (hasName) {
            s.append(name.strip()).append(" (").append(code).append(')');
        } else {
            s.append("status ").append(code);
        }
        if (description != null && !description.isBlank() && !description.strip().equals(hasName ? name.strip() : "")) {
            s.append(": ").append(description.strip());
        }
        return s.toString();
    }

    /** The exception for {@code code} returned by {@code call}, its text built with {@code names}. */
    public static CudaCallException exception(CudaCallException.Library library, String call, int code, Names names) {
        String name = safe(names.name(), code);
        String description = safe(names.description(), code);
        return new CudaCallException(library, call, code, message(call, code, name, description));
    }

    private static String safe(IntFunction<String> f, int code) {
        try {
            return f.apply(code);
        } catch (RuntimeException | LinkageError e) { // a failure must not hide the original error
            return null;
        }
    }

    /** Throws unless {@code result} is {@code CUDA_SUCCESS} (0). */
    public static void checkDriver(int result, String call) {
        if (result != 0) {
            throw exception(CudaCallException.Library.DRIVER, call, result, driverNames());
        }
    }

    /** Throws unless {@code status} is {@code CUBLAS_STATUS_SUCCESS} (0). */
    public static void checkCublas(int status, String call) {
        if (status != 0) {
            throw exception(CudaCallException.Library.CUBLAS, call, status, cublasNames());
        }
    }

    /** Throws unless {@code status} is {@code CUDNN_STATUS_SUCCESS} (0). */
    public static void checkCudnn(int status, String call) {
        if (status != 0) {
            throw exception(CudaCallException.Library.CUDNN, call, status, cudnnNames());
        }
    }

    /** {@code cuGetErrorName} / {@code cuGetErrorString}. */
    public static Names driverNames() {
        Names n = driver;
        if (n == null) {
            driver = n = new Names(code -> {
                String[] out = new String[1];
                return jcuda.driver.JCudaDriver.cuGetErrorName(code, out) == 0 ? out[0]
                        : jcuda.driver.CUresult.stringFor(code);
            }, code -> {
                String[] out = new String[1];
                return jcuda.driver.JCudaDriver.cuGetErrorString(code, out) == 0 ? out[0] : null;
            });
        }
        return n;
    }

    /** {@code cublasStatus.stringFor} (the names have not changed since CUDA 10) / {@code cublasGetStatusString}. */
    public static Names cublasNames() {
        Names n = cublas;
        if (n == null) {
            cublas = n = new Names(jcuda.jcublas.cublasStatus::stringFor, jcuda.jcublas.JCublas2::cublasGetStatusString);
        }
        return n;
    }

    /**
     * {@code cudnnGetErrorString} for both parts: cuDNN 9 renumbered its status codes, so JCudnn 11.7's
     * {@code cudnnStatus.stringFor} would misname them (CUDA-NOTES.md); cuDNN's own string is its name, e.g.
     * {@code CUDNN_STATUS_BAD_PARAM}.
     */
    public static Names cudnnNames() {
        Names n = cudnn;
        if (n == null) {
            cudnn = n = new Names(jcuda.jcudnn.JCudnn::cudnnGetErrorString, code -> null);
        }
        return n;
    }
}
