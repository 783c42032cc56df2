package dev.nabla.cuda.runtime;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;

import static dev.nabla.cuda.runtime.CudaErrors.checkDriver;

/**
 * Elapsed GPU time between two points of a stream, for benchmarks: {@link #start()} and {@link #stop()} record
 * events on the stream; {@link #elapsedMillis()} waits for the stop event and answers the time between them
 * ({@code cuEventElapsedTime}, resolution about 0.5 µs). Device thread only (run it through the executor); reusable.
 */
public final class GpuTimer implements DeviceDriver.Timer {
    private final CudaStream stream;
    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();
    private boolean closed;

    public GpuTimer(CudaStream stream) {
        this.stream = stream;
        checkDriver(JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
        int r = JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
        if (r != 0) {
            JCudaDriver.cuEventDestroy(start);
            checkDriver(r, "cuEventCreate");
        }
    }

    public void start() {
        checkDriver(JCudaDriver.cuEventRecord(start, stream.handle()), "cuEventRecord");
    }

    public void stop() {
        checkDriver(JCudaDriver.cuEventRecord(stop, stream.handle()), "cuEventRecord");
    }

    /** Milliseconds between {@link #start()} and {@link #stop()}; waits for the stop event. */
    public float elapsedMillis() {
        checkDriver(JCudaDriver.cuEventSynchronize(stop), "cuEventSynchronize");
        float[] ms = new float[1];
        checkDriver(JCudaDriver.cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
        return ms[0];
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            JCudaDriver.cuEventDestroy(start);
            JCudaDriver.cuEventDestroy(stop);
        }
    }
}
