package dev.nabla.benchmarks;

import dev.nabla.spi.Backend;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.UnaryOp;
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
 * Contiguous FLOAT32 elementwise kernels through the backend SPI with a preallocated output:
 * {@code add}, {@code mul} (two inputs) and {@code exp}, {@code relu}, {@code sigmoid} (one input) on
 * 1M and 16M elements. {@link Report} converts the time to GB/s from the bytes that must move
 * ({@link Workloads#elementwiseBytes}: each input read once, the output written once).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class ElementwiseBenchmark {
    @Param({"add", "mul", "exp", "relu", "sigmoid"})
    public String op;
    @Param({"1048576", "16777216"})
    public int size;
    @Param({"1", "2"})
    public int threads;

    private Backend backend;
    private Operand a;
    private Operand b;
    private Operand out;
    private BinaryOp binary;
    private UnaryOp unary;

    @Setup(Level.Trial)
    public void setup() {
        backend = BenchSupport.backend(threads);
        Layout layout = Layout.contiguous(size);
        a = BenchSupport.operand(backend, size, 1, layout);
        out = BenchSupport.output(backend, layout);
        switch (op) {
            case "add" -> binary = BinaryOp.ADD;
            case "mul" -> binary = BinaryOp.MUL;
            case "exp" -> unary = UnaryOp.EXP;
            case "relu" -> unary = UnaryOp.RELU;
            case "sigmoid" -> unary = UnaryOp.SIGMOID;
            default -> throw new IllegalArgumentException("unknown op " + op);
        }
        if (binary != null) {
            b = BenchSupport.operand(backend, size, 2, layout);
        }
    }

    @Benchmark
    public void run() {
        if (binary != null) {
            backend.binary(binary, a, b, out);
        } else {
            backend.unary(unary, a, out, 0);
        }
    }
}
