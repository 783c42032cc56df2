package dev.nabla.inference.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.nabla.Tensor;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.SymbolicShapes;
import dev.nabla.inference.graph.Value;
import dev.nabla.nn.Module;
import dev.nabla.ops.Op;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reshape, permute, expand, slice, contiguous, cat and pad, with the batch size left symbolic where it can be. */
class OnnxShapeOpsTest {

    /** The graph of {@code f} traced on [batch, rest...] inputs; its batch-dependent attributes are symbolic. */
    private static Graph trace(UnaryOperator<Tensor> f, int... rest) {
        Module m = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                return f.apply(input);
            }
        };
        return GraphCapture.trace(m, Tensor.randn(withBatch(2, rest)));
    }

    private static int[] withBatch(int batch, int... rest) {
        int[] shape = new int[rest.length + 1];
        shape[0] = batch;
        System.arraycopy(rest, 0, shape, 1, rest.length);
        return shape;
    }

    /** Compares the traced graph with ONNX Runtime at several batch sizes, exactly (these ops only move data). */
    private static void assertMatchesAtBatchSizes(Graph graph, int... rest) throws OrtException {
        for (int batch : new int[]{1, 3, 7}) {
            Tensor x = Tensor.randn(withBatch(batch, rest));
            Ort.assertMatches(graph, List.of(x), 0, "batch " + batch);
        }
    }

    private static Op opOf(Graph graph, Class<? extends Op> type) {
        return graph.calls().stream().map(Node.Call::op).filter(type::isInstance).findFirst().orElseThrow();
    }

    @Test
    void reshapeWithMinusOneInfersTheBatchSize() throws OrtException {
        Graph graph = trace(x -> x.reshape(x.size(0), 2, 6).reshape(x.size(0) * 2, 6), 3, 4);
        assertArrayEquals(new int[]{-1, 6}, ((Op.Reshape) graph.calls().get(1).op()).shape());
        assertMatchesAtBatchSizes(graph, 3, 4);
    }

    @Test
    void reshapeToAZeroSizedDimensionKeepsTheZero() throws OrtException {
        // ONNX reads 0 as "copy the input's size" unless allowzero is set
        Tensor x = Tensor.zeros(0, 3);
        TinyGraph t = new TinyGraph();
        Graph graph = t.build(t.call(new Op.Reshape(new int[]{3, 0}), t.input("x", x)));
        List<Tensor> out = Ort.run(graph, List.of(x));
        assertArrayEquals(new int[]{3, 0}, out.get(0).shape());
        Ort.assertMatches(graph, List.of(x), 0, "reshape to [3, 0]");
    }

    @Test
    void permuteIsATranspose() throws OrtException {
        Tensor x = Tensor.randn(2, 3, 4);
        TinyGraph t = new TinyGraph();
        Graph graph = t.build(t.call(new Op.Contiguous(), t.call(new Op.Permute(new int[]{2, 0, 1}), t.input("x", x))));
        Ort.assertMatches(graph, List.of(x), 0, "permute");
    }

    @Test
    void expandWithMinusOneKeepsTheBatchDimension() throws OrtException {
        // [N, 1, 4] -> [2, N, 3, 4]: a new leading dimension, a kept one (-1) and a grown one
        Graph graph = trace(x -> x.expand(2, x.size(0), 3, 4).mul(1.0), 1, 4);
        assertArrayEquals(new int[]{2, -1, 3, 4}, ((Op.Expand) opOf(graph, Op.Expand.class)).shape());
        assertMatchesAtBatchSizes(graph, 1, 4);
    }

    @Test
    void sliceWithAStepAndAFixedEnd() throws OrtException {
        Tensor x = Tensor.randn(2, 9);
        TinyGraph t = new TinyGraph();
        Value in = t.input("x", x);
        Graph graph = t.build(t.call(new Op.Slice(1, 1, 8, 3), in), t.call(new Op.Slice(1, 4, 4, 1), in));
        Ort.assertMatches(graph, List.of(x), 0, "slice");
    }

    @Test
    void sliceToTheEndOfABatchDimensionIsOpen() throws OrtException {
        // [5N] from element 1 in steps of 5: N elements at every batch size
        Graph graph = trace(x -> x.reshape(x.numel()).slice(0, 1, x.numel(), 5).mul(1.0), 5);
        Op.Slice slice = (Op.Slice) opOf(graph, Op.Slice.class);
        assertEquals(new Op.Slice(0, 1, SymbolicShapes.OPEN_END, 5), slice);
        assertMatchesAtBatchSizes(graph, 5);
    }

    @Test
    void catJoinsInputsAndConstantsAndItsBatchMultipleIsAnUnnamedDimension() throws OrtException {
        Graph graph = trace(x -> Tensor.cat(0, x, x.mul(2.0)), 3);
        assertArrayEquals(new int[]{-2, 3}, graph.outputs().get(0).type().shape());
        assertMatchesAtBatchSizes(graph, 3);
        try (OrtSession session = Ort.session(OnnxExport.toBytes(graph, "cat"))) {
            TensorInfo out = (TensorInfo) session.getOutputInfo().values().iterator().next().getInfo();
            assertArrayEquals(new String[]{"", ""}, out.getDimensionNames());
            assertArrayEquals(new long[]{-1, 3}, out.getShape());
        }
        Tensor a = Tensor.randn(2, 3);
        TinyGraph t = new TinyGraph();
        Graph fixed = t.build(t.call(new Op.Cat(1), t.input("a", a), t.constant("b", Tensor.randn(2, 2)),
                t.input("c", a)));
        Ort.assertMatches(fixed, List.of(a, a), 0, "cat dim 1");
    }

    @Test
    void padConvertsLastDimensionFirstPairsAndCropsWhereNegative() throws OrtException {
        Tensor x = Tensor.randn(2, 3, 4);
        // last dim: 1 before, 2 after; middle dim: crop 1 before, 2 after
        int[][] cases = {{1, 2}, {1, 2, -1, 2}, {0, 0, 2, -1, 1, 0}, {-1, -2}};
        for (int[] pads : cases) {
            TinyGraph t = new TinyGraph();
            Graph graph = t.build(t.call(new Op.Pad(pads, 7.5), t.input("x", x)));
            Ort.assertMatches(graph, List.of(x), 0, "pad " + Arrays.toString(pads));
        }
        Tensor ints = Tensor.of(new long[]{1, 2, 3, 4, 5, 6}, 2, 3);
        TinyGraph t = new TinyGraph();
        Graph graph = t.build(t.call(new Op.Pad(new int[]{2, -1, 1, 0}, -3), t.input("x", ints)));
        Ort.assertMatches(graph, List.of(ints), 0, "pad int64");
    }

    @Test
    void anOutputThatIsAnInputOrRepeatedComesOutOfAnIdentity() throws OrtException {
        Tensor x = Tensor.randn(2, 3);
        TinyGraph t = new TinyGraph();
        Value in = t.input("x", x);
        Value y = t.call(new Op.Unary(UnaryOp.NEG), in);
        Value c = t.constant("c", Tensor.ones(2));
        Graph graph = t.build(y, in, y, c);
        Ort.assertMatches(graph, List.of(x), 0, "outputs");
        try (OrtSession session = Ort.session(OnnxExport.toBytes(graph, "outputs"))) {
            assertEquals(List.of(y.name(), "x.output", y.name() + ".output", "c.output"),
                    List.copyOf(session.getOutputNames()));
        }
    }
}
