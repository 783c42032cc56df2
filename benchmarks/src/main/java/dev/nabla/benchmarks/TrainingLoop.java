package dev.nabla.benchmarks;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The training loop of the example trainers, as state for {@link TrainingStepBenchmark} and
 * {@link ColdEpochBenchmark}: an example model at batch 128 on random data, and one step run as the
 * trainer runs it — inside a {@link TensorScope}, forward, {@link CrossEntropyLoss}, {@code zeroGrad},
 * backward, {@link Adam} step, releasing the gradients, and reading the loss.
 */
@State(Scope.Thread)
public abstract class TrainingLoop {
    @Param({"fashion-mlp", "fashion-cnn", "fashion-cnn-bn"})
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

    /** One training step; returns the loss. */
    @SuppressWarnings("try") // the scope is used for its effect
    protected double trainStep() {
        try (var scope = TensorScope.open()) {
            Tensor out = net.call(x);
            Tensor l = loss.forward(out, y);
            optimizer.zeroGrad();
            l.backward();
            optimizer.step();
            optimizer.releaseGrads();
            return l.item();
        }
    }
}
