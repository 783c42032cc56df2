package dev.nabla.benchmarks;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.spi.Backend;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.ReduceOp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * FLOAT32 sums through the backend SPI ({@link Backend#reduce}) with a preallocated output — over all
 * elements, over the last dimension (per row) and over the first dimension (per column) of a 1M
 * ([1024, 1024]) and a 16M ([4096, 4096]) matrix — and softmax over the rows of [4096, 1024] through
 * the tensor API ({@link Tensor#softmax}, under {@code noGrad}; core composes it from backend primitives).
 * {@link Report} converts to GB/s: input read once, output written once.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReductionBenchmark {

    @State(Scope.Thread)
    public static class Sum {
        @Param({"sumAll", "sumLastDim", "sumFirstDim"})
        public String kind;
        @Param({"1024x1024", "4096x4096"})
        public String shape;
        @Param({"1", "2"})
        public int threads;

        Backend backend;
        Operand x;
        Operand out;
        int[] dims;

        @Setup(Level.Trial)
        public void setup() {
            backend = BenchSupport.backend(threads);
            int[] rc = Workloads.matrix(shape);
            int rows = rc[0], cols = rc[1];
            x = BenchSupport.operand(backend, rows * cols, 1, Layout.contiguous(rows, cols));
            switch (kind) {
                case "sumAll" -> {
                    dims = new int[]{0, 1};
                    out = BenchSupport.output(backend, Layout.contiguous(1, 1));
                }
                case "sumLastDim" -> {
                    dims = new int[]{1};
                    out = BenchSupport.output(backend, Layout.contiguous(rows, 1));
                }
                case "sumFirstDim" -> {
                    dims = new int[]{0};
                    out = BenchSupport.output(backend, Layout.contiguous(1, cols));
                }
                default -> throw new IllegalArgumentException("unknown reduction " + kind);
            }
        }
    }

    @State(Scope.Thread)
    public static class Softmax {
        @Param({"1", "2"})
        public int threads;
        Tensor x;

        @Setup(Level.Trial)
        public void setup() {
            BenchSupport.configure(threads);
            int rows = Workloads.SOFTMAX_ROWS, cols = Workloads.SOFTMAX_COLS;
            x = Tensor.of(BenchSupport.random(rows * cols, 1), rows, cols).mul(4);
        }
    }

    @Benchmark
    public void sum(Sum s) {
        s.backend.reduce(ReduceOp.SUM, s.x, s.dims, s.out);
    }

    @Benchmark
    @SuppressWarnings("try") // the scope (and grad mode) are used for their effect
    public void softmax(Softmax s, Blackhole bh) {
        try (var off = GradMode.noGrad(); var scope = TensorScope.open()) {
            bh.consume(s.x.softmax(1));
        }
    }
}
