package dev.nabla.cuda.runtime;

import dev.nabla.spi.Layout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelArgsTest {
    @Test
    void eachArgumentIsStoredInTheJavaTypeOfItsCType() {
        // nabla_add_f32(const float *a, NablaLayout la, const float *b, NablaLayout lb, float *out, NablaLayout lo,
        //               long long n)
        Layout l = Layout.contiguous(2, 3);
        int[][] packed = LayoutPacking.coalesceAndPack(l, l, l);
        KernelArgs args = new KernelArgs()
                .pointer(() -> new DeviceAddress(1, 0)).layout(packed[0])
                .pointer(() -> new DeviceAddress(1, 0)).layout(packed[1])
                .pointer(() -> new DeviceAddress(1, 0)).layout(packed[2])
                .int64(6).int32(-1).float64(0.5).float32(2f);
        assertEquals(List.of(KernelArgs.Kind.POINTER, KernelArgs.Kind.LAYOUT, KernelArgs.Kind.POINTER,
                KernelArgs.Kind.LAYOUT, KernelArgs.Kind.POINTER, KernelArgs.Kind.LAYOUT, KernelArgs.Kind.INT64,
                KernelArgs.Kind.INT32, KernelArgs.Kind.FLOAT64, KernelArgs.Kind.FLOAT32), args.kinds());
        assertArrayEquals(new long[]{6}, (long[]) args.value(6), "long long is a long[]: an int[] would be garbage");
        assertArrayEquals(new int[]{-1}, (int[]) args.value(7));
        assertArrayEquals(new double[]{0.5}, (double[]) args.value(8));
        assertArrayEquals(new float[]{2f}, (float[]) args.value(9));
        int[] layout = (int[]) args.value(1);
        assertEquals(1, layout[0]);
        assertEquals(6, layout[2]);
        assertEquals(new DeviceAddress(1, 0), args.value(0), "a supplied pointer is asked at launch");
        assertTrue(JCudaDeviceDriver.kernelParams(args, a -> new jcuda.Pointer()) != null,
                "kernelParams builds without a GPU");
    }

    @Test
    void layoutsMustBePackedStructs() {
        assertThrows(IllegalArgumentException.class, () -> new KernelArgs().layout(new int[3]));
        int[] p = LayoutPacking.pack(Layout.contiguous(4));
        KernelArgs args = new KernelArgs().layout(p);
        p[0] = 99;
        assertEquals(1, ((int[]) args.value(0))[0], "the packed ints are copied");
    }
}
