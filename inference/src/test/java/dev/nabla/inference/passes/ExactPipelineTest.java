package dev.nabla.inference.passes;

import dev.nabla.Tensor;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.nn.Module;
import dev.nabla.ops.Op;
import dev.nabla.spi.FusedActivation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExactPipelineTest {

    private static PassManager.Result exact(Graph graph) {
        return new PassManager(Pipelines.exact(), true).run(graph);
    }

    @Test
    void theExactPipelineKeepsEveryModelsOutputsWithin1e5() {
        for (Module model : List.of(TestModels.mlp(), TestModels.cnn(false), TestModels.cnn(true))) {
            Graph traced = GraphCapture.trace(model, TestModels.input(2, 1));
            Graph slim = exact(traced).graph();
            for (int batch : new int[]{1, 3, 64}) {
                Tensor x = TestModels.input(batch, 90 + batch);
                double error = TestModels.relativeError(TestModels.eager(model, x), Interpreter.run(slim, x));
                assertTrue(error <= 1e-5, model + " at batch " + batch + ": relative error " + error);
            }
        }
    }

    @Test
    void batchNormsAreFoldedAndReluFusedLeavingOneOpPerLayer() {
        Graph traced = GraphCapture.trace(TestModels.cnn(true), TestModels.input(2, 1));
        PassManager.Result result = exact(traced);
        List<String> ops = result.graph().calls().stream().map(c -> c.op().name()).toList();
        assertEquals(List.of("conv2d", "max_pool2d", "conv2d", "max_pool2d", "reshape", "linear", "linear"), ops);
        for (Op op : result.graph().calls().stream().map(c -> c.op()).toList()) {
            if (op instanceof Op.Conv2d c) {
                assertEquals(FusedActivation.RELU, c.activation());
                assertTrue(c.bias());
            }
        }
        List<String> changes = result.changes();
        assertTrue(changes.contains("batch-norm folding: folded 1 (BatchNorm2d) into 0 (Conv2d) (1 op)"), changes.toString());
        assertTrue(changes.contains("batch-norm folding: folded 10 (BatchNorm1d) into 9 (Linear) (1 op)"), changes.toString());
        assertTrue(changes.contains("activation fusion: fused 2 (ReLU) into 0 (Conv2d)"), changes.toString());
        // the batch norms' statistics are gone: only the layers' weights and biases remain
        assertEquals(List.of("0.weight", "0.bias", "4.weight", "4.bias", "9.weight", "9.bias", "12.weight", "12.bias"),
                result.graph().constants().stream().map(c -> c.output().name()).toList());
    }

    @Test
    void everyPassSaysWhetherItIsExactAndTheLogNamesThem() {
        for (Pass p : Pipelines.exact()) {
            assertTrue(p.isExact(), p.name());
        }
        PassManager.Result result = exact(GraphCapture.trace(TestModels.mlp(), TestModels.input(2, 1)));
        assertEquals(Pipelines.exact().size(), result.steps().size());
        assertTrue(result.changes().stream().anyMatch(c -> c.startsWith("activation fusion: fused 2 (ReLU) into 1 (Linear)")),
                result.changes().toString());
    }
}
