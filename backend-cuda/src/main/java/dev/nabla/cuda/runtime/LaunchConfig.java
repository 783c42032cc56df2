package dev.nabla.cuda.runtime;

/**
 * A 1-D launch shape: {@code grid} blocks of {@code block} threads, and the dynamic shared memory per block.
 * Nabla's element-wise kernels loop grid-stride ({@code NABLA_FOR_EACH}), so they are correct for any grid: the grid
 * is capped at a few waves of the device's multiprocessors rather than one thread per element.
 */
public record LaunchConfig(int grid, int block, int sharedBytes) {
    /** Threads per block for element-wise kernels. */
    public static final int DEFAULT_BLOCK = 256;
    /** Resident blocks per SM assumed when capping (2048 threads per SM / 256). */
    static final int WAVES = 4;

    public LaunchConfig {
        if (grid < 1 || block < 1 || block > 1024 || sharedBytes < 0) {
            throw new IllegalArgumentException("bad launch: grid " + grid + ", block " + block + ", shared "
                    + sharedBytes);
        }
    }

    /**
     * A grid for {@code n} elements with one element per thread where that takes fewer blocks than the cap, else the
     * cap: {@code multiprocessors * (maxThreadsPerMultiprocessor / block) * WAVES} blocks. At least one block (a
     * kernel with {@code n == 0} does nothing, but callers usually skip the launch).
     */
    public static LaunchConfig forElements(long n, int block, int multiprocessors, int maxThreadsPerMultiprocessor) {
        if (n < 0) {
            throw new IllegalArgumentException("element count must be >= 0, found " + n);
        }
        int perSm = Math.max(1, maxThreadsPerMultiprocessor / block);
        long cap = (long) Math.max(1, multiprocessors) * perSm * WAVES;
        long blocks = Math.max(1, Math.ceilDiv(n, block));
        return new LaunchConfig((int) Math.min(Math.min(blocks, cap), Integer.MAX_VALUE), block, 0);
    }
}
