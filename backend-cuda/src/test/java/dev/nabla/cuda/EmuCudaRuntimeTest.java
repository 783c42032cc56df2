package dev.nabla.cuda;

import dev.nabla.Device;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link CudaRuntimeTestBase} on the kernels' CPU emulation (no cuBLAS, no cuDNN): a backend of its own. */
class EmuCudaRuntimeTest extends CudaRuntimeTestBase {
    @Override
    CudaBackend openBackend() {
        CudaEmuBackendProvider provider = new CudaEmuBackendProvider();
        assumeTrue(provider.probe().available(), () -> provider.probe().reason());
        return (CudaBackend) provider.create(Device.parse("cudaemu:1"));
    }
}
