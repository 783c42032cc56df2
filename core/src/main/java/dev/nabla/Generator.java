package dev.nabla;

/**
 * A seeded source of random numbers (SplitMix64). Its whole state is one {@code long}, so it can be
 * saved in a checkpoint and restored exactly. Not thread-safe: use one per thread or synchronize.
 *
 * <p>Random tensors ({@link Tensor#rand}, {@link Tensor#randn}, {@link Tensor#randint}, the initializers, dropout
 * masks) are made on their device by Philox4x32-10 ({@link dev.nabla.spi.Backend#random}): each such call takes
 * exactly one {@link #nextLong()} from the generator as the call's 64-bit Philox key and draws elements 0, 1, 2, ...
 * of that key's stream on the device. SplitMix64's output is a bijection of its state, which visits 2^64 distinct
 * values, so the keys of successive calls never repeat and their streams never overlap. The host methods below
 * ({@link #nextDouble()}, {@link #nextGaussian()}, ...) serve host-side uses such as the data loader's shuffling.
 */
public final class Generator {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    public Generator(long seed) {
        manualSeed(seed);
    }

    public void manualSeed(long seed) {
        state = seed;
    }

    public long getState() {
        return state;
    }

    /** Restores a state from {@link #getState()}. */
    public void setState(long state) {
        this.state = state;
    }

    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits: exactly representable as a float, so never rounds up to 1. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform integer in [0, bound). */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, found " + bound);
        }
        // Rejection sampling keeps the distribution exactly uniform.
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound);
        long r;
        do {
            r = nextLong() >>> 1;
        } while (r >= limit);
        return r % bound;
    }

    /**
     * Standard normal by the Box-Muller transform. Only the cosine half of each pair is used, so
     * that the whole state stays one {@code long}.
     */
    public double nextGaussian() {
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
