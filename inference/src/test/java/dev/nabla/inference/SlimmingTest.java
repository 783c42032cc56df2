package dev.nabla.inference;

import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphStats;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlimmingTest {
    private static final Tensor HELD_OUT = TestModels.input(200, 77);
    private static final List<Tensor> CALIBRATION = List.of(TestModels.input(64, 78));

    /** How often a graph picks the class the model picks: the captured graph scores 1. */
    private static Slimming.Evaluator agreement(Module model) {
        long[] reference = TestModels.eager(model, HELD_OUT).argmax(1, false).toLongArray();
        return graph -> {
            long[] mine = Interpreter.run(graph, HELD_OUT).argmax(1, false).toLongArray();
            int same = 0;
            for (int i = 0; i < mine.length; i++) {
                same += mine[i] == reference[i] ? 1 : 0;
            }
            return same / (double) mine.length;
        };
    }

    @Test
    void stagesAreCapturedExactPrunedInt8AndTheGateRefusesWhatLosesTooMuch() {
        Module model = TestModels.cnn(true);
        List<Slimming.Stage> strict = Slimming.of(model, TestModels.input(1, 1)).calibration(CALIBRATION)
                .heldOut(agreement(model)).budget(0).prune(0.75).int8(true).run();
        assertEquals(List.of("captured", "exact", "pruned", "int8"), strict.stream().map(Slimming.Stage::name).toList());
        assertEquals(1.0, strict.get(0).heldOutAccuracy());
        assertTrue(strict.get(1).exact() && !strict.get(2).exact() && !strict.get(3).exact());
        Slimming.Stage pruned = strict.get(2);
        assertFalse(pruned.accepted(), "removing 75% of every layer changes some answers");
        assertTrue(pruned.refused().contains("more than the 0.00-point budget"), pruned.refused());
        // int8 is applied to the exact stage, since the pruned one was refused
        assertEquals(GraphStats.parameters(strict.get(1).graph()), GraphStats.parameters(strict.get(3).graph()));

        List<Slimming.Stage> loose = Slimming.of(model, TestModels.input(1, 1)).calibration(CALIBRATION)
                .heldOut(agreement(model)).budget(100).prune(0.75).run();
        assertNull(loose.get(2).refused());
        assertEquals("pruned", Slimming.result(loose).name());
    }

    @Test
    void aBudgetSearchKeepsTheLargestRatioThatPassesAndFineTunesEachCandidate() {
        Module model = TestModels.mlp();
        int[] fineTunes = {0};
        // A 10-point budget: this untrained model (Philox initialization) keeps 91% of its answers with 5% of its
        // units removed, 90.5% with 10%, 83% with 20%: some ratio passes, and the search keeps the largest.
        List<Slimming.Stage> stages = Slimming.of(model, TestModels.input(1, 1)).calibration(CALIBRATION)
                .heldOut(agreement(model)).budget(10).pruneWithinBudget()
                .fineTune((g, teacher) -> {
                    fineTunes[0]++;
                    return g;
                }).run();
        Slimming.Stage pruned = stages.get(2);
        assertTrue(pruned.accepted(), pruned.toString());
        assertTrue(pruned.heldOutAccuracy() >= 0.90, "within 10 points: " + pruned.heldOutAccuracy());
        assertTrue(fineTunes[0] >= 3 && fineTunes[0] <= 6, "binary search over the grid: " + fineTunes[0]);
        Graph exact = stages.get(1).graph();
        assertTrue(GraphStats.parameters(pruned.graph()) < GraphStats.parameters(exact));
    }
}
