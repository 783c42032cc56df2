package dev.nabla.inference.capture;

import dev.nabla.Tensor;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.TraceException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphDot;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static dev.nabla.inference.TestModels.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphCaptureTest {

    @Test
    void replayedGraphEqualsTheEagerModelBitForBitAtAnyBatchSize() {
        for (Module model : List.of(TestModels.mlp(), TestModels.cnn(false), TestModels.cnn(true),
                TestModels.ceilModePooling(true))) {
            Graph graph = GraphCapture.trace(model, TestModels.input(4, 1));
            for (int batch : new int[]{1, 2, 3, 17}) {
                Tensor x = TestModels.input(batch, 50 + batch);
                assertBitwiseEqual(TestModels.eager(model, x), Interpreter.run(graph, x), model + " at batch " + batch);
            }
        }
    }

    @Test
    void theBatchDimensionIsSymbolicAndFlattenRecordsMinusOne() {
        Graph graph = GraphCapture.trace(TestModels.cnn(false), TestModels.input(1, 1));
        assertEquals(TensorType.batched(dev.nabla.DType.FLOAT32, 1, 8, 8), graph.inputs().get(0).type());
        assertEquals(TensorType.batched(dev.nabla.DType.FLOAT32, 10), graph.outputs().get(0).type());
        Node.Call flatten = graph.calls().stream().filter(c -> c.op() instanceof Op.Reshape).findFirst().orElseThrow();
        assertArrayEquals(new int[]{-1, 64}, ((Op.Reshape) flatten.op()).shape());
        assertEquals("6", flatten.scope().path());
        assertEquals("Flatten", flatten.scope().type());
        assertTrue(graph.toString().contains("f32[N,8,8,8] = conv2d(input, 0.weight, 0.bias)"), graph.toString());
    }

    @Test
    void parametersBuffersAndConstantsAreNamedStoredTensorsInTheirModuleScope() {
        Module model = TestModels.cnn(true);
        Graph graph = GraphCapture.trace(model, TestModels.input(2, 1));
        var stored = graph.constantsByName();
        assertEquals(Node.Role.PARAMETER, stored.get("0.weight").role());
        assertEquals(Node.Role.BUFFER, stored.get("1.running_var").role());
        assertEquals(new Scope("1", "BatchNorm2d"), stored.get("1.running_var").scope());
        // batch norm's eps is an attribute of its op, which reads the running statistics as stored inputs
        Node.Call norm = graph.calls().stream().filter(c -> c.op() instanceof Op.BatchNorm).findFirst()
                .orElseThrow();
        assertEquals(new Op.BatchNorm(1e-5, false), norm.op());
        assertEquals(List.of("1.running_mean", "1.running_var", "1.weight", "1.bias"),
                norm.inputs().subList(1, 5).stream().map(v -> v.name()).toList());
        // layer norm's eps, made outside the ops by add(double), is a named constant of its module
        Graph normed = GraphCapture.trace(new Sequential(new Linear(4, 3),
                new dev.nabla.nn.LayerNorm(3)), Tensor.ones(2, 4));
        Node.Constant eps = normed.constants().stream().filter(c -> c.value().numel() == 1
                && Math.abs(c.value().item() - 1e-5) < 1e-12).findFirst().orElseThrow();
        assertEquals(Node.Role.CONSTANT, eps.role());
        assertEquals(new Scope("1", "LayerNorm"), eps.scope());
        assertTrue(eps.output().name().matches("1\\.const\\d+"), eps.output().name());
        assertTrue(normed.toString().contains(eps.output().name() + ": f32[] = constant 1.0E-5"), normed.toString());
        // stored tensors are copies: changing the model does not change the graph
        double before = stored.get("0.weight").value().toFloatArray()[0];
        try (var off = dev.nabla.autograd.GradMode.noGrad()) {
            model.namedParameters().get("0.weight").fillInPlace(42);
        }
        assertEquals(before, stored.get("0.weight").value().toFloatArray()[0]);
    }

    @Test
    void scopesNameEveryLayerInOrder() {
        Graph graph = GraphCapture.trace(TestModels.cnn(true), TestModels.input(2, 1));
        List<String> layers = graph.calls().stream().map(c -> c.scope().toString()).distinct()
                .collect(Collectors.toList());
        assertEquals(List.of("0 (Conv2d)", "1 (BatchNorm2d)", "2 (ReLU)", "3 (MaxPool2d)", "4 (Conv2d)",
                "5 (BatchNorm2d)", "6 (ReLU)", "7 (MaxPool2d)", "8 (Flatten)", "9 (Linear)", "10 (BatchNorm1d)",
                "11 (ReLU)", "12 (Linear)"), layers);
    }

    @Test
    void traceRunsInEvalModeAndRestoresTheModelsMode() {
        Module model = new Sequential(new Linear(4, 4), new Dropout(0.5), Activation.relu());
        model.train();
        Graph graph = GraphCapture.trace(model, Tensor.ones(2, 4));
        assertTrue(model.isTraining());
        // dropout is the identity in eval mode: no op of its own
        assertFalse(graph.calls().stream().anyMatch(c -> c.scope().path().equals("1")));
    }

    @Test
    void readingValuesIsRefusedNamingTheOpAndModule() {
        Module reads = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                double m = input.max().item();
                return input.mul(m);
            }
        };
        TraceException e = assertThrows(TraceException.class, () -> GraphCapture.trace(reads, Tensor.ones(2, 3)));
        assertTrue(e.getMessage().contains("made by 'max'") && e.getMessage().contains("item()"), e.getMessage());
    }

    @Test
    void randomNumbersAndInPlaceWritesAreRefused() {
        Module noisy = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                return input.add(Tensor.rand(input.shape()));
            }
        };
        TraceException random = assertThrows(TraceException.class, () -> GraphCapture.trace(noisy, Tensor.ones(2, 3)));
        assertTrue(random.getMessage().contains("'rand'"), random.getMessage());
        Module writes = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                Tensor y = input.mul(2);
                return y.addInPlace(input);
            }
        };
        TraceException inPlace = assertThrows(TraceException.class, () -> GraphCapture.trace(writes, Tensor.ones(2, 3)));
        assertTrue(inPlace.getMessage().contains("in place"), inPlace.getMessage());
    }

    @Test
    void computationThatDependsOnTheBatchSizeIsRefused() {
        Module branches = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                return input.size(0) % 2 == 0 ? input.mul(2) : input.exp();
            }
        };
        TraceException e = assertThrows(TraceException.class, () -> GraphCapture.trace(branches, Tensor.ones(2, 3)));
        assertTrue(e.getMessage().contains("batch size"), e.getMessage());
        Module extraRow = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                return Tensor.cat(0, input, Tensor.zeros(1, 3));
            }
        };
        TraceException rows = assertThrows(TraceException.class, () -> GraphCapture.trace(extraRow, Tensor.ones(2, 3)));
        assertTrue(rows.getMessage().contains("not a fixed multiple of the batch size"), rows.getMessage());
    }

    @Test
    void aReshapeThatSpreadsTheBatchOverAnotherDimensionStaysSymbolic() {
        Module twoRows = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                return input.reshape(2, -1);
            }
        };
        Graph graph = GraphCapture.trace(twoRows, Tensor.ones(2, 6));
        assertEquals("f32[2,3N]", graph.outputs().get(0).type().toString());
        Tensor x = Tensor.arange(0, 30, 1).to(dev.nabla.DType.FLOAT32).reshape(5, 6);
        assertBitwiseEqual(x.reshape(2, 15), Interpreter.run(graph, x), "batch 5");
    }

    @Test
    void dotExportHasAClusterPerLayerAndEveryEdge() {
        Graph graph = GraphCapture.trace(TestModels.cnn(true), TestModels.input(2, 1));
        String dot = GraphDot.format(graph, "cnn");
        assertTrue(dot.startsWith("digraph \"cnn\" {"), dot);
        assertTrue(dot.contains("label=\"1 (BatchNorm2d)\""), dot);
        long edges = dot.lines().filter(l -> l.contains(" -> ")).count();
        long expected = graph.calls().stream().mapToLong(c -> c.inputs().size()).sum() + graph.outputs().size();
        assertEquals(expected, edges);
    }

    @Test
    void unusedBatchNormModuleKeepsItsTypeInTheScope() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Graph graph = GraphCapture.trace(bn, Tensor.ones(2, 3, 4, 4));
        assertTrue(graph.calls().stream().allMatch(c -> c.scope().type().equals("BatchNorm2d")));
    }
}
