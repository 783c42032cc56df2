package dev.nabla.inference.training;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import org.junit.jupiter.api.Test;

import static dev.nabla.inference.TestModels.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphModuleTest {

    @Test
    void gradientsThroughTheGraphEqualTheEagerModelsBitForBit() {
        Module model = TestModels.cnn(false);
        Graph graph = GraphCapture.trace(model, TestModels.input(2, 1));
        GraphModule trainable = new GraphModule(graph);
        assertEquals(model.numParameters(), trainable.numParameters());
        Tensor x = TestModels.input(6, 3);
        Tensor y = Tensor.of(new long[]{1, 2, 3, 4, 5, 6});
        model.eval();
        new CrossEntropyLoss().forward(model.call(x), y).backward();
        new CrossEntropyLoss().forward(trainable.call(x), y).backward();
        for (var e : model.namedParameters().entrySet()) {
            Tensor mine = trainable.namedParameters().get(e.getKey().replace('.', '_'));
            assertBitwiseEqual(e.getValue().grad(), mine.grad(), e.getKey());
        }
    }

    @Test
    void trainingChangesACopyAndToGraphReturnsTheTrainedWeights() {
        Module model = TestModels.mlp();
        Graph graph = GraphCapture.trace(model, TestModels.input(2, 1));
        String before = graph.toString();
        float[] originalWeight = graph.constantsByName().get("1.weight").value().toFloatArray();
        GraphModule trainable = new GraphModule(graph);
        Adam adam = new Adam(trainable.parameters(), 1e-2);
        Tensor x = TestModels.input(32, 4);
        Tensor y = Tensor.of(new long[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1});
        double first = 0;
        double last = 0;
        for (int step = 0; step < 30; step++) {
            try (var scope = TensorScope.open()) {
                Tensor loss = new CrossEntropyLoss().forward(trainable.call(x), y);
                adam.zeroGrad();
                loss.backward();
                adam.step();
                last = loss.item();
                first = step == 0 ? last : first;
            }
        }
        assertTrue(last < first * 0.5, "loss " + first + " -> " + last);
        assertEquals(before, graph.toString());
        assertBitwiseEqual(Tensor.of(originalWeight), graph.constantsByName().get("1.weight").value().reshape(-1), "kept");
        Graph trained = trainable.toGraph();
        Tensor out = Interpreter.run(trained, x);
        double trainedLoss = new CrossEntropyLoss().forward(out, y).item();
        assertTrue(trainedLoss < first * 0.5, "trained graph loss " + trainedLoss);
        assertEquals(DType.FLOAT32, out.dtype());
    }
}
