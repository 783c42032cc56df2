package dev.nabla.inference.passes;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.nabla.inference.TestModels.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinglePassTest {

    /** Values -2..2 with repeats (ties, zeros, windows with no positive element), -0.0 and a NaN. */
    private static Tensor poolingInput() {
        double[] v = new double[2 * 3 * 6 * 6];
        Random r = new Random(4);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(5) - 2;
        }
        v[7] = -0.0;
        v[40] = Double.NaN;
        return Tensor.of(v, 2, 3, 6, 6).to(DType.FLOAT32);
    }

    @Test
    void reluBeforeMaxPoolMovesAfterItWithBitIdenticalResults() {
        for (MaxPool2d pool : List.of(new MaxPool2d(2), new MaxPool2d(3, 2, 1))) {
            Module model = new Sequential(Activation.relu(), pool);
            Graph traced = GraphCapture.trace(model, poolingInput());
            PassResult moved = new ReluPoolReorder().run(traced);
            List<String> ops = moved.graph().calls().stream().map(c -> c.op().name()).toList();
            assertEquals(List.of("max_pool2d", "relu"), ops);
            assertEquals(List.of("moved 0 (ReLU) after 1 (MaxPool2d)"), moved.changes());
            assertBitwiseEqual(TestModels.eager(model, poolingInput()), Interpreter.run(moved.graph(), poolingInput()),
                    pool.toString());
        }
    }

    @Test
    void aReluWithAnotherReaderStaysWhereItIs() {
        Module model = new Module() {
            private final MaxPool2d pool = new MaxPool2d(2);

            @Override
            public Tensor forward(Tensor input) {
                Tensor r = input.relu();
                return pool.call(r).add(r.narrow(2, 0, 3).narrow(3, 0, 3));
            }
        };
        Graph traced = GraphCapture.trace(model, poolingInput());
        assertEquals(List.of(), new ReluPoolReorder().run(traced).changes());
    }

    /** conv then batch norm, where the convolution's output is also added to the result. */
    private static final class SharedConv extends Module {
        final Conv2d conv = registerModule("conv", new Conv2d(2, 3, 3, 1, 1));
        final BatchNorm2d bn = registerModule("bn", new BatchNorm2d(3));

        @Override
        public Tensor forward(Tensor input) {
            Tensor y = conv.call(input);
            return bn.call(y).add(y);
        }
    }

    @Test
    void batchNormFoldingIsDeclinedWhenTheLayersOutputHasOtherReaders() {
        Module model = new SharedConv();
        Tensor x = Tensor.randn(2, 2, 5, 5);
        Graph graph = new ConstantFolding().run(GraphCapture.trace(model, x)).graph();
        PassResult r = new AffineFolding().run(graph);
        assertEquals(List.of("declined: conv (Conv2d) is read by 2 ops, so the scale after it cannot move into its "
                + "weights"), r.changes());
        assertEquals(graph.toString(), r.graph().toString());
    }

    @Test
    void identitiesAreRemovedAndTheResultIsUnchanged() {
        GraphEditor e = GraphEditor.empty();
        TensorType t = TensorType.batched(DType.FLOAT32, 4);
        Value in = e.input("input", t);
        Value copy = e.call(new Op.Contiguous(), t, Scope.NONE, in);
        Value same = e.call(new Op.Reshape(new int[]{-1, 4}), t, Scope.NONE, copy);
        Value one = e.constant("one", Tensor.ones(4), Node.Role.CONSTANT, Scope.NONE);
        Value times = e.call(new Op.Binary(BinaryOp.MUL), t, Scope.NONE, same, one);
        Value two = e.constant("two", Tensor.full(2, 4), Node.Role.CONSTANT, Scope.NONE);
        Value doubled = e.call(new Op.Binary(BinaryOp.MUL), t, Scope.NONE, times, two);
        e.setOutputs(List.of(doubled));
        Graph graph = e.build();
        PassResult r = new IdentityRemoval().run(graph);
        assertEquals(1, r.graph().calls().size(), r.graph().toString());
        assertEquals(3, r.changes().size(), r.changes().toString());
        Tensor x = Tensor.of(new float[]{1, -0f, Float.NaN, 3, 4, 5, 6, 7}, 2, 4);
        assertBitwiseEqual(Interpreter.run(graph, x), Interpreter.run(r.graph(), x), "identities");
    }

    /** {@code x - 0.0} is the identity; {@code x - (-0.0)} is not (it turns -0.0 into +0.0) and stays. */
    @Test
    void subtractingANegativeZeroIsNotAnIdentity() {
        for (float zero : new float[]{0f, -0f}) {
            GraphEditor e = GraphEditor.empty();
            TensorType t = TensorType.batched(DType.FLOAT32, 2);
            Value in = e.input("input", t);
            Value c = e.constant("zero", Tensor.full(zero, 2), Node.Role.CONSTANT, Scope.NONE);
            e.setOutputs(List.of(e.call(new Op.Binary(BinaryOp.SUB), t, Scope.NONE, in, c)));
            Graph graph = e.build();
            Graph after = new IdentityRemoval().run(graph).graph();
            assertEquals(zero == 0f && 1 / zero > 0 ? 0 : 1, after.calls().size(), "x - " + zero);
            Tensor x = Tensor.of(new float[]{-0f, 1}, 1, 2);
            assertBitwiseEqual(Interpreter.run(graph, x), Interpreter.run(after, x), "x - " + zero);
        }
    }

    @Test
    void constantFoldingDoesNotGrowTheModelAndDeadCodeGoes() {
        GraphEditor e = GraphEditor.empty();
        TensorType t = TensorType.batched(DType.FLOAT32, 64);
        Value in = e.input("input", t);
        Value small = e.constant("small", Tensor.ones(1, 64), Node.Role.CONSTANT, Scope.NONE);
        Value big = e.call(new Op.Expand(new int[]{64, 64}), new TensorType(DType.FLOAT32, new int[]{64, 64}),
                Scope.NONE, small);
        Value twice = e.call(new Op.Binary(BinaryOp.ADD), new TensorType(DType.FLOAT32, new int[]{1, 64}), Scope.NONE,
                small, small);
        Value unused = e.call(new Op.Unary(UnaryOp.EXP), t, Scope.NONE, in);
        Value sum = e.call(new Op.Binary(BinaryOp.ADD), t, Scope.NONE, in, twice);
        Value product = e.call(new Op.MatMul(), t, Scope.NONE, sum, big);
        e.setOutputs(List.of(product));
        Graph graph = e.build();
        PassResult clean = new DeadCodeElimination().run(graph);
        assertEquals(List.of("removed 1 unused op and 0 unused stored tensors"), clean.changes());
        assertEquals(List.of("expand", "add", "add", "matmul"),
                clean.graph().calls().stream().map(c -> c.op().name()).toList());
        Graph folded = new ConstantFolding().run(graph).graph();
        assertEquals(List.of("expand", "add", "matmul"), folded.calls().stream().map(c -> c.op().name()).toList(),
                "the add of stored tensors is folded, the expand that would grow the model is kept");
        Tensor x = Tensor.randn(3, 64);
        assertBitwiseEqual(Interpreter.run(graph, x), Interpreter.run(folded, x), "folded");
    }

    @Test
    void reluFusionIsBitExact() {
        Module model = TestModels.cnn(false);
        Graph traced = GraphCapture.trace(model, TestModels.input(2, 1));
        PassResult fused = new ActivationFusion().run(traced);
        assertEquals(3, fused.changes().size(), fused.changes().toString());
        Tensor x = TestModels.input(9, 3);
        assertBitwiseEqual(Interpreter.run(traced, x), Interpreter.run(fused.graph(), x), "fused");
        assertTrue(fused.graph().calls().stream().noneMatch(c -> c.op() instanceof Op.Unary));
    }
}
