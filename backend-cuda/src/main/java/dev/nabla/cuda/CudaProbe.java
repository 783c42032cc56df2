package dev.nabla.cuda;

import dev.nabla.spi.Probe;
import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds out once per JVM whether CUDA can run here, without ever throwing or crashing the JVM (CUDA-NOTES.md,
 * "Detecting no CUDA without crashing"): the first touch of a JCuda library class whose native library cannot load
 * throws {@link UnsatisfiedLinkError} naming the missing system library, and a driver call with exceptions enabled
 * throws {@link CudaException}; both are caught and turned into a reason that names what is missing and how to fix
 * it. Gathering ({@link #gather()}) is separate from judging ({@link #verdict(Findings)}), so every message is
 * tested without a GPU.
 *
 * <p>Nothing here allocates device memory or creates a context: the driver is initialized and queried, and the
 * cuBLAS and cuDNN bindings are loaded (which links {@code libcublas.so.12} and {@code libcudnn.so.9}).
 */
final class CudaProbe {
    /** The CUDA version the JCuda 12.6.0 natives were built with: the driver must support it (R525+). */
    static final int MIN_DRIVER_CUDA = 12000;
    /** The committed PTX targets compute_75. */
    static final int MIN_CAPABILITY = 75;
    /** The system property that turns on the CUDA compute while it has not yet been verified on a GPU. */
    static final String EXPERIMENTAL_PROPERTY = "nabla.cuda.experimental";
    static final String COMPUTE_OFF = "this build's CUDA compute has not yet run on a real GPU (issue #11), so it is"
            + " off unless you pass -D" + EXPERIMENTAL_PROPERTY + "=true";
    /**
     * Whether the compute is on: every primitive has its kernel, but none has run on a GPU yet (this project's GPU
     * check, {@code backend-cuda/gpu-check.sh}, turns it on for its run). Once a GPU run passes the testkit, this
     * becomes true by default. With it on, the probe answers available where a driver, a device of sm_75+ and
     * cuBLAS are found, and {@link CudaBackendProvider#create} opens a {@link CudaBackend}.
     */
    static final boolean COMPUTE_ENABLED = Boolean.getBoolean(EXPERIMENTAL_PROPERTY);
    private static final String DOCS = "see docs/gpu.md";

    private CudaProbe() {
    }

    private static final class Holder {
        static final Findings FINDINGS;
        static final Probe PROBE;

        static {
            Findings f = null;
            Probe p;
            try {
                f = gather();
                p = verdict(f);
            } catch (RuntimeException | LinkageError e) { // never throw from a probe
                p = Probe.unavailable("CUDA probe failed unexpectedly: " + e + " (" + DOCS + ")");
            }
            FINDINGS = f;
            PROBE = p;
        }
    }

    /** The cached verdict; the first call probes. */
    static Probe get() {
        return Holder.PROBE;
    }

    /**
     * What the one probe of this JVM found (null if it failed unexpectedly). Gathering twice would not find the same:
     * a JCuda class whose native library failed to load answers {@code NoClassDefFoundError} the second time.
     */
    static Findings findings() {
        return Holder.FINDINGS;
    }

    /** One CUDA device: its name and compute capability. */
    record DeviceFinding(String name, int major, int minor) {
        int capability() {
            return major * 10 + minor;
        }

        @Override
        public String toString() {
            return name + ", sm_" + major + minor;
        }
    }

    /**
     * What the probe found. A {@code ...Error} is null when that step worked, else a one-line description.
     *
     * @param driverError   the driver binding could not load (no {@code libcuda.so.1})
     * @param initError     {@code cuInit} failed (e.g. {@code CUDA_ERROR_NO_DEVICE})
     * @param driverVersion {@code cuDriverGetVersion}, e.g. 12020 for 12.2; 0 if unknown
     * @param devices       the devices the driver lists
     * @param cublasError   the cuBLAS binding could not load (no {@code libcublas.so.12})
     * @param cudnnError    the cuDNN binding could not load (optional)
     * @param cudnnVersion  {@code cudnnGetVersion}, e.g. 91400; 0 if unknown
     */
    record Findings(String driverError, String initError, int driverVersion, List<DeviceFinding> devices,
                    String cublasError, String cudnnError, long cudnnVersion) {
        Findings {
            devices = List.copyOf(devices);
        }
    }

    static Findings gather() {
        String driverError = null;
        String initError = null;
        int driverVersion = 0;
        List<DeviceFinding> devices = new ArrayList<>();
        try {
            JCudaDriver.setExceptionsEnabled(true);
            int[] version = new int[1];
            JCudaDriver.cuDriverGetVersion(version);
            driverVersion = version[0];
            JCudaDriver.cuInit(0);
            int[] count = new int[1];
            JCudaDriver.cuDeviceGetCount(count);
            for (int i = 0; i < count[0]; i++) {
                CUdevice device = new CUdevice();
                JCudaDriver.cuDeviceGet(device, i);
                byte[] name = new byte[256];
                JCudaDriver.cuDeviceGetName(name, name.length, device);
                int[] major = new int[1];
                int[] minor = new int[1];
                JCudaDriver.cuDeviceComputeCapability(major, minor, device);
                devices.add(new DeviceFinding(cString(name), major[0], minor[0]));
            }
        } catch (LinkageError e) {
            driverError = nativeFailure(e);
        } catch (CudaException e) {
            initError = e.getMessage();
        }

        String cublasError = null;
        try {
            JCublas2.setExceptionsEnabled(true); // loads libJCublas2, which links libcublas.so.12
        } catch (LinkageError e) {
            cublasError = nativeFailure(e);
        }

        String cudnnError = null;
        long cudnnVersion = 0;
        try {
            JCudnn.setExceptionsEnabled(true); // loads libJCudnn, which links libcudnn.so.9
            cudnnVersion = JCudnn.cudnnGetVersion();
        } catch (LinkageError | CudaException e) {
            cudnnError = e instanceof LinkageError l ? nativeFailure(l) : e.getMessage();
        }
        return new Findings(driverError, initError, driverVersion, devices, cublasError, cudnnError, cudnnVersion);
    }

    /** The verdict and its reason for {@code f}, in this build ({@link #COMPUTE_ENABLED}). */
    static Probe verdict(Findings f) {
        return verdict(f, COMPUTE_ENABLED);
    }

    /** The verdict and its reason for {@code f}, with the compute on or off. */
    static Probe verdict(Findings f, boolean computeEnabled) {
        List<String> problems = new ArrayList<>();
        if (f.driverError() != null) {
            problems.add("no NVIDIA driver: " + f.driverError() + "; install an NVIDIA driver R525 or newer"
                    + " (CUDA 12.0+), or put the folder holding libcuda.so.1 on LD_LIBRARY_PATH");
        } else if (f.driverVersion() != 0 && f.driverVersion() < MIN_DRIVER_CUDA) {
            problems.add("the NVIDIA driver supports CUDA " + cudaVersion(f.driverVersion())
                    + ", this build needs CUDA 12.0 or newer; update the driver to R525 or newer");
        } else if (f.initError() != null) {
            String hint = f.initError().contains("NO_DEVICE")
                    ? "no CUDA device is visible; check nvidia-smi and CUDA_VISIBLE_DEVICES"
                    : f.initError().contains("INSUFFICIENT_DRIVER") || f.initError().contains("COMPAT")
                    ? "the driver is too old or does not match the kernel module; update it to R525 or newer"
                    : "check nvidia-smi";
            problems.add("the CUDA driver " + (f.driverVersion() == 0 ? "" : cudaVersion(f.driverVersion()) + " ")
                    + "did not initialize (" + f.initError() + "): " + hint);
        } else if (f.devices().isEmpty()) {
            problems.add("the CUDA driver " + cudaVersion(f.driverVersion())
                    + " found no CUDA device; check nvidia-smi and CUDA_VISIBLE_DEVICES");
        } else if (f.devices().stream().allMatch(d -> d.capability() < MIN_CAPABILITY)) {
            problems.add("no device has compute capability 7.5 or newer (found " + devicesText(f.devices())
                    + "); the kernels are built for sm_75 and newer");
        }
        if (f.cublasError() != null) {
            problems.add("cuBLAS 12 not found: " + f.cublasError() + "; install the CUDA 12.x cuBLAS, or on a"
                    + " machine with only CUDA 13 libraries the forwarding libcublas.so.12 shim, and put its"
                    + " folder on LD_LIBRARY_PATH");
        }
        String cudnn = f.cudnnError() == null
                ? "cuDNN " + cudnnVersion(f.cudnnVersion()) + " found"
                : "cuDNN 9 not found (optional): " + f.cudnnError();
        if (!problems.isEmpty()) {
            return Probe.unavailable("CUDA unavailable: " + String.join("; ", problems) + ". Also: " + cudnn
                    + (computeEnabled ? "" : "; and " + COMPUTE_OFF) + " (" + DOCS + ")");
        }
        if (computeEnabled) {
            return Probe.available("CUDA driver " + cudaVersion(f.driverVersion()) + ", " + f.devices().size()
                    + " device(s) (" + devicesText(f.devices()) + "), cuBLAS 12, " + cudnn);
        }
        return Probe.unavailable("CUDA driver " + cudaVersion(f.driverVersion()) + " and " + f.devices().size()
                + " device(s) found (" + devicesText(f.devices()) + "), cuBLAS 12 loads, " + cudnn + ", but "
                + COMPUTE_OFF);
    }

    private static String devicesText(List<DeviceFinding> devices) {
        return String.join("; ", devices.stream().map(DeviceFinding::toString).toList());
    }

    /** 12020 → "12.2". */
    static String cudaVersion(int version) {
        return (version / 1000) + "." + (version % 1000) / 10;
    }

    /** cuDNN 9 encodes major*10000 + minor*100 + patch (91400 → "9.14.0"); cuDNN 8 major*1000 + minor*100 + patch. */
    static String cudnnVersion(long version) {
        if (version >= 90000) {
            return (version / 10000) + "." + (version % 10000) / 100 + "." + version % 100;
        }
        return (version / 1000) + "." + (version % 1000) / 100 + "." + version % 100;
    }

    private static final Pattern MISSING_LIBRARY = Pattern.compile(
            "(lib[\\w.+-]+\\.so[\\w.]*): (cannot open shared object file[^\\n]*|[^\\n]*not found[^\\n]*|undefined symbol[^\\n]*)");

    /**
     * One line out of JCuda's many-line {@link UnsatisfiedLinkError} text: the system library that is missing (e.g.
     * {@code libcuda.so.1: cannot open shared object file: No such file or directory}), else its first line.
     */
    static String nativeFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            Matcher m = MISSING_LIBRARY.matcher(message);
            String found = null;
            while (m.find()) {
                // JCuda's own library (libJCudaDriver-...) only fails to load because of what it links: report that.
                if (!m.group(1).startsWith("libJ") || found == null) {
                    found = m.group(1) + ": " + m.group(2).strip();
                }
            }
            if (found != null) {
                return found;
            }
        }
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8).strip();
    }
}
