package dev.nabla.benchmarks;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
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
 * One training step of an example model at batch 128 on random data, as the trainer runs it: inside a
 * {@link TensorScope}, forward, {@link CrossEntropyLoss}, {@code zeroGrad}, backward, {@link Adam} step,
 * and reading the loss. {@link Report} adds the implied epoch time ({@value Workloads#STEPS_PER_EPOCH}
 * steps; data loading not included).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class TrainingStepBenchmark {
    @Param({"fashion-mlp", "fashion-cnn"})
    public String model;
    @Param({"1", "2"})
    public int threads;

    private Module net;
    private Optimizer optimizer;
    private final CrossEntropyLoss loss = new CrossEntropyLoss();
    private Tensor x;
    private Tensor y;

    @Setup(Level.Trial)
    public void setup() {
        BenchSupport.configure(threads);
        Nabla.manualSeed(42);
        net = Models.of(model);
        net.train();
        optimizer = new Adam(net.parameters(), 1e-3);
        x = Tensor.randn(Workloads.BATCH, 1, 28, 28);
        y = Tensor.randint(0, 10, Workloads.BATCH);
        if (y.dtype() != DType.INT64) {
            throw new IllegalStateException("targets should be INT64, found " + y.dtype());
        }
    }

    @Benchmark
    @SuppressWarnings("try") // the scope (and grad mode) are used for their effect
    public double step() {
        try (var scope = TensorScope.open()) {
            Tensor out = net.forward(x);
            Tensor l = loss.forward(out, y);
            optimizer.zeroGrad();
            l.backward();
            optimizer.step();
            return l.item();
        }
    }
}
