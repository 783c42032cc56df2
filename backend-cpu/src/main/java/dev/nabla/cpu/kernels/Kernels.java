package dev.nabla.cpu.kernels;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the FLOAT32 kernel set once per JVM, following Lucene's pattern for the incubating Vector API:
 * the SIMD class is loaded by name only when {@code jdk.incubator.vector} is in the boot layer, so the
 * scalar path never links against the incubator module. Without the module one WARN says how to enable
 * it. The system property {@code nabla.cpu.simd=false} forces the scalar kernels.
 */
public final class Kernels {
    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
    private static final String SIMD_CLASS = "dev.nabla.cpu.kernels.SimdFloatKernels";
    private static final FloatKernels FLOAT = select();

    private Kernels() {
    }

    /** The FLOAT32 kernels this JVM uses. */
    public static FloatKernels floats() {
        return FLOAT;
    }

    /** The scalar kernels, always available. */
    public static FloatKernels scalar() {
        return new ScalarFloatKernels();
    }

    /** The SIMD kernels, or null if the Vector API is not available in this JVM. */
    public static FloatKernels simdOrNull() {
        if (!vectorModulePresent()) {
            return null;
        }
        try {
            return load();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static FloatKernels load() throws ReflectiveOperationException {
        Class<?> c = Class.forName(SIMD_CLASS);
        return (FloatKernels) c.getConstructor().newInstance();
    }

    private static FloatKernels select() {
        if (!Boolean.parseBoolean(System.getProperty("nabla.cpu.simd", "true"))) {
            LOG.info("nabla.cpu.simd=false: using scalar FLOAT32 kernels");
            return new ScalarFloatKernels();
        }
        if (!vectorModulePresent()) {
            LOG.warn("Java Vector API not enabled: Nabla's CPU backend uses scalar kernels. "
                    + "Add --add-modules jdk.incubator.vector to the java command line for SIMD kernels.");
            return new ScalarFloatKernels();
        }
        try {
            FloatKernels k = load();
            LOG.debug("CPU FLOAT32 kernels: {}", k.description());
            if (Boolean.parseBoolean(System.getProperty("nabla.cpu.warmup", "true"))) {
                Warmup.start(k);
            }
            return k;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.warn("Vector API present but SIMD kernels could not be loaded ({}); using scalar kernels", e.toString());
            return new ScalarFloatKernels();
        }
    }
}
