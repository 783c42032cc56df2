package dev.nabla.random;

import dev.nabla.DType;
import dev.nabla.spi.RandomDistribution;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhiloxTest {
    /**
     * The three philox4x32 10 known-answer vectors of Random123's tests/kat_vectors (counter c0..c3, key k0 k1,
     * expected output), as published by D. E. Shaw Research.
     */
    private static final int[][] KAT = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {-1, -1, -1, -1, -1, -1, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
            0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
    };

    @Test
    void knownAnswers() {
        for (int[] v : KAT) {
            int[] out = new int[4];
            Philox.block(v[0], v[1], v[2], v[3], v[4], v[5], out);
            assertArrayEquals(new int[]{v[6], v[7], v[8], v[9]}, out, () -> "KAT " + Integer.toHexString(v[0]));
        }
    }

    @Test
    void blockNumberAndSeedMapToCounterAndKey() {
        int[] a = new int[4], b = new int[4];
        Philox.block(0x299f31d0_a4093822L, 0x85a308d3_243f6a88L, a);
        Philox.block(0x243f6a88, 0x85a308d3, 0, 0, 0xa4093822, 0x299f31d0, b);
        assertArrayEquals(b, a, "counter (low32(c), high32(c), 0, 0), key (low32(seed), high32(seed))");
        Philox.block(0, 0, a);
        assertArrayEquals(new int[]{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, a);
    }

    @Test
    void conversionsAtTheirExtremes() {
        assertEquals(0f, Philox.u24(0));
        assertEquals(1 - 0x1.0p-24f, Philox.u24(-1), 0);
        assertEquals(0.5f, Philox.u24(0x8000_0000), 0);
        assertEquals(1 - 0x1.0p-53, Philox.u53(-1L), 0);
        assertEquals(0x7FFF_FFFF_0000_0001L, Philox.word64(new int[]{1, 0x7FFF_FFFF, 0, 0}, 0));
        assertEquals(0xFFFF_FFFF_0000_0002L, Philox.word64(new int[]{0, 0, 2, -1}, 1));

        int[] ones = {-1, -1, -1, -1};
        int[] zeros = {0, 0, 0, 0};
        RandomDistribution unit = RandomDistribution.uniform(0, 1);
        assertEquals(1 - 0x1.0p-24f, Philox.float32(unit, ones, 2), 0, "never 1");
        assertEquals(1 - 0x1.0p-53, Philox.float64(unit, ones, 1), 0);
        // 1 + (2^-23)(1 - 2^-24) rounds to 1 + 2^-23 in float: clamped below the bound.
        assertEquals(1f, Philox.float32(RandomDistribution.uniform(1, 1 + 0x1.0p-23), ones, 0), 0);
        assertEquals(-2f, Philox.float32(RandomDistribution.uniform(-2, 3), zeros, 3), 0);

        RandomDistribution half = RandomDistribution.bernoulli(0.5);
        assertTrue(Philox.bernoulli(half, new int[]{0x7FFF_FFFF, 0, 0, 0}, 0));
        assertFalse(Philox.bernoulli(half, new int[]{0x8000_0000, 0, 0, 0}, 0));
        assertTrue(Philox.bernoulli(RandomDistribution.bernoulli(1), ones, 0), "p = 1 always");
        assertFalse(Philox.bernoulli(RandomDistribution.bernoulli(0), zeros, 0), "p = 0 never");
        assertEquals(1.0, Philox.float64(half, zeros, 3));

        RandomDistribution all = RandomDistribution.integers(Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(Long.MIN_VALUE, Philox.int64(all, zeros, 0));
        assertEquals(Long.MAX_VALUE - 1, Philox.int64(all, ones, 1));
        assertEquals(9, Philox.int64(RandomDistribution.integers(0, 10), ones, 0));
        assertEquals(-5, Philox.int64(RandomDistribution.integers(-5, 5), zeros, 0));

        // Box-Muller: u1 = 1 gives r = 0 whatever the angle; u1 = 2^-24 is the largest radius in float.
        RandomDistribution std = RandomDistribution.normal(0, 1);
        assertEquals(0f, Philox.float32(std, new int[]{-1, 123, 0, 0}, 0), 0);
        assertEquals((float) Math.sqrt(-2 * Math.log(0x1.0p-24)), Philox.float32(std, zeros, 0), 1e-6);
        assertEquals(0f, Philox.float32(std, zeros, 1), 0, "sin(0)");
        assertEquals(3.5f, Philox.float32(RandomDistribution.normal(3.5, 2), new int[]{0, 0, -1, 77}, 3), 0);
    }

    @Test
    void referenceLaysElementsOverBlocksAndLanes() {
        long seed = 0xFEED_BEEF_1234_5678L;
        int[] w = new int[4];
        float[] f = (float[]) Philox.reference(RandomDistribution.uniform(0, 1), DType.FLOAT32, seed, 5, 8);
        Philox.block(seed, 1, w); // element 5 = block 1, lane 1
        assertEquals(Philox.u24(w[1]), f[0], 0);
        assertEquals(Philox.u24(w[3]), f[2], 0);
        Philox.block(seed, 2, w);
        assertEquals(Philox.u24(w[0]), f[3], 0);

        double[] d = (double[]) Philox.reference(RandomDistribution.uniform(0, 1), DType.FLOAT64, seed, 3, 2);
        Philox.block(seed, 1, w); // element 3 = block 1, lane 1 (words 2 and 3)
        assertEquals(Philox.u53(Philox.word64(w, 1)), d[0], 0);
        Philox.block(seed, 2, w);
        assertEquals(Philox.u53(Philox.word64(w, 0)), d[1], 0);

        boolean[] bits = (boolean[]) Philox.reference(RandomDistribution.bernoulli(0.5), DType.BOOL, seed, 6, 1);
        Philox.block(seed, 1, w);
        assertEquals((w[2] & 0xFFFF_FFFFL) < (1L << 31), bits[0]);

        // Wrapping: the element at offset 2^64 - 1 is block (2^64 - 1) / 4, lane 3, and the next is block 0, lane 0.
        float[] wrap = (float[]) Philox.reference(RandomDistribution.uniform(0, 1), DType.FLOAT32, seed, -1, 2);
        Philox.block(seed, -1L >>> 2, w);
        assertEquals(Philox.u24(w[3]), wrap[0], 0);
        Philox.block(seed, 0, w);
        assertEquals(Philox.u24(w[0]), wrap[1], 0);

        assertThrows(IllegalArgumentException.class,
                () -> Philox.reference(RandomDistribution.normal(0, 1), DType.INT64, seed, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> RandomDistribution.integers(3, 3));
    }
}
