package dev.nabla.benchmarks;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Convolutions;
import dev.nabla.nn.Conv2d;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The example CNN's two convolutions ({@link Workloads#CONVS}: 1→32 on 28x28 and 32→64 on 14x14, 3x3,
 * pad 1, batch 128) through {@link Convolutions#conv2d} (what {@code Functional.conv2d} calls) and autograd,
 * as a training step runs them:
 * <ul>
 *   <li>{@code forward}: with bias, under {@code noGrad};</li>
 *   <li>{@code backwardData}: only the input requires grad; times {@code out.backward(g)} alone (the
 *       forward that records the graph runs in the per-invocation set-up);</li>
 *   <li>{@code backwardFilter}: only the weight requires grad; likewise.</li>
 * </ul>
 * Each pass does {@code 2·N·O·C·9·H·W} floating-point operations ({@link Workloads.Conv#flops()}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBenchmark {
    @State(Scope.Thread)
    public static class Layer {
        @Param({"conv1", "conv2"})
        public String layer;
        @Param({"1", "2"})
        public int threads;

        /** Only its geometry (3x3, stride 1, pad 1) is used; weights are the fields below. */
        Conv2d conv;
        Tensor input;
        Tensor weight;
        Tensor bias;
        Tensor gradOut;

        @Setup(Level.Trial)
        public void setup() {
            BenchSupport.configure(threads);
            Workloads.Conv c = Workloads.CONVS.get(layer);
            int n = c.batch(), ci = c.inChannels(), co = c.outChannels(), s = c.size();
            conv = new Conv2d(ci, co, 3, 1, 1);
            input = Tensor.of(BenchSupport.random(n * ci * s * s, 1), n, ci, s, s);
            weight = Tensor.of(BenchSupport.random(co * ci * 9, 2), co, ci, 3, 3).mul(0.1);
            bias = Tensor.of(BenchSupport.random(co, 3), co);
            gradOut = Tensor.of(BenchSupport.random(n * co * s * s, 4), n, co, s, s);
        }
    }

    /** A recorded forward pass, made fresh before each backward invocation. */
    public abstract static class Recorded {
        TensorScope scope;
        Tensor out;
        Tensor leaf;

        abstract Tensor leaf(Layer l);

        @Setup(Level.Invocation)
        public void record(Layer l) {
            leaf = leaf(l);
            scope = TensorScope.open();
            out = Convolutions.conv2d(l.input, l.weight, null, l.conv.geometry(), 1);
        }

        @TearDown(Level.Invocation)
        public void release() {
            scope.close();
            Tensor g = leaf.grad();
            leaf.setGrad(null);
            if (g != null) {
                g.close();
            }
        }
    }

    @State(Scope.Thread)
    public static class DataGrad extends Recorded {
        @Override
        Tensor leaf(Layer l) {
            l.weight.requiresGrad(false);
            return l.input.requiresGrad(true);
        }
    }

    @State(Scope.Thread)
    public static class FilterGrad extends Recorded {
        @Override
        Tensor leaf(Layer l) {
            l.input.requiresGrad(false);
            return l.weight.requiresGrad(true);
        }
    }

    @Benchmark
    @SuppressWarnings("try") // the scope (and grad mode) are used for their effect
    public void forward(Layer l, Blackhole bh) {
        try (var off = GradMode.noGrad(); var scope = TensorScope.open()) {
            bh.consume(Convolutions.conv2d(l.input, l.weight, l.bias, l.conv.geometry(), 1));
        }
    }

    @Benchmark
    public void backwardData(Layer l, DataGrad r) {
        r.out.backward(l.gradOut);
    }

    @Benchmark
    public void backwardFilter(Layer l, FilterGrad r) {
        r.out.backward(l.gradOut);
    }
}
