package dev.nabla.inference.passes;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZeroUnitRemovalTest {

    /** Zeroes the weights of {@code units} of parameter {@code name} and sets their bias to {@code bias}. */
    private static void zeroUnits(Module model, String layer, int[] units, double[] bias) {
        try (var off = GradMode.noGrad()) {
            Tensor w = model.namedParameters().get(layer + ".weight");
            Tensor b = model.namedParameters().get(layer + ".bias");
            for (int i = 0; i < units.length; i++) {
                w.narrow(0, units[i], 1).fillInPlace(0);
                b.narrow(0, units[i], 1).fillInPlace(bias[i]);
            }
        }
    }

    private static Graph exactWithoutUnitRemoval(Module model) {
        Graph traced = GraphCapture.trace(model, TestModels.input(2, 1));
        List<Pass> passes = Pipelines.exact().stream().filter(p -> !(p instanceof ZeroUnitRemoval)).toList();
        return new PassManager(passes, false).run(traced).graph();
    }

    private static void assertSameOutputs(Module model, Graph graph) {
        for (int batch : new int[]{1, 7}) {
            Tensor x = TestModels.input(batch, 40 + batch);
            double error = TestModels.relativeError(TestModels.eager(model, x), Interpreter.run(graph, x));
            assertTrue(error <= 1e-5, "relative error " + error);
        }
    }

    @Test
    void deadAndConstantLinearUnitsLeaveBothLayers() {
        Module model = TestModels.mlp();
        // unit 3: relu(-0.5) = 0, gone; unit 7: relu(0.25) = 0.25 everywhere, folded into layer 3's bias
        zeroUnits(model, "1", new int[]{3, 7}, new double[]{-0.5, 0.25});
        Graph before = exactWithoutUnitRemoval(model);
        PassResult r = new ZeroUnitRemoval().run(before);
        assertEquals(List.of("removed 2 of 32 units of 1 (Linear) (all-zero weights), 3 (Linear) reads 30; their "
                + "constant output is now part of its bias"), r.changes());
        var stored = r.graph().constantsByName();
        assertArrayEquals(new int[]{30, 64}, stored.get("1.weight").value().shape());
        assertArrayEquals(new int[]{30}, stored.get("1.bias").value().shape());
        assertArrayEquals(new int[]{16, 30}, stored.get("3.weight").value().shape());
        assertSameOutputs(model, r.graph());
    }

    @Test
    void convolutionChannelsAreRemovedThroughPoolingAndFlatten() {
        Module model = TestModels.cnn(false);
        // conv 3 (16 channels) feeds pool, flatten and linear 7: channel 5 is constant 0.5 over 2x2 positions
        zeroUnits(model, "3", new int[]{2, 5}, new double[]{-1, 0.5});
        // conv 0 channel 1 is 0 after its ReLU; conv 3 pads its input, which is fine for a zero
        zeroUnits(model, "0", new int[]{1}, new double[]{-0.1});
        Graph before = exactWithoutUnitRemoval(model);
        PassResult r = new ZeroUnitRemoval().run(before);
        assertEquals(2, r.changes().size(), r.changes().toString());
        var stored = r.graph().constantsByName();
        assertArrayEquals(new int[]{7, 1, 3, 3}, stored.get("0.weight").value().shape());
        assertArrayEquals(new int[]{14, 7, 3, 3}, stored.get("3.weight").value().shape());
        assertArrayEquals(new int[]{32, 14 * 4}, stored.get("7.weight").value().shape());
        assertTrue(r.graph().toString().contains("reshape(%"), r.graph().toString());
        assertTrue(r.graph().toString().contains("{shape=[-1, 56]}"), r.graph().toString());
        assertSameOutputs(model, r.graph());
    }

    @Test
    void aConstantChannelIntoAPaddedConvolutionIsDeclined() {
        Module model = TestModels.cnn(false);
        zeroUnits(model, "0", new int[]{4}, new double[]{0.75});
        PassResult r = new ZeroUnitRemoval().run(exactWithoutUnitRemoval(model));
        assertEquals(List.of("declined: 1 constant unit(s) of 0 (Conv2d) feed a padded convolution"), r.changes());
    }
}
