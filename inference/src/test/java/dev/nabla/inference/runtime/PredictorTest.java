package dev.nabla.inference.runtime;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.inference.passes.PassManager;
import dev.nabla.inference.passes.Pipelines;
import dev.nabla.nn.Module;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.nabla.inference.TestModels.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictorTest {

    private static Graph slim(Module model) {
        return new PassManager(Pipelines.exact(), false).run(GraphCapture.trace(model, TestModels.input(2, 1))).graph();
    }

    @Test
    void predictionsEqualTheInterpreterBitForBitAtEveryBatchSizeAndOnReuse() {
        for (Module model : List.of(TestModels.mlp(), TestModels.cnn(false), TestModels.cnn(true))) {
            for (Graph graph : List.of(GraphCapture.trace(model, TestModels.input(2, 1)), slim(model))) {
                Predictor predictor = Predictor.of(graph);
                for (int round = 0; round < 2; round++) {
                    for (int batch : new int[]{1, 4, 33}) {
                        Tensor x = TestModels.input(batch, 7 * batch + round);
                        assertBitwiseEqual(Interpreter.run(graph, x), predictor.predict(x), "batch " + batch);
                    }
                }
            }
        }
    }

    @Test
    void valuesWithDisjointLifetimesShareMemory() {
        Graph graph = GraphCapture.trace(TestModels.cnn(true), TestModels.input(2, 1));
        Predictor predictor = Predictor.of(graph);
        long all = graph.calls().stream().mapToLong(c -> c.output().type().numel(64)).sum()
                + graph.inputs().get(0).type().numel(64);
        long planned = predictor.workingElements(64);
        // under half of what one buffer per value would take
        assertTrue(planned * 2 < all, "planned " + planned + " of " + all + " elements");
    }

    @Test
    void singleSamplesAndConcurrentCallsGiveTheSameAnswers() throws Exception {
        Module model = TestModels.cnn(true);
        Graph graph = slim(model);
        Predictor predictor = Predictor.of(graph);
        Tensor batch = TestModels.input(16, 3);
        float[] expected = Interpreter.run(graph, batch).toFloatArray();
        float[] one = predictor.predict(batch.narrow(0, 5, 1).contiguous().toFloatArray());
        float[] row = java.util.Arrays.copyOfRange(expected, 50, 60);
        assertArrayEquals(row, one, 1e-6f);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> predictor.predict(batch).toFloatArray()));
            }
            for (Future<float[]> f : results) {
                assertArrayEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void opsThatCannotWriteIntoAGivenTensorStillRun() {
        GraphEditor e = GraphEditor.empty();
        TensorType t = TensorType.batched(DType.FLOAT32, 3);
        Value in = e.input("input", t);
        Value padded = e.call(new Op.Pad(new int[]{1, 1}, 0.5), TensorType.batched(DType.FLOAT32, 5), Scope.NONE, in);
        Value exp = e.call(new Op.Unary(UnaryOp.EXP), TensorType.batched(DType.FLOAT32, 5), Scope.NONE, padded);
        Value c = e.constant("c", Tensor.ones(5), Node.Role.CONSTANT, Scope.NONE);
        Value sum = e.call(new Op.Binary(BinaryOp.ADD), TensorType.batched(DType.FLOAT32, 5), Scope.NONE, exp, c);
        Value t2 = e.call(new Op.Permute(new int[]{1, 0}), new TensorType(DType.FLOAT32, new int[]{5, -1}), Scope.NONE, sum);
        Value flat = e.call(new Op.Reshape(new int[]{-1, 5}), TensorType.batched(DType.FLOAT32, 5), Scope.NONE, t2);
        e.setOutputs(List.of(flat));
        Graph graph = e.build();
        Tensor x = Tensor.randn(4, 3);
        assertBitwiseEqual(Interpreter.run(graph, x), Predictor.of(graph).predict(x), "pad, permute, reshape");
    }

    /** At batch 1, a permuted [1,4,1] tensor counts as contiguous: its copy must still follow every new input. */
    @Test
    void aContiguousCopyOfAnAlreadyContiguousViewFollowsTheInput() {
        GraphEditor e = GraphEditor.empty();
        Value in = e.input("input", TensorType.batched(DType.FLOAT32, 1, 4));
        TensorType transposed = new TensorType(DType.FLOAT32, new int[]{-1, 4, 1});
        Value t = e.call(new Op.Permute(new int[]{0, 2, 1}), transposed, Scope.NONE, in);
        Value c = e.call(new Op.Contiguous(), transposed, Scope.NONE, t);
        Value exp = e.call(new Op.Unary(UnaryOp.EXP), transposed, Scope.NONE, c);
        e.setOutputs(List.of(exp));
        Graph graph = e.build();
        Predictor predictor = Predictor.of(graph);
        for (int round = 0; round < 3; round++) {
            for (int batch : new int[]{1, 3}) {
                Tensor x = Tensor.randn(batch, 1, 4);
                assertBitwiseEqual(Interpreter.run(graph, x), predictor.predict(x), "batch " + batch + " round " + round);
            }
        }
    }

    @Test
    void wrongInputsAreRefused() {
        Predictor predictor = Predictor.of(slim(TestModels.mlp()));
        GraphException shape = assertThrows(GraphException.class, () -> predictor.predict(Tensor.ones(2, 1, 8, 9)));
        assertTrue(shape.getMessage().contains("f32[N,1,8,8]"), shape.getMessage());
        assertThrows(GraphException.class, () -> predictor.predict(new float[63]));
    }
}
