package dev.nabla.cuda;

import dev.nabla.BackendInfo;
import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.DeviceException;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.cuda.CudaProbe.DeviceFinding;
import dev.nabla.cuda.CudaProbe.Findings;
import dev.nabla.spi.Probe;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaProbeTest {
    private static final List<DeviceFinding> H100 = List.of(new DeviceFinding("NVIDIA H100 80GB HBM3", 9, 0));

    @Test
    void probeOnThisMachineIsCachedUnavailableAndExplains() {
        Probe probe = new CudaBackendProvider().probe();
        System.out.println("cuda probe here: " + probe.reason());
        assertFalse(probe.available(), "no GPU here: the probe must never claim one");
        assertTrue(probe.reason().contains(CudaProbe.COMPUTE_OFF) || CudaProbe.COMPUTE_ENABLED, probe.reason());
        assertTrue(probe.reason().contains("docs/gpu.md") || probe.reason().startsWith("CUDA driver"), probe.reason());
        assertSame(probe, new CudaBackendProvider().probe(), "probed once per JVM");
    }

    @Test
    void nablaListsCudaWithTheProbeReason() {
        BackendInfo cuda = Nabla.backends().stream().filter(b -> b.name().equals("cuda")).findFirst().orElseThrow();
        assertFalse(cuda.available());
        assertEquals(CudaProbe.get().reason(), cuda.detail());
        assertEquals(10, cuda.priority());
    }

    @Test
    void cudaTensorsFailWithTheReason() {
        DeviceException e = assertThrows(DeviceException.class, () -> Tensor.full(Device.cuda(0), DType.FLOAT32, 0, 2));
        assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains(CudaProbe.get().reason()), e.getMessage());
        assertThrows(DeviceException.class, () -> new CudaBackendProvider().create(Device.cuda(0)));
    }

    @Test
    void noDriver() {
        Probe p = CudaProbe.verdict(new Findings("libcuda.so.1: cannot open shared object file: No such file or directory",
                null, 0, List.of(), null, null, 91400));
        assertFalse(p.available());
        assertTrue(p.reason().startsWith("CUDA unavailable: no NVIDIA driver: libcuda.so.1: cannot open"), p.reason());
        assertTrue(p.reason().contains("R525"), p.reason());
        assertTrue(p.reason().contains("cuDNN 9.14.0 found"), p.reason());
    }

    @Test
    void noDeviceAndOldDriverAndOldDevice() {
        Probe none = CudaProbe.verdict(new Findings(null, "CUDA_ERROR_NO_DEVICE", 13000, List.of(), null, null, 91400));
        assertTrue(none.reason().contains("did not initialize (CUDA_ERROR_NO_DEVICE)") && none.reason().contains("CUDA_VISIBLE_DEVICES"),
                none.reason());
        Probe empty = CudaProbe.verdict(new Findings(null, null, 12020, List.of(), null, null, 91400));
        assertTrue(empty.reason().contains("driver 12.2 found no CUDA device"), empty.reason());
        Probe old = CudaProbe.verdict(new Findings(null, null, 11040, H100, null, null, 91400));
        assertTrue(old.reason().contains("supports CUDA 11.4, this build needs CUDA 12.0"), old.reason());
        Probe pascal = CudaProbe.verdict(new Findings(null, null, 12020,
                List.of(new DeviceFinding("Tesla P100", 6, 0)), null, null, 91400));
        assertTrue(pascal.reason().contains("Tesla P100, sm_60") && pascal.reason().contains("sm_75"), pascal.reason());
    }

    @Test
    void missingCublasNamesTheShim() {
        Probe p = CudaProbe.verdict(new Findings(null, null, 13000, H100,
                "libcublas.so.12: cannot open shared object file: No such file or directory", null, 91400));
        assertFalse(p.available());
        assertTrue(p.reason().contains("cuBLAS 12 not found: libcublas.so.12") && p.reason().contains("shim"), p.reason());
        assertFalse(p.reason().contains("no NVIDIA driver"), p.reason());
    }

    @Test
    void aWorkingGpuIsUnavailableUntilTheComputeIsTurnedOnAndSaysHow() {
        Probe p = CudaProbe.verdict(new Findings(null, null, 13000, H100, null,
                "libcudnn.so.9: cannot open shared object file: No such file or directory", 0), false);
        assertFalse(p.available());
        assertEquals("CUDA driver 13.0 and 1 device(s) found (NVIDIA H100 80GB HBM3, sm_90), cuBLAS 12 loads, cuDNN 9 not"
                + " found (optional): libcudnn.so.9: cannot open shared object file: No such file or directory, but "
                + CudaProbe.COMPUTE_OFF, p.reason());
    }

    @Test
    void onceTheComputeIsWiredAWorkingGpuIsAvailableAndProblemsStillExplain() {
        Probe p = CudaProbe.verdict(new Findings(null, null, 13000, H100, null, null, 91400), true);
        assertTrue(p.available(), p.reason());
        assertEquals("CUDA driver 13.0, 1 device(s) (NVIDIA H100 80GB HBM3, sm_90), cuBLAS 12, cuDNN 9.14.0 found",
                p.reason());
        Probe broken = CudaProbe.verdict(new Findings(null, null, 13000, H100,
                "libcublas.so.12: cannot open shared object file: No such file or directory", null, 91400), true);
        assertFalse(broken.available());
        assertFalse(broken.reason().contains(CudaProbe.COMPUTE_OFF), broken.reason());
        assertEquals(Boolean.getBoolean(CudaProbe.EXPERIMENTAL_PROPERTY), CudaProbe.COMPUTE_ENABLED,
                "on only when asked for, until a GPU run has verified it");
    }

    @Test
    void nativeFailureNamesTheMissingSystemLibrary() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open"
                + " shared object file: No such file or directory\n\tat x.y(Z.java:1)");
        assertEquals("libcuda.so.1: cannot open shared object file: No such file or directory", CudaProbe.nativeFailure(e));
        assertEquals("UnsatisfiedLinkError: something else", CudaProbe.nativeFailure(new UnsatisfiedLinkError("something else\nmore")));
        assertEquals("12.2", CudaProbe.cudaVersion(12020));
        assertEquals("9.14.0", CudaProbe.cudnnVersion(91400));
        assertEquals("8.9.7", CudaProbe.cudnnVersion(8907));
    }
}
