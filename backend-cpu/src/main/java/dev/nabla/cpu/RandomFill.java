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
                    Philox.block((int) c, (int) (c >>> 32), 0, 0, k0, k1, w);
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
}
