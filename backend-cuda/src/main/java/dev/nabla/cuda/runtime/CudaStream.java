package dev.nabla.cuda.runtime;

import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.runtime.cudaStream_t;

import static dev.nabla.cuda.runtime.CudaErrors.checkDriver;

/**
 * The device's one stream ({@code CU_STREAM_NON_BLOCKING}: it does not synchronize with the legacy default stream,
 * which nothing here uses). Every copy, kernel, cuBLAS and cuDNN call of the device goes on it, from the device
 * thread, so the stream's order is the executor's order. Create, use and destroy on the device thread.
 */
public final class CudaStream implements AutoCloseable {
    private final CUstream stream = new CUstream();
    private boolean closed;

    public CudaStream() {
        checkDriver(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    }

    public CUstream handle() {
        return stream;
    }

    /** The same stream for the runtime API (cuBLAS's and cuDNN's {@code setStream}). */
    public cudaStream_t runtimeHandle() {
        return new cudaStream_t(stream);
    }

    /** Waits until all work on the stream is done; reports an asynchronous error of that work. */
    public void synchronize() {
        checkDriver(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            checkDriver(JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy");
        }
    }
}
