package dev.nabla.benchmarks;

import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Module;
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
 * Forward-only latency of an example model ({@code eval()} mode, under {@code noGrad}, inside a
 * {@link TensorScope}) at batch 1 and 256 on random inputs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class InferenceBenchmark {
    @Param({"fashion-mlp", "fashion-cnn"})
    public String model;
    @Param({"1", "256"})
    public int batch;
    @Param({"1", "2"})
    public int threads;

    private Module net;
    private Tensor x;

    @Setup(Level.Trial)
    public void setup() {
        BenchSupport.configure(threads);
        Nabla.manualSeed(42);
        net = Models.of(model);
        net.eval();
        x = Tensor.randn(batch, 1, 28, 28);
    }

    @Benchmark
    @SuppressWarnings("try") // the scope (and grad mode) are used for their effect
    public void forward(Blackhole bh) {
        try (var off = GradMode.noGrad(); var scope = TensorScope.open()) {
            bh.consume(net.call(x));
        }
    }
}
