package dev.nabla.cuda.runtime;

import dev.nabla.DType;
import dev.nabla.spi.JavaArrays;
import dev.nabla.spi.Layout;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostArraysTest {
    /** One sample array per dtype, with awkward values. */
    static Object sample(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> new float[]{1.5f, -0f, Float.NaN, Float.MIN_VALUE, Float.NEGATIVE_INFINITY};
            case FLOAT64 -> new double[]{1.5, -0.0, Double.NaN, Double.MIN_VALUE, 1e300};
            case INT64 -> new long[]{0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40};
            case INT32 -> new int[]{0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 7};
            case BOOL -> new boolean[]{true, false, true, true, false};
            case INT8 -> new byte[]{0, -1, -128, 127, 5};
            case BFLOAT16, FLOAT16 -> new short[]{0, -1, (short) 0x8000, 0x7fff, 0x3c00};
        };
    }

    @Test
    void everyDtypeRoundTripsThroughNativeOrderBytes() {
        for (DType dtype : DType.values()) {
            Object a = sample(dtype);
            int n = HostArrays.length(a, dtype);
            ByteBuffer b = ByteBuffer.allocateDirect(n * dtype.byteSize());
            HostArrays.put(a, dtype, 0, n, b);
            Object back = JavaArrays.newArray(dtype, n);
            HostArrays.get(b, dtype, back, 0, n);
            assertTrue(java.util.Objects.deepEquals(a, back), dtype.toString());
            assertEquals(0, b.position(), "position untouched");
        }
    }

    @Test
    void bytesAreNativeOrderAndBoolIsOneByteZeroOrOne() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        HostArrays.put(new int[]{0x01020304, 5}, DType.INT32, 0, 2, b);
        assertEquals(0x01020304, b.getInt(0));
        HostArrays.put(new boolean[]{true, false, true}, DType.BOOL, 0, 3, b);
        assertEquals(1, b.get(0));
        assertEquals(0, b.get(1));
        assertEquals(1, b.get(2));
        b.put(0, (byte) 7); // a device kernel's "true" that is not 1 still reads as true
        boolean[] back = new boolean[2];
        HostArrays.get(b, DType.BOOL, back, 0, 2);
        assertArrayEquals(new boolean[]{true, false}, back);
    }

    @Test
    void rangesMoveInChunks() {
        float[] a = {1, 2, 3, 4, 5};
        ByteBuffer b = ByteBuffer.allocateDirect(8);
        HostArrays.put(a, DType.FLOAT32, 3, 2, b);
        float[] out = new float[4];
        HostArrays.get(b, DType.FLOAT32, out, 1, 2);
        assertArrayEquals(new float[]{0, 4, 5, 0}, out);
        assertThrows(IllegalArgumentException.class, () -> HostArrays.put(a, DType.FLOAT32, 0, 3, b));
    }

    @Test
    void arraysMustMatchTheirDtype() {
        assertEquals(DType.BOOL, JavaArrays.dtypeOf(new boolean[1]));
        assertEquals(DType.INT8, JavaArrays.dtypeOf(new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> JavaArrays.dtypeOf(new short[1]));
        assertThrows(IllegalArgumentException.class, () -> JavaArrays.dtypeOf(null));
        assertThrows(IllegalArgumentException.class, () -> HostArrays.length(new float[1], DType.FLOAT64));
        assertEquals(3, HostArrays.length(new short[3], DType.BFLOAT16));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostArrays.length(new float[1], DType.FLOAT16))
                .getMessage().contains("short[] of raw bits"));
    }

    @Test
    void stridedReadsPickTheirElementsFromTheSpan() {
        // buffer 0..11 as a 3x4 matrix; read its transpose's [1:3] rows... a [4, 2] view: column-major slice
        int[] buffer = new int[12];
        for (int i = 0; i < 12; i++) {
            buffer[i] = i;
        }
        Layout t = new Layout(new int[]{4, 2}, new int[]{1, 4}, 4); // elements (i, j) at 4 + i + 4j
        long[] span = HostArrays.span(t);
        assertArrayEquals(new long[]{4, 12}, span);
        int[] spanArray = java.util.Arrays.copyOfRange(buffer, 4, 12);
        assertArrayEquals(new int[]{4, 8, 5, 9, 6, 10, 7, 11}, (int[]) HostArrays.gather(spanArray, 4, DType.INT32, t));
        Layout broadcast = new Layout(new int[]{2, 3}, new int[]{0, 1}, 2);
        assertArrayEquals(new long[]{2, 5}, HostArrays.span(broadcast));
        assertArrayEquals(new float[]{2, 3, 4, 2, 3, 4},
                (float[]) HostArrays.gather(new float[]{2, 3, 4}, 2, DType.FLOAT32, broadcast));
        assertArrayEquals(new long[]{3, 3}, HostArrays.span(new Layout(new int[]{0, 2}, new int[]{2, 1}, 3)));
        assertArrayEquals(new boolean[]{true, false},
                (boolean[]) HostArrays.gather(new boolean[]{false, true, false}, 0, DType.BOOL,
                        new Layout(new int[]{2}, new int[]{1}, 1)));
    }
}
