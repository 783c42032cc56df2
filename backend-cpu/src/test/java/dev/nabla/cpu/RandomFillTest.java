package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.random.Philox;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The CPU backend's Philox fill: bit for bit the reference (NORMAL included: both use StrictMath), at any thread count. */
class RandomFillTest {
    static final int THREADS = Parallel.threads();
    /** Several chunks of {@link RandomFill#GRAIN}, above the parallel threshold, not a multiple of 4. */
    static final int N = 5 * RandomFill.GRAIN + 3;

    @AfterAll
    static void restore() {
        Parallel.setThreads(THREADS);
    }

    private static final RandomDistribution[] DISTRIBUTIONS = {
        RandomDistribution.uniform(-1, 2), RandomDistribution.normal(0.25, 3), RandomDistribution.bernoulli(0.4),
        RandomDistribution.integers(-7, 1000)
    };

    private static Object fill(CpuBackend cpu, RandomDistribution d, DType dtype, long seed, long offset) {
        Buffer b = cpu.allocate(dtype, N);
        try {
            Operand out = new Operand(b, Layout.contiguous(N));
            cpu.random(d, seed, offset, out);
            return cpu.toArray(out);
        } finally {
            cpu.release(b);
        }
    }

    @Test
    void sameValuesAtEveryThreadCountAndAsTheReference() {
        CpuBackend cpu = new CpuBackend();
        for (RandomDistribution d : DISTRIBUTIONS) {
            for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64, DType.BOOL, DType.INT64}) {
                if (!d.supports(dtype)) {
                    continue;
                }
                for (long offset : new long[]{0, 1, 0xFFFF_FFFFL * 4 - 2}) {
                    Object expected = Philox.reference(d, dtype, 77, offset, N);
                    for (int threads : new int[]{1, 2, 3, 8}) {
                        Parallel.setThreads(threads);
                        Object actual = fill(cpu, d, dtype, 77, offset);
                        String what = d + " " + dtype + " offset " + offset + " with " + threads + " threads";
                        switch (expected) {
                            case float[] e -> assertArrayEquals(e, (float[]) actual, what);
                            case double[] e -> assertArrayEquals(e, (double[]) actual, what);
                            case boolean[] e -> assertArrayEquals(e, (boolean[]) actual, what);
                            case long[] e -> assertArrayEquals(e, (long[]) actual, what);
                            default -> throw new AssertionError();
                        }
                    }
                }
            }
        }
    }

    @Test
    void refusesWhatItCannotWrite() {
        CpuBackend cpu = new CpuBackend();
        Buffer b = cpu.allocate(DType.INT32, 4);
        assertThrows(IllegalArgumentException.class,
                () -> cpu.random(RandomDistribution.uniform(0, 1), 1, 0, new Operand(b, Layout.contiguous(4))));
        Buffer f = cpu.allocate(DType.FLOAT32, 8);
        assertThrows(IllegalArgumentException.class, () -> cpu.random(RandomDistribution.uniform(0, 1), 1, 0,
                new Operand(f, new Layout(new int[]{4}, new int[]{2}, 0))), "a strided output");
        Operand tail = new Operand(f, new Layout(new int[]{3}, new int[]{1}, 5));
        cpu.random(RandomDistribution.uniform(0, 1), 1, 0, tail);
        assertArrayEquals((float[]) Philox.reference(RandomDistribution.uniform(0, 1), DType.FLOAT32, 1, 0, 3),
                (float[]) cpu.toArray(tail), "written at the layout's offset");
        assertEquals(3, ((float[]) cpu.toArray(tail)).length);
    }
}
