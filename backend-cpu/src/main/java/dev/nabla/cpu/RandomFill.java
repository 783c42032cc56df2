package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.random.Philox;
import dev.nabla.spi.Operand;
import dev.nabla.spi.RandomDistribution;

/**
 * {@link CpuBackend#random}: Philox4x32-10 words, computed once per block, converted by {@link Philox}'s definitions.
 * Work is split into chunks of a fixed size whatever the thread count, and every element depends only on its global
 * index, so the output never depends on how many threads ran.
 */
final class RandomFill {
    /** Elements per chunk: a multiple of 4 so that chunks start at a block boundary (not needed for correctness). */
    static final int GRAIN = 16 * 1024;

    private RandomFill() {
    }

    static void fill(RandomDistribution d, long seed, long offset, Operand out) {
        DType dtype = out.dtype();
        if (!d.supports(dtype)) {
            throw new IllegalArgumentException("cpu backend: random " + d.kind() + " cannot be written as " + dtype);
        }
        if (!out.layout().isContiguous()) {
            throw new IllegalArgumentException("cpu backend: random needs a contiguous output, found "
                    + out.layout());
        }
        int n = out.numel();
        int base = out.layout().offset();
        Object array = Elementwise.buf(out).array();
        int lanes = d.lanes(dtype);
        int shift = lanes == 4 ? 2 : 1;
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        Parallel.forChunks(n, GRAIN, Parallel.MIN_PARALLEL_ELEMENTS, (lo, hi) -> {
            int[] w = new int[4];
            long current = 0;
            boolean have = false;
            for (int i = lo; i < hi; i++) {
                long g = offset + i;
                long c = g >>> shift;
                if (!have || c != current) {
                    block(c, k0, k1, w);
                    current = c;
                    have = true;
                }
                int lane = (int) g & (lanes - 1);
                switch (dtype) {
                    case FLOAT32 -> ((float[]) array)[base + i] = Philox.float32(d, w, lane);
                    case FLOAT64 -> ((double[]) array)[base + i] = Philox.float64(d, w, lane);
                    case BOOL -> ((boolean[]) array)[base + i] = Philox.bernoulli(d, w, lane);
                    case INT64 -> ((long[]) array)[base + i] = Philox.int64(d, w, lane);
                    default -> throw new AssertionError(dtype);
                }
            }
        });
    }

    /** Philox4x32-10 of counter {@code (low32(c), high32(c), 0, 0)} under key {@code (k0, k1)}, unrolled. */
    static void block(long c, int k0, int k1, int[] w) {
        int c0 = (int) c, c1 = (int) (c >>> 32), c2 = 0, c3 = 0;
        final long m0 = Philox.M0 & 0xFFFF_FFFFL, m1 = Philox.M1 & 0xFFFF_FFFFL;
        for (int r = 0; r < Philox.ROUNDS; r++) {
            long p0 = m0 * (c0 & 0xFFFF_FFFFL);
            long p1 = m1 * (c2 & 0xFFFF_FFFFL);
            c0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            c1 = (int) p1;
            c2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c3 = (int) p0;
            k0 += Philox.W0;
            k1 += Philox.W1;
        }
        w[0] = c0;
        w[1] = c1;
        w[2] = c2;
        w[3] = c3;
    }
}
