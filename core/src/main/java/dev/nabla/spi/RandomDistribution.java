package dev.nabla.spi;

import dev.nabla.DType;

/**
 * What {@link Backend#random} draws. Every backend produces each element from the same Philox4x32-10 words by the
 * same arithmetic, defined here, so that a seed gives the same tensor on every backend (see
 * {@link dev.nabla.random.Philox}, whose static methods are the reference implementation).
 *
 * <h2>Words</h2>
 * The stream keyed by a 64-bit {@code seed} is the sequence of Philox4x32-10 blocks {@code B(c)} for block numbers
 * {@code c = 0, 1, 2, ...}: key {@code (k0, k1) = (low32(seed), high32(seed))}, counter
 * {@code (low32(c), high32(c), 0, 0)}, four uint32 output words {@code x0..x3} per block. Element {@code i} of the
 * output has the global index {@code g = offset + i} (unsigned 64-bit, wrapping) and takes its bits from block
 * {@code c = g / L}, lane {@code l = g % L}, where {@code L} ("lanes", {@link #lanes}) is 4 for 32-bit draws and 2 for
 * 64-bit draws. A 64-bit lane {@code l} is the word {@code y = x(2l) | x(2l+1) << 32}. So element {@code g} depends
 * only on the seed, {@code g}, the distribution and the dtype: filling {@code [0, n)} in one call or in pieces at
 * offsets {@code 0, k, ...} gives the same values.
 *
 * <h2>Values</h2>
 * Below, {@code u24(x) = (x >>> 8) * 2^-24} (exact, in [0, 1)), {@code u53(y) = (y >>> 11) * 2^-53} (exact, in
 * [0, 1)); all arithmetic is IEEE double with round-to-nearest and no fused multiply-add unless a dtype says float;
 * {@code (float)} is round-to-nearest.
 * <ul>
 *   <li>{@link Kind#UNIFORM} in [a, b): FLOAT32 (L = 4) {@code v = (float)(a + (b - a) * u24(x_l))}; FLOAT64 (L = 2)
 *       {@code v = a + (b - a) * u53(y_l)}. If {@code a < b} and rounding made {@code v >= b}, {@code v} becomes the
 *       largest value of the dtype below {@code b}. Bit-identical on every backend.</li>
 *   <li>{@link Kind#NORMAL} with mean a and standard deviation b, by Box–Muller on a pair of uniforms:
 *       FLOAT32 (L = 4): lanes {@code 2p} and {@code 2p+1} share {@code u1 = ((x(2p) >>> 8) + 1) * 2^-24} (in (0, 1])
 *       and {@code u2 = u24(x(2p+1))}; FLOAT64 (L = 2): both lanes share {@code u1 = ((y0 >>> 11) + 1) * 2^-53} and
 *       {@code u2 = u53(y1)}. In double: {@code r = sqrt(-2 log u1)}, {@code t = 2 pi u2} (2 pi the double nearest),
 *       {@code z = r cos t} for an even lane and {@code r sin t} for an odd one, {@code v = a + b z}, rounded once to
 *       FLOAT32 for FLOAT32. The reference uses {@link StrictMath} (fdlibm), so the CPU backends agree bit for bit; a
 *       backend with another libm (a GPU's {@code log}, {@code cos}, {@code sin}, each within a few ulps in double)
 *       matches FLOAT32 bit for bit except, rarely (about one element in 10^8), by one float ulp, and FLOAT64 within a
 *       few double ulps of {@code |mean| + |std z|} (not of the result, which loses precision where the two cancel).</li>
 *   <li>{@link Kind#BERNOULLI} with probability a (L = 4, any of FLOAT32, FLOAT64, BOOL): 1 (true) if
 *       {@code x_l * 2^-32 < a}, else 0 (false), compared in double (exact). Bit-identical on every backend.</li>
 *   <li>{@link Kind#INTEGERS} in [low, high), INT64 only (L = 2): {@code v = low + mulhi64(y_l, high - low)}, where
 *       {@code mulhi64} is the high 64 bits of the unsigned 128-bit product and the arithmetic wraps modulo 2^64
 *       (so any {@code low < high} works). Not rejection-sampled: a value's probability is off by at most
 *       {@code (high - low) / 2^64} relative. Bit-identical on every backend.</li>
 * </ul>
 *
 * @param kind which distribution
 * @param a    UNIFORM's lower bound, NORMAL's mean, BERNOULLI's probability
 * @param b    UNIFORM's upper bound, NORMAL's standard deviation
 * @param low  INTEGERS' lower bound (inclusive)
 * @param high INTEGERS' upper bound (exclusive)
 */
public record RandomDistribution(Kind kind, double a, double b, long low, long high) {

    /** The families {@link Backend#random} draws from. */
    public enum Kind {
        UNIFORM, NORMAL, BERNOULLI, INTEGERS
    }

    public RandomDistribution {
        if (kind == null) {
            throw new IllegalArgumentException("random: kind must not be null");
        }
        if (kind == Kind.INTEGERS && high <= low) {
            throw new IllegalArgumentException("random: high (" + high + ") must be greater than low (" + low + ")");
        }
    }

    /** Uniform in [low, high). */
    public static RandomDistribution uniform(double low, double high) {
        return new RandomDistribution(Kind.UNIFORM, low, high, 0, 0);
    }

    /** Normal with {@code mean} and standard deviation {@code std}. */
    public static RandomDistribution normal(double mean, double std) {
        return new RandomDistribution(Kind.NORMAL, mean, std, 0, 0);
    }

    /** 1 (true) with probability {@code p}, else 0 (false). */
    public static RandomDistribution bernoulli(double p) {
        return new RandomDistribution(Kind.BERNOULLI, p, 0, 0, 0);
    }

    /** Uniform integers in [low, high). */
    public static RandomDistribution integers(long low, long high) {
        return new RandomDistribution(Kind.INTEGERS, 0, 0, low, high);
    }

    /** True if {@link Backend#random} can write this distribution into {@code dtype}. */
    public boolean supports(DType dtype) {
        return switch (kind) {
            case UNIFORM, NORMAL -> dtype == DType.FLOAT32 || dtype == DType.FLOAT64;
            case BERNOULLI -> dtype == DType.FLOAT32 || dtype == DType.FLOAT64 || dtype == DType.BOOL;
            case INTEGERS -> dtype == DType.INT64;
        };
    }

    /** Elements per Philox block for {@code dtype}: 4 for 32-bit draws, 2 for 64-bit ones. */
    public int lanes(DType dtype) {
        return switch (kind) {
            case UNIFORM, NORMAL -> dtype == DType.FLOAT64 ? 2 : 4;
            case BERNOULLI -> 4;
            case INTEGERS -> 2;
        };
    }
}
