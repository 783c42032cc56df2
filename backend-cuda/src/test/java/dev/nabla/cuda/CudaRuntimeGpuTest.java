package dev.nabla.cuda;

import dev.nabla.Device;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link CudaRuntimeTestBase} on a real GPU, opened directly (whatever the experimental switch says). Skipped where
 * the probe finds no working driver, device and cuBLAS (every machine without a GPU).
 */
class CudaRuntimeGpuTest extends CudaRuntimeTestBase {
    @Override
    CudaBackend openBackend() {
        CudaProbe.Findings f = CudaProbe.findings();
        assumeTrue(f != null && f.driverError() == null && f.initError() == null && !f.devices().isEmpty()
                && f.cublasError() == null, "no GPU here: " + CudaProbe.get().reason());
        return CudaBackend.open(Device.cuda(0), 0);
    }
}
