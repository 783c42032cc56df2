package dev.nabla.benchmarks;

import dev.nabla.DType;
import dev.nabla.cpu.CpuBackend;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Backend;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;

import java.util.SplittableRandom;

/** Set-up shared by the benchmarks: thread count, a kernel check, random operands. */
final class BenchSupport {
    private BenchSupport() {
    }

    /**
     * Sets the CPU backend's thread count and checks that the SIMD kernels are in use: a benchmark of
     * the scalar fallback by accident (no {@code --add-modules jdk.incubator.vector}) would be misleading.
     * Run with {@code -Dnabla.cpu.simd=false} to benchmark the scalar kernels on purpose.
     */
    static void configure(int threads) {
        String kernels = Kernels.floats().description();
        boolean scalarWanted = !Boolean.parseBoolean(System.getProperty("nabla.cpu.simd", "true"));
        if (Kernels.floats().getClass().getSimpleName().startsWith("Scalar") && !scalarWanted) {
            throw new IllegalStateException("the CPU backend runs its scalar kernels (" + kernels + "): run the "
                    + "benchmark JVM with --add-modules jdk.incubator.vector, or -Dnabla.cpu.simd=false to "
                    + "measure the scalar kernels on purpose");
        }
        CpuBackend.setThreads(threads);
    }

    /** A fresh CPU backend after {@link #configure}. */
    static CpuBackend backend(int threads) {
        configure(threads);
        return new CpuBackend();
    }

    /** {@code n} uniform floats in [-1, 1). */
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    /** A buffer of {@code n} random floats seen through {@code layout}. */
    static Operand operand(Backend backend, int n, long seed, Layout layout) {
        Buffer b = backend.fromArray(random(n, seed));
        return new Operand(b, layout);
    }

    /** An uninitialized FLOAT32 output of {@code layout}'s (contiguous) shape. */
    static Operand output(Backend backend, Layout layout) {
        Buffer b = backend.allocate(DType.FLOAT32, layout.numel());
        backend.fill(new Operand(b, Layout.contiguous(layout.numel())), 0);
        return new Operand(b, layout);
    }
}
