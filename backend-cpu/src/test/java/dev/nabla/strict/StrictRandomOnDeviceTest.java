package dev.nabla.strict;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Functional;
import dev.nabla.nn.Init;
import dev.nabla.nn.Linear;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Random tensors are made by the device (no host array is copied to it), and one seed gives the same tensor, bit for
 * bit, on the CPU backend and on the strict backend (whose arithmetic is the CPU's: NORMAL is bit-identical here too).
 */
class StrictRandomOnDeviceTest {
    private static final Device STRICT = StrictBackend.DEVICE;

    @Test
    void sameSeedSameTensorOnCpuAndStrict() {
        for (Device device : new Device[]{Device.CPU, STRICT}) {
            assertEquals(device, Tensor.uniform(new Generator(1), device, DType.FLOAT32, 0, 1, 3).device());
        }
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            assertArrayEquals(Tensor.uniform(new Generator(9), Device.CPU, dtype, -2, 5, 1000, 7).toDoubleArray(),
                    Tensor.uniform(new Generator(9), STRICT, dtype, -2, 5, 1000, 7).toDoubleArray(), "uniform " + dtype);
            assertArrayEquals(Tensor.normal(new Generator(9), Device.CPU, dtype, 1, 2, 7001).toDoubleArray(),
                    Tensor.normal(new Generator(9), STRICT, dtype, 1, 2, 7001).toDoubleArray(), "normal " + dtype);
            assertArrayEquals(Tensor.bernoulli(new Generator(9), Device.CPU, dtype, 0.2, 7001).toDoubleArray(),
                    Tensor.bernoulli(new Generator(9), STRICT, dtype, 0.2, 7001).toDoubleArray(), "bernoulli " + dtype);
        }
        assertArrayEquals(Tensor.bernoulli(new Generator(9), Device.CPU, DType.BOOL, 0.2, 99).toBooleanArray(),
                Tensor.bernoulli(new Generator(9), STRICT, DType.BOOL, 0.2, 99).toBooleanArray());
        assertArrayEquals(Tensor.randint(new Generator(9), Device.CPU, -3, 1 << 20, 5001).toLongArray(),
                Tensor.randint(new Generator(9), STRICT, -3, 1 << 20, 5001).toLongArray());

        Device previous = Nabla.defaultDevice();
        try {
            Nabla.setDefaultDevice(Device.CPU);
            Nabla.manualSeed(5);
            float[] cpu = Tensor.randn(64, 3).toFloatArray();
            Nabla.setDefaultDevice(STRICT);
            Nabla.manualSeed(5);
            Tensor strict = Tensor.randn(64, 3);
            assertEquals(STRICT, strict.device());
            assertArrayEquals(cpu, strict.toFloatArray(), "the global generator's randn on the default device");
        } finally {
            Nabla.setDefaultDevice(previous);
        }
    }

    @Test
    void dropoutMasksAndInitializersAreMadeOnTheDevice() {
        Tensor x = Tensor.full(STRICT, DType.FLOAT32, 1, 4096);
        Linear layer = new Linear(32, 16);
        layer.to(STRICT);
        Dropout dropout = new Dropout(0.5);
        Tensor t = Tensor.zeros(DType.FLOAT64, 8, 8).to(STRICT);
        long writes = StrictBackend.HOST_WRITES.get();
        long reads = StrictBackend.HOST_READS.get();
        Tensor y = Functional.dropout(x, 0.3, true);
        Tensor z = dropout.forward(x);
        Init.kaimingUniform(layer.weight(), Math.sqrt(5), "leaky_relu");
        Init.normal(t, 0, 1);
        Tensor r = Tensor.uniform(new Generator(3), STRICT, DType.FLOAT32, 0, 1, 100);
        assertEquals(writes, StrictBackend.HOST_WRITES.get(), "a host array was copied to the device");
        assertEquals(reads, StrictBackend.HOST_READS.get(), "device memory was read by the host");

        double[] yv = y.toDoubleArray();
        int kept = 0;
        for (double v : yv) {
            assertEquals(v == 0 ? 0 : 1 / 0.7, v, 1e-6);
            kept += v == 0 ? 0 : 1;
        }
        assertEquals(0.7, kept / 4096.0, 0.05);
        assertFalse(java.util.Arrays.equals(yv, z.toDoubleArray()));
        assertEquals(STRICT, r.device());
    }
}
