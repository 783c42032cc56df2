package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.spi.FastPath;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the CPU backend tells core before core allocates for a fast path. */
class FastPathSupportTest {
    @Test
    void everyFastPathInFloat32AndAdamInFloat64Too() {
        CpuBackend backend = new CpuBackend();
        for (FastPath path : FastPath.values()) {
            for (DType dtype : DType.values()) {
                boolean expected = dtype == DType.FLOAT32 || (path == FastPath.ADAM_STEP && dtype == DType.FLOAT64);
                assertEquals(expected, backend.supports(path, dtype), path + " " + dtype);
            }
        }
    }
}
