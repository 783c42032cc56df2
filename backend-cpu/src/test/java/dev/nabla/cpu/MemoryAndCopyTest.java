package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BackendProvider;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.Probe;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffers, the pool, fromArray/toArray, fill, dtype conversions and the provider. */
class MemoryAndCopyTest {
    static final CpuBackend BE = new CpuBackend(Kernels.simdOrNull(), 0);

    @Test
    void providerIsFoundAndAvailable() {
        BackendProvider found = null;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals("cpu")) {
                found = p;
            }
        }
        assertTrue(found instanceof CpuBackendProvider, "cpu provider registered as a service");
        assertEquals(0, found.priority());
        Probe probe = found.probe();
        assertTrue(probe.available());
        assertTrue(probe.reason().startsWith("pure Java, SIMD: ") && probe.reason().contains("jdk.incubator.vector"), probe.reason());
        Backend be = found.create(Device.CPU);
        assertEquals("cpu", be.name());
        assertEquals(Device.CPU, be.device());
        assertThrows(IllegalArgumentException.class, () -> new CpuBackendProvider().create(Device.cuda(0)));
    }

    @Test
    void threadsCanBeChanged() {
        int saved = CpuBackend.threads();
        try {
            CpuBackend.setThreads(3);
            assertEquals(3, CpuBackend.threads());
            assertThrows(IllegalArgumentException.class, () -> CpuBackend.setThreads(0));
        } finally {
            CpuBackend.setThreads(saved);
        }
    }

    @Test
    void poolReusesArraysOfASufficientBucket() {
        CpuBackend be = new CpuBackend(Kernels.scalar(), 1 << 20);
        CpuBuffer a = (CpuBuffer) be.allocate(DType.FLOAT32, 1000);
        assertEquals(1000, a.capacity());
        Object array = a.array();
        be.release(a);
        assertEquals(4000, be.pooledBytes());
        // a smaller request in the same bucket [512, 1024) reuses it; capacity reports the array length
        CpuBuffer b = (CpuBuffer) be.allocate(DType.FLOAT32, 600);
        assertSame(array, b.array());
        assertEquals(1000, b.capacity());
        assertEquals(0, be.pooledBytes());
        // the layout, not the capacity, decides what is read back: no stale tail
        float[] values = new float[600];
        for (int i = 0; i < 600; i++) {
            values[i] = i;
        }
        Operand src = TestUtil.contiguous(be, values, 600);
        Operand dst = new Operand(b, Layout.contiguous(600));
        be.copy(src, dst);
        assertEquals(600, ((float[]) be.toArray(dst)).length);
        assertArrayEquals(values, (float[]) be.toArray(dst));
        // a larger request than any pooled array gets a new one; other dtypes have their own buckets
        be.release(b);
        CpuBuffer c = (CpuBuffer) be.allocate(DType.FLOAT32, 1001);
        assertNotSame(array, c.array());
        CpuBuffer d = (CpuBuffer) be.allocate(DType.INT32, 700);
        assertNotSame(array, d.array());
        assertEquals(700, d.capacity());
        // a request from the next bucket up takes a power-of-two-or-larger array
        CpuBuffer e = (CpuBuffer) be.allocate(DType.FLOAT32, 512);
        assertSame(array, e.array());
    }

    @Test
    void releasedBuffersCannotBeUsedOrReleasedAgain() {
        CpuBackend be = new CpuBackend(Kernels.scalar(), 1 << 20);
        Buffer a = be.allocate(DType.FLOAT64, 10);
        be.release(a);
        assertThrows(IllegalStateException.class, () -> be.release(a));
        assertThrows(IllegalStateException.class, () -> be.fill(new Operand(a, Layout.contiguous(10)), 1));
    }

    @Test
    void poolIsBoundedAndCanBeDisabled() {
        CpuBackend small = new CpuBackend(Kernels.scalar(), 8000);
        CpuBuffer first = (CpuBuffer) small.allocate(DType.FLOAT64, 100); // 800 bytes each
        Object oldest = first.array();
        small.release(first);
        for (int i = 1; i < 10; i++) {
            small.release(small.allocate(DType.FLOAT64, 100 + i)); // new arrays: the pooled ones are too small
        }
        // 10 releases of 800 to 872 bytes do not fit in 8000: the oldest was dropped to make room
        assertTrue(small.pooledBytes() <= 8000, "pooled " + small.pooledBytes());
        for (int i = 0; i < 10; i++) { // the ten newest, or nine and a new one: never the dropped one
            assertNotSame(oldest, ((CpuBuffer) small.allocate(DType.FLOAT64, 100)).array());
        }
        // an array larger than an eighth of the pool is never kept
        small.clearPool();
        small.release(small.allocate(DType.FLOAT64, 126)); // 1008 bytes
        assertEquals(0, small.pooledBytes());
        small.release(small.allocate(DType.FLOAT64, 125)); // 1000 bytes
        assertEquals(1000, small.pooledBytes());
        CpuBackend off = new CpuBackend(Kernels.scalar(), 0);
        CpuBuffer a = (CpuBuffer) off.allocate(DType.FLOAT32, 100);
        Object array = a.array();
        off.release(a);
        assertEquals(0, off.pooledBytes());
        assertNotSame(array, ((CpuBuffer) off.allocate(DType.FLOAT32, 100)).array());
    }

    @Test
    void poolIsThreadSafe() throws Exception {
        CpuBackend be = new CpuBackend(Kernels.scalar(), 64L << 20);
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                fs.add(ex.submit(() -> {
                    java.util.Random r = new java.util.Random(seed);
                    for (int i = 0; i < 2000; i++) {
                        int n = 1 + r.nextInt(5000);
                        CpuBuffer b = (CpuBuffer) be.allocate(DType.FLOAT32, n);
                        float[] arr = b.floats();
                        java.util.Arrays.fill(arr, 0, n, seed);
                        Thread.yield();
                        for (int j = 0; j < n; j++) {
                            if (arr[j] != seed) {
                                throw new AssertionError("array shared between two live buffers");
                            }
                        }
                        be.release(b);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            ex.shutdown();
        }
    }

    @Test
    void fromArrayCopiesAndToArrayFollowsTheLayout() {
        float[] src = {1, 2, 3, 4, 5, 6};
        Buffer b = BE.fromArray(src);
        src[0] = 99;
        Operand t = new Operand(b, new Layout(new int[] {3, 2}, new int[] {1, 3}, 0)); // transpose of [2, 3]
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, (float[]) BE.toArray(t));
        assertArrayEquals(new long[] {7, 7}, (long[]) BE.toArray(new Operand(BE.fromArray(new long[] {7}), new Layout(new int[] {2}, new int[] {0}, 0))));
        assertArrayEquals(new boolean[] {true, false}, (boolean[]) BE.toArray(TestUtil.contiguous(BE, new boolean[] {true, false}, 2)));
        assertArrayEquals(new int[] {5}, (int[]) BE.toArray(new Operand(BE.fromArray(new int[] {4, 5}), new Layout(new int[0], new int[0], 1))));
        assertThrows(IllegalArgumentException.class, () -> BE.fromArray(new short[3]));
    }

    @Test
    void halfBuffersHoldRawBitsAndAreOnlyMoved() {
        short[] bits = {0x3F80, (short) 0xC000, 0x7FC1};
        for (DType h : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            Buffer b = BE.fromArray(bits, h);
            assertEquals(h, b.dtype());
            assertArrayEquals(bits, (short[]) ((CpuBuffer) b).array(), "the bits are copied as they are");
            Operand reversed = new Operand(b, new Layout(new int[] {3}, new int[] {-1}, 2));
            assertArrayEquals(new short[] {0x7FC1, (short) 0xC000, 0x3F80}, (short[]) BE.toArray(reversed));
            Operand x = new Operand(b, Layout.contiguous(3));
            Operand out = TestUtil.empty(BE, h, 3);
            UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    UnsupportedOperationException.class, () -> BE.binary(dev.nabla.spi.BinaryOp.ADD, x, x, out));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("ADD") && e.getMessage().contains(h.name())
                    && e.getMessage().contains("FLOAT32"), e.getMessage());
            BE.release(b);
        }
        // the same short[] without a dtype is ambiguous
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BE.fromArray(bits));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BE.fromArray(new float[] {1}, DType.BFLOAT16));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BE.fromArray(new float[] {1}, DType.FLOAT64));
    }

    @Test
    void fillEveryDtypeThroughStridedViews() {
        for (DType dt : NOT_HALF) {
            Operand all = TestUtil.empty(BE, dt, 4, 5);
            BE.fill(all, 0);
            Operand column = new Operand(all.buffer(), new Layout(new int[] {4}, new int[] {5}, 2));
            BE.fill(column, 3.7);
            double[] got = TestUtil.toDoubles(BE.toArray(all));
            double expected = switch (dt) {
                case BFLOAT16, FLOAT16 -> throw new IllegalStateException("half dtypes: see HalfPrecisionSuite");
                case FLOAT32 -> 3.7f;
                case FLOAT64 -> 3.7;
                case INT64, INT32, INT8 -> 3;
                case BOOL -> 1;
            };
            for (int i = 0; i < 20; i++) {
                assertEquals(i % 5 == 2 ? expected : 0, got[i], 0.0, dt + " at " + i);
            }
        }
    }

    @Test
    void copyConvertsBetweenAllDtypes() {
        double[] values = {-2.7, -1, -0.5, 0, 0.5, 1, 2.9, 1e10, Double.NaN};
        for (DType from : NOT_HALF) {
            Object srcArray = switch (from) {
                case FLOAT32 -> {
                    float[] a = new float[values.length];
                    for (int i = 0; i < a.length; i++) a[i] = (float) values[i];
                    yield a;
                }
                case FLOAT64 -> values.clone();
                case INT64 -> new long[] {-3, -1, 0, 0, 1, 1, 2, 10_000_000_000L, 1L << 40};
                case INT32 -> new int[] {-3, -1, 0, 0, 1, 1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE};
                case BOOL -> new boolean[] {true, false, true, false, false, true, true, false, true};
                case INT8 -> new byte[] {-128, -1, 0, 0, 1, 1, 2, 127, 100};
                case BFLOAT16, FLOAT16 -> throw new IllegalStateException("half dtypes: see HalfPrecisionSuite");
            };
            for (DType to : DType.values()) {
                // read the source through a reversed view to cover strided conversion
                int n = values.length;
                Operand src = new Operand(BE.fromArray(srcArray), new Layout(new int[] {n}, new int[] {1}, 0));
                Operand dst = TestUtil.empty(BE, to, n);
                BE.copy(src, dst);
                Object got = BE.toArray(dst);
                for (int i = 0; i < n; i++) {
                    Object expected = convert(srcArray, i, to);
                    Object actual = java.lang.reflect.Array.get(got, i);
                    assertEquals(expected, actual, from + " -> " + to + " at " + i);
                }
            }
        }
    }

    /** The dtypes with a Java array type of their own (half conversions are tested by HalfPrecisionSuite). */
    static final DType[] NOT_HALF = java.util.Arrays.stream(DType.values()).filter(t -> !t.isHalf())
            .toArray(DType[]::new);

    /** Java cast semantics, written independently of the backend. */
    static Object convert(Object array, int i, DType to) {
        Object v = java.lang.reflect.Array.get(array, i);
        if (v instanceof Boolean b) {
            return switch (to) {
                case FLOAT32 -> b ? 1f : 0f;
                case FLOAT64 -> b ? 1.0 : 0.0;
                case INT64 -> b ? 1L : 0L;
                case INT32 -> b ? 1 : 0;
                case INT8 -> (byte) (b ? 1 : 0);
                case BOOL -> b;
                case BFLOAT16, FLOAT16 -> dev.nabla.HalfFloats.fromFloat(to, b ? 1f : 0f);
            };
        }
        if (v instanceof Float f) {
            return switch (to) {
                case FLOAT32 -> f;
                case FLOAT64 -> (double) f;
                case INT64 -> (long) (float) f;
                case INT32 -> (int) (float) f;
                case INT8 -> (byte) (int) (float) f;
                case BOOL -> f != 0;
                case BFLOAT16, FLOAT16 -> dev.nabla.HalfFloats.fromFloat(to, f);
            };
        }
        if (v instanceof Double d) {
            return switch (to) {
                case FLOAT32 -> (float) (double) d;
                case FLOAT64 -> d;
                case INT64 -> (long) (double) d;
                case INT32 -> (int) (double) d;
                case INT8 -> (byte) (int) (double) d;
                case BOOL -> d != 0;
                case BFLOAT16, FLOAT16 -> dev.nabla.HalfFloats.fromFloat(to, (float) (double) d);
            };
        }
        long l = ((Number) v).longValue();
        return switch (to) {
            case FLOAT32 -> (float) l;
            case FLOAT64 -> (double) l;
            case INT64 -> l;
            case INT32 -> (int) l;
            case INT8 -> (byte) l;
            case BOOL -> l != 0;
            case BFLOAT16, FLOAT16 -> dev.nabla.HalfFloats.fromFloat(to, (float) l);
        };
    }

    @Test
    void copyBetweenStridedViewsAndAliasing() {
        float[] data = new float[24];
        for (int i = 0; i < 24; i++) {
            data[i] = i;
        }
        Operand src = new Operand(BE.fromArray(data), TestUtil.permuted(new int[] {2, 3, 4}, 2, 0, 1)); // [4, 2, 3]
        Operand dst = new Operand(BE.allocate(DType.FLOAT32, 60), new Layout(new int[] {4, 2, 3}, new int[] {15, 7, 2}, 1));
        BE.fill(new Operand(dst.buffer(), Layout.contiguous(60)), -1);
        BE.copy(src, dst);
        int[] idx = new int[3];
        do {
            assertEquals(TestUtil.at(src, idx), TestUtil.at(dst, idx), 0.0);
        } while (TestUtil.next(idx, new int[] {4, 2, 3}));
        // copying a view onto itself leaves it unchanged
        BE.copy(dst, dst);
        do {
            assertEquals(TestUtil.at(src, idx), TestUtil.at(dst, idx), 0.0);
        } while (TestUtil.next(idx, new int[] {4, 2, 3}));
        float[] raw = (float[]) BE.toArray(new Operand(dst.buffer(), Layout.contiguous(60)));
        assertEquals(-1f, raw[0]);
        assertEquals(-1f, raw[2]);
    }
}
