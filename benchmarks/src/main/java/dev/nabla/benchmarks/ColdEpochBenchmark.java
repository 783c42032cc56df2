package dev.nabla.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One whole epoch ({@value Workloads#STEPS_PER_EPOCH} training steps at batch 128, random data) in a fresh
 * JVM with no warm-up: what the first epoch of the example CLI costs in the training loop itself, JIT
 * compilation included (data loading excluded). Each fork gives one sample; compare with
 * {@link TrainingStepBenchmark} x {@value Workloads#STEPS_PER_EPOCH}, the steady state. Run it with its
 * own settings: {@code -wi}/{@code -i}/{@code -bs} on the command line would change what it measures.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 0)
@Measurement(iterations = 1, batchSize = Workloads.STEPS_PER_EPOCH)
@State(Scope.Thread)
public class ColdEpochBenchmark extends TrainingLoop {

    @Benchmark
    public double epoch() {
        return trainStep();
    }
}
