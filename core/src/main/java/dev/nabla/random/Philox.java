package dev.nabla.random;

import dev.nabla.DType;
import dev.nabla.spi.RandomDistribution;

/**
 * Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011; the generator
 * of Random123, cuRAND's {@code curandStatePhilox4_32_10_t} and PyTorch's CUDA backend) and the conversions of its
 * words into values that {@link RandomDistribution} defines. This is the pure-Java reference: backends may compute
 * the same thing faster, but must produce what {@link #reference} produces.
 *
 * <p>A block is ten rounds over a 128-bit counter {@code (c0, c1, c2, c3)} with a 64-bit key {@code (k0, k1)}; a
 * round replaces the counter by {@code (hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0 c0))}, where
 * {@code hi} and {@code lo} are the halves of the 64-bit product, and the key is bumped by {@code (W0, W1)} between
 * rounds.
 */
public final class Philox {
    /** Round multipliers. */
    public static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    /** Key increments (the golden ratio and sqrt(3) - 1, as 32-bit fractions). */
    public static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    /** Rounds per block. */
    public static final int ROUNDS = 10;

    private static final long MASK = 0xFFFF_FFFFL;
    private static final double TWO_PI = 2 * Math.PI;

    private Philox() {
    }

    /** Philox4x32-10 of the counter {@code (c0, c1, c2, c3)} under the key {@code (k0, k1)}, into {@code out[0..3]}. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            if (r > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & MASK) * (c0 & MASK);
            long p1 = (M1 & MASK) * (c2 & MASK);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Block number {@code c} of the stream keyed by {@code seed}: counter {@code (low32(c), high32(c), 0, 0)}. */
    public static void block(long seed, long c, int[] out) {
        block((int) c, (int) (c >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out);
    }

    // ---- conversions of one block's words (w[0..3]) at one lane, as RandomDistribution defines them

    /** {@code (x >>> 8) * 2^-24}: uniform in [0, 1), exact in float. */
    public static float u24(int x) {
        return (x >>> 8) * 0x1.0p-24f;
    }

    /** {@code (y >>> 11) * 2^-53}: uniform in [0, 1), exact in double. */
    public static double u53(long y) {
        return (y >>> 11) * 0x1.0p-53;
    }

    /** The 64-bit lane {@code l} (0 or 1) of a block: {@code w[2l] | w[2l+1] << 32}. */
    public static long word64(int[] w, int lane) {
        return (w[2 * lane] & MASK) | ((long) w[2 * lane + 1] << 32);
    }

    /** A FLOAT32 element (UNIFORM, NORMAL or BERNOULLI) from lane {@code lane} (0..3) of the block {@code w}. */
    public static float float32(RandomDistribution d, int[] w, int lane) {
        return switch (d.kind()) {
            case UNIFORM -> {
                double a = d.a(), b = d.b();
                float v = (float) (a + (b - a) * u24(w[lane]));
                if (a < b && v >= b) {
                    v = floatBelow(b);
                }
                yield v;
            }
            case NORMAL -> {
                int p = lane & ~1;
                double u1 = ((w[p] >>> 8) + 1) * 0x1.0p-24;
                double u2 = u24(w[p + 1]);
                yield (float) (d.a() + d.b() * boxMuller(u1, u2, (lane & 1) != 0));
            }
            case BERNOULLI -> bernoulli(d, w, lane) ? 1f : 0f;
            case INTEGERS -> throw new IllegalArgumentException("random: INTEGERS cannot be written as FLOAT32");
        };
    }

    /** A FLOAT64 element from lane {@code lane} (0..1 for UNIFORM and NORMAL, 0..3 for BERNOULLI). */
    public static double float64(RandomDistribution d, int[] w, int lane) {
        return switch (d.kind()) {
            case UNIFORM -> {
                double a = d.a(), b = d.b();
                double v = a + (b - a) * u53(word64(w, lane));
                if (a < b && v >= b) {
                    v = Math.nextDown(b);
                }
                yield v;
            }
            case NORMAL -> {
                double u1 = ((word64(w, 0) >>> 11) + 1) * 0x1.0p-53;
                double u2 = u53(word64(w, 1));
                yield d.a() + d.b() * boxMuller(u1, u2, lane != 0);
            }
            case BERNOULLI -> bernoulli(d, w, lane) ? 1.0 : 0.0;
            case INTEGERS -> throw new IllegalArgumentException("random: INTEGERS cannot be written as FLOAT64");
        };
    }

    /** A BERNOULLI element from lane {@code lane} (0..3): {@code x * 2^-32 < p}. */
    public static boolean bernoulli(RandomDistribution d, int[] w, int lane) {
        return (w[lane] & MASK) * 0x1.0p-32 < d.a();
    }

    /** An INTEGERS element from lane {@code lane} (0..1): {@code low + mulhi64(y, high - low)}, wrapping. */
    public static long int64(RandomDistribution d, int[] w, int lane) {
        return d.low() + Math.unsignedMultiplyHigh(word64(w, lane), d.high() - d.low());
    }

    /** {@code sqrt(-2 log u1)} times {@code cos(2 pi u2)}, or {@code sin} for the second of the pair; StrictMath. */
    public static double boxMuller(double u1, double u2, boolean second) {
        double r = StrictMath.sqrt(-2 * StrictMath.log(u1));
        double t = TWO_PI * u2;
        return r * (second ? StrictMath.sin(t) : StrictMath.cos(t));
    }

    /** The largest float below {@code b}. */
    private static float floatBelow(double b) {
        float f = (float) b;
        return f >= b ? Math.nextDown(f) : f;
    }

    // ---- reference

    /**
     * Elements {@code offset .. offset + n - 1} of the stream keyed by {@code seed}, as a new {@code float[]},
     * {@code double[]}, {@code boolean[]} or {@code long[]} for {@code dtype}: one Philox block per element, the
     * simplest (and slowest) statement of what {@link dev.nabla.spi.Backend#random} must produce.
     */
    public static Object reference(RandomDistribution d, DType dtype, long seed, long offset, int n) {
        if (!d.supports(dtype)) {
            throw new IllegalArgumentException("random: " + d.kind() + " cannot be written as " + dtype);
        }
        int lanes = d.lanes(dtype);
        int[] w = new int[4];
        Object out = switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case BOOL -> new boolean[n];
            default -> new long[n];
        };
        for (int i = 0; i < n; i++) {
            long g = offset + i;
            block(seed, Long.divideUnsigned(g, lanes), w);
            int lane = (int) Long.remainderUnsigned(g, lanes);
            switch (out) {
                case float[] f -> f[i] = float32(d, w, lane);
                case double[] f -> f[i] = float64(d, w, lane);
                case boolean[] f -> f[i] = bernoulli(d, w, lane);
                case long[] f -> f[i] = int64(d, w, lane);
                default -> throw new AssertionError();
            }
        }
        return out;
    }
}
