package dev.nabla.strict;

import dev.nabla.DType;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A Java number in an elementwise op reaches the backend as an attribute, never as device memory of its own. */
class StrictScalarOperandTest {
    @Test
    void numbersMakeNoDeviceMemory() {
        Tensor x = Tensor.full(StrictBackend.DEVICE, DType.FLOAT32, 2, 3, 4);
        long allocations = StrictBackend.ALLOCATIONS.get();
        long writes = StrictBackend.HOST_WRITES.get();
        Tensor y = x.mul(3).add(1).rsub(10).div(0.5).rdiv(2);
        Tensor mask = y.gt(-1);
        assertEquals(allocations + 6, StrictBackend.ALLOCATIONS.get(), "one buffer per result, none per number");
        assertEquals(writes, StrictBackend.HOST_WRITES.get(), "no host copies");
        // ((2 * 3 + 1) -> 10 - 7 = 3 -> 3 / 0.5 = 6 -> 2 / 6
        assertArrayEquals(new float[]{2f / 6f, 2f / 6f, 2f / 6f}, java.util.Arrays.copyOf(y.toFloatArray(), 3));
        assertEquals(12, mask.sum().item());
        long before = StrictBackend.ALLOCATIONS.get();
        y.mulInPlace(3);
        assertEquals(before, StrictBackend.ALLOCATIONS.get(), "an in-place op with a number allocates nothing");
        assertEquals(1f, y.toFloatArray()[0], 1e-6f);
    }

    @Test
    void aHalfTensorTimesANumberCastsTheNumberWithoutMemory() {
        Tensor x = Tensor.full(StrictBackend.DEVICE, DType.BFLOAT16, 1.5, 8);
        long allocations = StrictBackend.ALLOCATIONS.get();
        Tensor y = x.mul(0.1);
        // FLOAT32 copy of x, the FLOAT32 product, the BFLOAT16 result: the number is cast, not stored
        assertEquals(allocations + 3, StrictBackend.ALLOCATIONS.get());
        assertEquals(DType.BFLOAT16, y.dtype());
        assertEquals(Tensor.full(DType.BFLOAT16, 1.5, 8).mul(Tensor.full(DType.BFLOAT16, 0.1)).toDoubleArray()[0],
                y.toDoubleArray()[0]);
    }
}
