package dev.nabla.inference.passes;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.calibration.ChannelStatistics;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.channels.ChannelChain;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataDrivenPassTest {
    private static final List<Tensor> CALIBRATION = List.of(TestModels.input(32, 501), TestModels.input(32, 502));

    private static Graph exact(Module model) {
        return new PassManager(Pipelines.exact(), false).run(GraphCapture.trace(model, TestModels.input(2, 1))).graph();
    }

    private static ChannelStatistics stats(Graph graph) {
        return ChannelStatistics.collect(graph, ChannelChain.all(graph), CALIBRATION);
    }

    @Test
    void unitsThatNeverActivateOnTheCalibrationDataAreRemoved() {
        Module model = TestModels.mlp();
        try (var off = GradMode.noGrad()) {
            // biases far below anything the weights can reach: these ReLU units output 0 on any normal input
            model.namedParameters().get("1.bias").narrow(0, 4, 3).fillInPlace(-1000);
        }
        Graph graph = exact(model);
        PassResult r = new DeadUnitRemoval(stats(graph)).run(graph);
        assertEquals(List.of("removed 3 of 32 units of 1 (Linear) (3 never active, 0 constant on the calibration data)"),
                r.changes());
        assertArrayEquals(new int[]{29, 64}, r.graph().constantsByName().get("1.weight").value().shape());
        for (Tensor x : CALIBRATION) {
            assertTrue(TestModels.relativeError(Interpreter.run(graph, x), Interpreter.run(r.graph(), x)) <= 1e-6);
        }
        assertFalse(new DeadUnitRemoval(stats(graph)).isExact());
    }

    @Test
    void pruningRemovesTheLeastImportantChannelsByEachCriterion() {
        Module model = TestModels.cnn(true);
        try (var off = GradMode.noGrad()) {
            // conv 0's channels 2 and 6 get tiny filters, batch norm 1's channels 3 and 5 tiny scales
            model.namedParameters().get("0.weight").narrow(0, 2, 1).mulInPlace(1e-3);
            model.namedParameters().get("0.weight").narrow(0, 6, 1).mulInPlace(1e-3);
            model.namedParameters().get("1.weight").narrow(0, 3, 1).fillInPlace(0.01);
            model.namedParameters().get("1.weight").narrow(0, 5, 1).fillInPlace(-0.02);
        }
        Graph captured = GraphCapture.trace(model, TestModels.input(2, 1));
        Graph graph = new PassManager(Pipelines.exact(), false).run(captured).graph();
        float[] before = graph.constantsByName().get("0.bias").value().toFloatArray();
        for (PruningCriterion criterion : List.of(PruningCriterion.BN_SCALE, PruningCriterion.L1)) {
            PassResult r = new StructuredPruning(0.25, criterion, stats(graph), captured).run(graph);
            assertEquals(3, r.changes().size(), r.changes().toString());
            assertTrue(r.changes().get(0).startsWith("removed 2 of 8 channels of 0 (Conv2d) by " + criterion.label()),
                    r.changes().get(0));
            var stored = r.graph().constantsByName();
            assertArrayEquals(new int[]{6, 1, 3, 3}, stored.get("0.weight").value().shape());
            assertArrayEquals(new int[]{12, 6, 3, 3}, stored.get("4.weight").value().shape());
            assertArrayEquals(new int[]{24, 12 * 4}, stored.get("9.weight").value().shape());
            assertArrayEquals(new int[]{10, 24}, stored.get("12.weight").value().shape());
            // which channels went: the kept biases are the originals at the kept indices
            int[] gone = criterion == PruningCriterion.BN_SCALE ? new int[]{3, 5} : new int[]{2, 6};
            float[] kept = stored.get("0.bias").value().toFloatArray();
            for (int c = 0, k = 0; c < 8; c++) {
                if (c != gone[0] && c != gone[1]) {
                    assertEquals(before[c], kept[k++], criterion + " kept channel " + c);
                }
            }
            Tensor x = TestModels.input(16, 9);
            assertArrayEquals(new int[]{16, 10}, Interpreter.run(r.graph(), x).shape());
        }
    }

    @Test
    void perLayerRatiosPruneOnlyTheNamedLayersAndUnknownNamesAreRefused() {
        Module model = TestModels.cnn(true);
        Graph captured = GraphCapture.trace(model, TestModels.input(2, 1));
        Graph graph = new PassManager(Pipelines.exact(), false).run(captured).graph();
        PassResult r = new StructuredPruning(0, Map.of("4", 0.5), PruningCriterion.L1, stats(graph), captured)
                .run(graph);
        assertEquals(1, r.changes().size(), r.changes().toString());
        var stored = r.graph().constantsByName();
        assertArrayEquals(new int[]{8, 1, 3, 3}, stored.get("0.weight").value().shape());
        assertArrayEquals(new int[]{8, 8, 3, 3}, stored.get("4.weight").value().shape());
        GraphException typo = assertThrows(GraphException.class, () -> new StructuredPruning(0, Map.of("5", 0.3),
                PruningCriterion.L1, stats(graph), captured).run(graph));
        assertTrue(typo.getMessage().contains("'5'") && typo.getMessage().contains("0, 4, 9"), typo.getMessage());
    }

    @Test
    void contributionRanksAChannelTheNextLayerBarelyReadsLast() {
        Module model = TestModels.mlp();
        try (var off = GradMode.noGrad()) {
            // layer 3 reads unit 5 of layer 1 with tiny weights: its contribution is tiny whatever its activation
            model.namedParameters().get("3.weight").narrow(1, 5, 1).mulInPlace(1e-4);
        }
        Graph graph = exact(model);
        ChannelChain first = ChannelChain.all(graph).get(0);
        double[] importance = PruningCriterion.CONTRIBUTION.importance(graph, graph, first, stats(graph).of(first));
        for (int c = 0; c < importance.length; c++) {
            assertTrue(c == 5 || importance[5] < importance[c] || importance[c] == 0, "unit " + c);
        }
        assertEquals(PruningCriterion.CONTRIBUTION, PruningCriterion.parse("contribution"));
    }

    @Test
    void zeroSharesRankUnitsThatAreMostlyOffFirst() {
        Module model = TestModels.mlp();
        try (var off = GradMode.noGrad()) {
            model.namedParameters().get("3.bias").narrow(0, 0, 2).fillInPlace(-0.8);
        }
        Graph graph = exact(model);
        ChannelStatistics s = stats(graph);
        ChannelChain second = ChannelChain.all(graph).get(1);
        double[] importance = PruningCriterion.ZEROS.importance(graph, graph, second, s.of(second));
        double others = 0;
        for (int c = 2; c < importance.length; c++) {
            others += importance[c] / (importance.length - 2);
        }
        assertTrue(importance[0] < others && importance[1] < others, java.util.Arrays.toString(importance));
    }
}
