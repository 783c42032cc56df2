package dev.nabla.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.inference.Slimming;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.onnx.OnnxExport;
import dev.nabla.inference.runtime.Predictor;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The compiled example CNN (with batch norms) against ONNX Runtime, side by side: Nabla's {@link Predictor} runs the
 * slimmed model ({@code nabla optimize}'s result, or, without {@code -p model=FILE.nabla}, the same architecture
 * pruned by 30% here), ONNX Runtime (all graph optimizations, 2 intra-op threads) runs the unslimmed model as Nabla
 * exports it to ONNX. Both at batch 1 and 256, 2 threads. Run with {@code -prof gc} for bytes allocated per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class PredictorBenchmark {
    @Param({"1", "256"})
    public int batch;
    /** A slimmed model file from {@code nabla optimize}; empty: prune a randomly initialized CNN by 30% here. */
    @Param({""})
    public String model;

    private Predictor predictor;
    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor ortInput;
    private Map<String, OnnxTensor> ortInputs;
    private Tensor x;

    @Setup(Level.Trial)
    public void setup() throws OrtException {
        BenchSupport.configure(2);
        Nabla.manualSeed(42);
        Module cnn = Models.cnnWithBatchNorm();
        cnn.eval();
        Tensor example = Tensor.zeros(1, 1, 28, 28);
        List<Slimming.Stage> stages = Slimming.of(cnn, example).calibration(calibration()).prune(0.3).run();
        predictor = model.isEmpty() ? Predictor.of(Slimming.result(stages).graph()) : Predictor.load(Path.of(model));
        Graph unslimmed = stages.get(0).graph();
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(2);
            options.setInterOpNumThreads(1);
            session = env.createSession(OnnxExport.toBytes(unslimmed, "fashion-cnn"), options);
        }
        x = Tensor.rand(batch, 1, 28, 28);
        ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), new long[]{batch, 1, 28, 28});
        ortInputs = Map.of("input", ortInput);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        ortInput.close();
        session.close();
        predictor.close();
    }

    @Benchmark
    public Tensor nablaSlimmed() {
        return predictor.predict(x);
    }

    @Benchmark
    public float ortUnslimmed() throws OrtException {
        try (OrtSession.Result result = session.run(ortInputs)) {
            return ((float[][]) result.get(0).getValue())[0][0];
        }
    }

    private static List<Tensor> calibration() {
        List<Tensor> batches = new ArrayList<>();
        try (var off = GradMode.noGrad()) {
            for (int i = 0; i < 4; i++) {
                batches.add(Tensor.rand(64, 1, 28, 28));
            }
        }
        return batches;
    }
}
