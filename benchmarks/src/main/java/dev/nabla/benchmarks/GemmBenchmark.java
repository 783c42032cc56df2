package dev.nabla.benchmarks;

import dev.nabla.spi.Backend;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
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

import java.util.concurrent.TimeUnit;

/**
 * FLOAT32 GEMM through the backend SPI ({@link Backend#matmul}) with preallocated operands, so only the
 * kernel is timed: square products and the exact products of the example models' training steps
 * ({@link Workloads#LAYER_GEMMS}, with the transposed and shared operands autograd gives them).
 * Time per product; {@link Report} converts to GFLOP/s ({@code 2·batch·m·n·k} per product).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {

    /** Operands of one product, built once per trial. */
    static final class Product {
        private final Backend backend;
        private final Operand a;
        private final Operand b;
        private final Operand out;

        Product(Backend backend, Workloads.Gemm g) {
            this.backend = backend;
            int batch = g.batch(), m = g.m(), n = g.n(), k = g.k();
            int aBatches = g.broadcastA() ? 1 : batch;
            int sab = g.broadcastA() ? 0 : m * k;
            Layout la = g.transA()
                    ? new Layout(new int[]{batch, m, k}, new int[]{sab, 1, m}, 0)
                    : new Layout(new int[]{batch, m, k}, new int[]{sab, k, 1}, 0);
            Layout lb = g.transB()
                    ? new Layout(new int[]{batch, k, n}, new int[]{k * n, 1, k}, 0)
                    : new Layout(new int[]{batch, k, n}, new int[]{k * n, n, 1}, 0);
            this.a = BenchSupport.operand(backend, aBatches * m * k, 1, la);
            this.b = BenchSupport.operand(backend, batch * k * n, 2, lb);
            this.out = BenchSupport.output(backend, Layout.contiguous(batch, m, n));
        }

        void run() {
            backend.matmul(a, b, out);
        }
    }

    @State(Scope.Thread)
    public static class Square {
        @Param({"64", "128", "256", "512", "1024", "2048"})
        public int n;
        @Param({"1", "2"})
        public int threads;
        Product gemm;

        @Setup(Level.Trial)
        public void setup() {
            gemm = new Product(BenchSupport.backend(threads), Workloads.square(n));
        }
    }

    @State(Scope.Thread)
    public static class Layer {
        /** Keys of {@link Workloads#LAYER_GEMMS}. */
        @Param({"mlp.fc1.fwd", "mlp.fc1.gradIn", "mlp.fc1.gradW",
                "mlp.fc2.fwd", "mlp.fc2.gradIn", "mlp.fc2.gradW",
                "mlp.fc3.fwd", "mlp.fc3.gradIn", "mlp.fc3.gradW",
                "cnn.conv1.fwd", "cnn.conv1.gradW",
                "cnn.conv2.fwd", "cnn.conv2.gradIn", "cnn.conv2.gradW",
                "cnn.fc1.fwd", "cnn.fc1.gradIn", "cnn.fc1.gradW",
                "cnn.fc2.fwd", "cnn.fc2.gradIn", "cnn.fc2.gradW"})
        public String product;
        @Param({"1", "2"})
        public int threads;
        Product gemm;

        @Setup(Level.Trial)
        public void setup() {
            Workloads.Gemm g = Workloads.LAYER_GEMMS.get(product);
            if (g == null) {
                throw new IllegalArgumentException("unknown layer GEMM '" + product + "'; known: "
                        + Workloads.LAYER_GEMMS.keySet());
            }
            gemm = new Product(BenchSupport.backend(threads), g);
        }
    }

    @Benchmark
    public void square(Square s) {
        s.gemm.run();
    }

    @Benchmark
    public void layer(Layer s) {
        s.gemm.run();
    }
}
