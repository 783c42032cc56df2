package dev.nabla.cuda.runtime;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

import static dev.nabla.cuda.runtime.CudaErrors.checkDriver;

/**
 * The device's primary context, made current on the device thread ({@code cuDevicePrimaryCtxRetain} +
 * {@code cuCtxSetCurrent}; CUDA-NOTES.md: not {@code cuCtxCreate}, which would make a second context that cuBLAS and
 * cuDNN do not use), and released when the thread ends.
 */
public final class PrimaryContext implements DeviceExecutor.Context {
    private final int ordinal;
    private CUdevice device;
    private CUcontext context;

    public PrimaryContext(int ordinal) {
        this.ordinal = ordinal;
    }

    @Override
    public void enter() {
        // Statuses are checked here (CudaErrors), not by JCuda: the probe may have switched its exceptions on.
        JCudaDriver.setExceptionsEnabled(false);
        checkDriver(JCudaDriver.cuInit(0), "cuInit");
        CUdevice d = new CUdevice();
        checkDriver(JCudaDriver.cuDeviceGet(d, ordinal), "cuDeviceGet(" + ordinal + ")");
        CUcontext c = new CUcontext();
        checkDriver(JCudaDriver.cuDevicePrimaryCtxRetain(c, d), "cuDevicePrimaryCtxRetain");
        int r = JCudaDriver.cuCtxSetCurrent(c);
        if (r != 0) {
            JCudaDriver.cuDevicePrimaryCtxRelease(d);
            checkDriver(r, "cuCtxSetCurrent");
        }
        device = d;
        context = c;
    }

    @Override
    public void exit() {
        if (device != null) {
            JCudaDriver.cuCtxSetCurrent(new CUcontext()); // NULL: no context current on this thread
            checkDriver(JCudaDriver.cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
            device = null;
            context = null;
        }
    }

    /** The device handle (device thread, after {@link #enter}). */
    public CUdevice device() {
        return device;
    }

    /** A device attribute, e.g. {@code CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT}. Device thread. */
    public int attribute(int attribute) {
        int[] value = new int[1];
        checkDriver(JCudaDriver.cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + attribute
                + ")");
        return value[0];
    }

    public CUcontext context() {
        return context;
    }
}
