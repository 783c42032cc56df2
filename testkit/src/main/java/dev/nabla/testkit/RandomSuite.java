package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.Device;
import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.nn.Functional;
import dev.nabla.nn.Init;
import dev.nabla.random.Philox;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BackendProvider;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random numbers made on the device ({@link Backend#random}, Philox4x32-10): the backend's values against the
 * pure-Java reference {@link Philox#reference} (bit for bit for UNIFORM, BERNOULLI and INTEGERS; NORMAL within the
 * one-float-ulp / few-double-ulp allowance {@link RandomDistribution} states for backends with another libm), offsets,
 * the tensor factories' use of the generator, and statistics.
 */
public abstract class RandomSuite extends BackendTestBase {
    /** Crosses several CPU chunks and is not a multiple of 4. */
    private static final int N = 100_003;

    private Backend spi;

    /** A fresh instance of the device's backend, to call the SPI directly. */
    private Backend spi() {
        if (spi == null) {
            String type = device().type();
            for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
                if (provider.name().equals(type)) {
                    spi = provider.create(device());
                    return spi;
                }
            }
            fail("no backend provider named " + type);
        }
        return spi;
    }

    @AfterEach
    void closeSpi() throws Exception {
        if (spi instanceof AutoCloseable c) {
            c.close();
        }
        spi = null;
    }

    /** {@code n} elements from the SPI at {@code offset}, written at element 3 of a larger buffer. */
    private Object draw(RandomDistribution d, DType dtype, long seed, long offset, int n) {
        Backend b = spi();
        Buffer buffer = b.allocate(dtype, n + 5);
        try {
            Operand out = new Operand(buffer, new Layout(new int[]{n}, new int[]{1}, 3));
            b.random(d, seed, offset, out);
            return b.toArray(out);
        } finally {
            b.release(buffer);
        }
    }

    private static final RandomDistribution[] FLOATING = {
        RandomDistribution.uniform(0, 1), RandomDistribution.uniform(-3, 5), RandomDistribution.normal(0, 1),
        RandomDistribution.normal(0.5, 2), RandomDistribution.bernoulli(0.3)
    };

    /** Offsets at 0, inside a block, across the counter's 32-bit word boundary, and across 2^64 (wrapping). */
    private static final long[] OFFSETS = {0, 3, (1L << 34) - 7, -6};

    @Test
    void matchesTheReference() {
        long seed = 0x0123_4567_89AB_CDEFL;
        for (long offset : OFFSETS) {
            for (RandomDistribution d : FLOATING) {
                for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
                    int n = offset == 0 ? N : 1001;
                    Object expected = Philox.reference(d, dtype, seed, offset, n);
                    Object actual = draw(d, dtype, seed, offset, n);
                    assertSame(d, dtype, expected, actual, d + " " + dtype + " at offset " + offset);
                }
            }
            RandomDistribution bern = RandomDistribution.bernoulli(0.7);
            assertArrayEquals((boolean[]) Philox.reference(bern, DType.BOOL, seed, offset, 1001),
                    (boolean[]) draw(bern, DType.BOOL, seed, offset, 1001), "BOOL bernoulli at offset " + offset);
            for (RandomDistribution ints : new RandomDistribution[]{RandomDistribution.integers(-2, 3),
                RandomDistribution.integers(Long.MIN_VALUE, Long.MAX_VALUE), RandomDistribution.integers(0, 1)}) {
                assertArrayEquals((long[]) Philox.reference(ints, DType.INT64, seed, offset, 1001),
                        (long[]) draw(ints, DType.INT64, seed, offset, 1001), ints + " at offset " + offset);
            }
        }
    }

    private static void assertSame(RandomDistribution d, DType dtype, Object expected, Object actual, String what) {
        boolean normal = d.kind() == RandomDistribution.Kind.NORMAL;
        if (dtype == DType.FLOAT32) {
            float[] e = (float[]) expected, a = (float[]) actual;
            assertEquals(e.length, a.length, what);
            for (int i = 0; i < e.length; i++) {
                if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])
                        && !(normal && Math.abs(e[i] - a[i]) <= Math.ulp(e[i]))) {
                    fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
                }
            }
        } else {
            double[] e = (double[]) expected, a = (double[]) actual;
            assertEquals(e.length, a.length, what);
            for (int i = 0; i < e.length; i++) {
                // a few ulps of mean + std * z before the two cancel: near 0 the result keeps less precision
                double scale = Math.abs(d.a()) + Math.abs(e[i] - d.a());
                if (Double.doubleToRawLongBits(e[i]) != Double.doubleToRawLongBits(a[i])
                        && !(normal && Math.abs(e[i] - a[i]) <= 8 * Math.ulp(scale) + 1e-300)) {
                    fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
                }
            }
        }
    }

    @Test
    void anOffsetContinuesTheSameStream() {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            RandomDistribution d = RandomDistribution.uniform(0, 1);
            double[] whole = asDoubles(draw(d, dtype, 42, 0, 103));
            for (int k : new int[]{1, 2, 5, 64}) {
                double[] p = asDoubles(draw(d, dtype, 42, k, 103 - k));
                for (int i = 0; i < p.length; i++) {
                    assertEquals(whole[k + i], p[i], 0, dtype + ": element " + i + " at offset " + k);
                }
            }
        }
    }

    private static double[] asDoubles(Object array) {
        if (array instanceof double[] d) {
            return d;
        }
        float[] f = (float[]) array;
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void factoriesTakeOneKeyFromTheGeneratorPerCall() {
        Generator g = new Generator(99);
        long key1 = new Generator(99).nextLong();
        Tensor a = Tensor.rand(g, 7, 3);
        assertEquals(device(), a.device());
        assertArrayEquals((float[]) Philox.reference(RandomDistribution.uniform(0, 1), DType.FLOAT32, key1, 0, 21),
                a.toFloatArray(), "rand = elements 0.. of the stream keyed by the generator's next long");
        Generator h = new Generator(99);
        h.nextLong();
        assertEquals(h.getState(), g.getState(), "one call consumes exactly one long of the generator");

        long state = g.getState();
        Tensor b = Tensor.randn(g, 50);
        Tensor c = Tensor.randn(g, 50);
        assertFalse(java.util.Arrays.equals(b.toFloatArray(), c.toFloatArray()), "successive calls differ");
        g.setState(state);
        assertArrayEquals(b.toFloatArray(), Tensor.randn(g, 50).toFloatArray(), "a restored state reproduces them");
        assertArrayEquals(c.toFloatArray(), Tensor.randn(g, 50).toFloatArray());

        Tensor d64 = Tensor.normal(new Generator(5), device(), DType.FLOAT64, 1, 3, 4, 4);
        assertDType(DType.FLOAT64, d64);
        assertEquals(device(), d64.device());
        Tensor bits = Tensor.bernoulli(new Generator(5), device(), DType.BOOL, 0.5, 9);
        assertDType(DType.BOOL, bits);
        assertThrows(DTypeException.class, () -> Tensor.uniform(new Generator(1), device(), DType.INT64, 0, 1, 3));
        assertThrows(DTypeException.class, () -> Tensor.bernoulli(new Generator(1), device(), DType.INT32, 0.5, 3));

        Tensor empty = Tensor.rand(g, 0, 4);
        assertShape(empty, 0, 4);
    }

    @Test
    void uniformStaysBelowItsUpperBound() {
        // Every value of [1, 1 + 2^-23) rounds to 1 or 1 + 2^-23 in float: the upper bound must never appear.
        float[] f = Tensor.uniform(new Generator(2), device(), DType.FLOAT32, 1, 1 + 0x1.0p-23, 4000).toFloatArray();
        for (float v : f) {
            assertEquals(1.0f, v, 0);
        }
        double[] d = Tensor.uniform(new Generator(2), device(), DType.FLOAT64, 1, 1 + 0x1.0p-52, 4000)
                .toDoubleArray();
        for (double v : d) {
            assertEquals(1.0, v, 0);
        }
        float[] zero = Tensor.uniform(new Generator(2), device(), DType.FLOAT32, 0, 0, 10).toFloatArray();
        assertArrayEquals(new float[10], zero, "an empty range gives its bound");
    }

    @Test
    void uniformStatistics() {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            double[] v = Tensor.uniform(new Generator(3), device(), dtype, -1, 3, N).toDoubleArray();
            double[] m = moments(v);
            for (double x : v) {
                assertTrue(x >= -1 && x < 3, dtype + " value " + x + " outside [-1, 3)");
            }
            // Standard error of the mean: 4 / sqrt(12 N) = 0.0037; of the variance about 0.0067.
            assertEquals(1, m[0], 0.02, dtype + " mean");
            assertEquals(16.0 / 12, m[1], 0.035, dtype + " variance");
        }
    }

    @Test
    void normalStatistics() {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            double[] v = Tensor.normal(new Generator(4), device(), dtype, 2, 0.5, N).toDoubleArray();
            double[] m = moments(v);
            // Standard errors: mean 0.5 / sqrt(N) = 0.0016, variance 0.25 sqrt(2 / N) = 0.0011.
            assertEquals(2, m[0], 0.008, dtype + " mean");
            assertEquals(0.25, m[1], 0.006, dtype + " variance");
            int beyond = 0;
            for (double x : v) {
                assertTrue(Double.isFinite(x));
                if (Math.abs(x - 2) > 1) {
                    beyond++; // 2 sigma: 4.55%
                }
            }
            assertEquals(0.0455, beyond / (double) N, 0.004, dtype + " mass beyond 2 sigma");
        }
    }

    @Test
    void bernoulliAndIntegerStatistics() {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            double[] m = moments(Tensor.bernoulli(new Generator(6), device(), dtype, 0.3, N).toDoubleArray());
            assertEquals(0.3, m[0], 0.0075, dtype + " rate"); // standard error 0.00145
        }
        boolean[] bits = Tensor.bernoulli(new Generator(6), device(), DType.BOOL, 0.3, N).toBooleanArray();
        int ones = 0;
        for (boolean bit : bits) {
            ones += bit ? 1 : 0;
        }
        assertEquals(0.3, ones / (double) N, 0.0075, "BOOL rate");
        assertArrayEquals(new double[100],
                Tensor.bernoulli(new Generator(6), device(), DType.FLOAT64, 0, 100).toDoubleArray());
        double[] all = new double[100];
        java.util.Arrays.fill(all, 1);
        assertArrayEquals(all, Tensor.bernoulli(new Generator(6), device(), DType.FLOAT64, 1, 100).toDoubleArray());

        long[] ints = Tensor.randint(new Generator(7), device(), -2, 3, N).toLongArray();
        int[] counts = new int[5];
        for (long x : ints) {
            assertTrue(x >= -2 && x < 3, "randint value " + x);
            counts[(int) (x + 2)]++;
        }
        for (int c : counts) {
            assertEquals(N / 5.0, c, 700, "each of 5 values about N / 5 times"); // standard error 126
        }
    }

    @Test
    void initializersAndDropoutDrawOnTheDevice() {
        Nabla.manualSeed(21);
        Tensor w = Tensor.zeros(DType.FLOAT64, 64, 32);
        Init.kaimingUniform(w, Math.sqrt(5), "leaky_relu");
        // Init's arithmetic: gain sqrt(2 / (1 + a^2)), std gain / sqrt(fanIn), bound sqrt(3) std.
        double a = Math.sqrt(5);
        double bound = Math.sqrt(3.0) * (Math.sqrt(2.0 / (1 + a * a)) / Math.sqrt(32));
        for (double v : w.toDoubleArray()) {
            assertTrue(v >= -bound && v < bound, "kaiming uniform value " + v);
        }
        Nabla.manualSeed(21);
        long key = new Generator(21).nextLong();
        assertArrayEquals((double[]) Philox.reference(RandomDistribution.uniform(-bound, bound), DType.FLOAT64, key, 0,
                64 * 32), w.toDoubleArray(), "kaiming uniform = the reference stream under the generator's next key");

        Nabla.manualSeed(22);
        Tensor x = Tensor.ones(N);
        double[] y = Functional.dropout(x, 0.25, true).toDoubleArray();
        Nabla.manualSeed(22);
        boolean[] keep = new boolean[N];
        float[] mask = (float[]) Philox.reference(RandomDistribution.bernoulli(0.75), DType.FLOAT32,
                new Generator(22).nextLong(), 0, N);
        int dropped = 0;
        for (int i = 0; i < N; i++) {
            keep[i] = mask[i] == 1f;
            assertEquals(keep[i] ? 1 / 0.75 : 0, y[i], 1e-6, "dropout keeps where the Philox mask is 1");
            dropped += keep[i] ? 0 : 1;
        }
        assertEquals(0.25, dropped / (double) N, 0.0075);
    }

    /** Mean and (population) variance, in double. */
    private static double[] moments(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        double sq = 0;
        for (double x : v) {
            sq += (x - mean) * (x - mean);
        }
        return new double[]{mean, sq / v.length};
    }
}
