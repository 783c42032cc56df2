package dev.nabla.inference.training;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.optim.Adam;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationTest {
    private static final Tensor LABELS = Tensor.of(new long[]{3, 1, 4, 1, 5, 9, 2, 6});

    @Test
    void aStudentEqualToItsTeacherLosesOnlyTheLabelTerm() {
        Graph graph = GraphCapture.trace(TestModels.mlp(), TestModels.input(2, 1));
        Distillation d = new Distillation(new GraphModule(graph), graph, 2, 0.25);
        Tensor x = TestModels.input(8, 3);
        Tensor out = d.module().call(x);
        double loss = d.loss().forward(out, LABELS).item();
        double labelsOnly = new CrossEntropyLoss().forward(out, LABELS).item();
        assertEquals(0.25 * labelsOnly, loss, 1e-5);
    }

    @Test
    void distillingMovesTheStudentTowardTheTeacher() {
        Graph teacher = GraphCapture.trace(TestModels.mlp(), TestModels.input(2, 1));
        dev.nabla.Nabla.manualSeed(99);
        Graph student = GraphCapture.trace(new dev.nabla.nn.Sequential(new dev.nabla.nn.Flatten(),
                new dev.nabla.nn.Linear(64, 10)), TestModels.input(2, 1));
        Distillation d = new Distillation(new GraphModule(student), teacher, 1, 0);
        Adam adam = new Adam(d.module().parameters(), 1e-2);
        Tensor x = TestModels.input(64, 5);
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 40; step++) {
            try (var scope = TensorScope.open()) {
                Tensor l = d.loss().forward(d.module().call(x), Tensor.zeros(dev.nabla.DType.INT64, 64));
                adam.zeroGrad();
                l.backward();
                adam.step();
                last = l.item();
                first = step == 0 ? last : first;
            }
        }
        assertTrue(last < first / 2, "KL to the teacher " + first + " -> " + last);
        assertThrows(IllegalArgumentException.class, () -> new Distillation(new GraphModule(student), teacher, 0, 0.5));
    }
}
