package dev.nabla.benchmarks;

import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.cpu.kernels.Kernels;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Would int8 arithmetic beat float here? Matrix-vector products (batch 1), one thread. On the example CNN's largest
 * layer (3136 inputs, 128 outputs), hand-written Vector API loops: float with FMA, and int8 with int32 accumulation
 * as well as the Vector API allows (widen bytes to shorts, multiply, widen to ints, add: it has no int8 dot-product
 * instruction such as VNNI's vpdpbusd). On the pruned model's first linear layer (1666 inputs, 113 outputs), the
 * CPU backend's own kernels ({@code dot} and {@code dotInt8}). The answer decides where the int8 stage computes in
 * int8; see docs/inference.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class Int8DotBenchmark {
    static final int K = 3136;
    static final int O = 128;
    static final int PRUNED_K = 1666;
    static final int PRUNED_O = 113;
    private final FloatKernels kernels = Kernels.floats();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    float[] wf;
    float[] xf;
    byte[] wq;
    byte[] xq;
    float[] outF = new float[O];
    int[] outQ = new int[O];

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        wf = new float[O * K];
        xf = new float[K];
        wq = new byte[O * K];
        xq = new byte[K];
        for (int i = 0; i < wf.length; i++) {
            wf[i] = (float) r.nextDouble(-1, 1);
            wq[i] = (byte) r.nextInt(-127, 128);
        }
        for (int i = 0; i < K; i++) {
            xf[i] = (float) r.nextDouble(0, 1);
            xq[i] = (byte) r.nextInt(0, 128);
        }
    }

    @Benchmark
    public float[] floatFma() {
        for (int o = 0; o < O; o++) {
            FloatVector acc = FloatVector.zero(F);
            int base = o * K;
            int k = 0;
            for (; k <= K - F.length(); k += F.length()) {
                acc = FloatVector.fromArray(F, wf, base + k).fma(FloatVector.fromArray(F, xf, k), acc);
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; k < K; k++) {
                s = Math.fma(wf[base + k], xf[k], s);
            }
            outF[o] = s;
        }
        return outF;
    }

    /** The CPU backend's own kernels on the pruned model's first linear layer (1666 inputs, 113 outputs). */
    @Benchmark
    public float[] backendFloatDots() {
        for (int o = 0; o < PRUNED_O; o++) {
            outF[o] = kernels.dot(wf, o * PRUNED_K, xf, 0, PRUNED_K);
        }
        return outF;
    }

    @Benchmark
    public int[] backendInt8Dots() {
        for (int o = 0; o < PRUNED_O; o++) {
            outQ[o] = kernels.dotInt8(wq, o * PRUNED_K, xq, 0, PRUNED_K);
        }
        return outQ;
    }

    @Benchmark
    public int[] int8Widening() {
        for (int o = 0; o < O; o++) {
            IntVector acc = IntVector.zero(I);
            int base = o * K;
            int k = 0;
            for (; k <= K - B.length(); k += B.length()) {
                ByteVector w = ByteVector.fromArray(B, wq, base + k);
                ByteVector x = ByteVector.fromArray(B, xq, k);
                for (int part = 0; part < 2; part++) {
                    ShortVector p = ((ShortVector) w.convertShape(VectorOperators.B2S, S, part))
                            .mul((ShortVector) x.convertShape(VectorOperators.B2S, S, part));
                    acc = acc.add((IntVector) p.convertShape(VectorOperators.S2I, I, 0))
                            .add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));
                }
            }
            int s = acc.reduceLanes(VectorOperators.ADD);
            for (; k < K; k++) {
                s += wq[base + k] * xq[k];
            }
            outQ[o] = s;
        }
        return outQ;
    }
}
