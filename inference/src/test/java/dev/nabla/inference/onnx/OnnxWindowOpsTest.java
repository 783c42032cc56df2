package dev.nabla.inference.onnx;

import ai.onnxruntime.OrtException;
import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.ops.Op;
import dev.nabla.inference.graph.Value;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Conv and MaxPool attributes, with different height and width settings so that swapped pairs show. */
class OnnxWindowOpsTest {

    private static void assertConv(Conv2dGeometry g, int groups, boolean bias, int inChannels, int outChannels)
            throws OrtException {
        Tensor x = Tensor.randn(2, inChannels, 9, 8);
        TinyGraph t = new TinyGraph();
        Tensor w = Tensor.randn(outChannels, inChannels / groups, g.kernelH(), g.kernelW());
        Graph graph = bias
                ? t.build(t.call(new Op.Conv2d(g, groups, true), t.input("x", x), t.constant("w", w),
                        t.constant("b", Tensor.randn(outChannels))))
                : t.build(t.call(new Op.Conv2d(g, groups, false), t.input("x", x), t.constant("w", w)));
        Ort.assertMatches(graph, List.of(x), 1e-5, "conv " + g + " groups " + groups + " bias " + bias);
    }

    @Test
    void convWithStridePaddingDilationGroupsAndNoBias() throws OrtException {
        assertConv(Conv2dGeometry.of(3, 2, 1, 1), 1, true, 3, 4);
        assertConv(Conv2dGeometry.of(3, 1, 2, 1), 1, false, 2, 3);
        assertConv(Conv2dGeometry.of(3, 1, 2, 2), 2, true, 4, 6);
        // every pair with different height and width values
        assertConv(new Conv2dGeometry(3, 2, 2, 1, 2, 0, 1, 2), 3, false, 3, 3);
    }

    @Test
    void fusedActivationsAndTheLinearLayerInEveryForm() throws OrtException {
        Tensor image = Tensor.randn(2, 3, 6, 5);
        TinyGraph conv = new TinyGraph();
        Graph convRelu = conv.build(conv.call(new Op.Conv2d(Conv2dGeometry.of(3, 1, 1, 1), 1, true, FusedActivation.RELU),
                conv.input("x", image), conv.constant("w", Tensor.randn(4, 3, 3, 3)), conv.constant("b", Tensor.randn(4))));
        Ort.assertMatches(convRelu, conv.inputs(), 1e-5, "conv2d + relu");
        for (int[] shape : new int[][]{{5, 7}, {2, 3, 7}}) {
            for (boolean bias : new boolean[]{true, false}) {
                for (FusedActivation act : FusedActivation.values()) {
                    TinyGraph t = new TinyGraph();
                    Value x = t.input("x", Tensor.randn(shape));
                    Value w = t.constant("w", Tensor.randn(4, 7));
                    Graph g = bias ? t.build(t.call(new Op.Linear(true, act), x, w, t.constant("b", Tensor.randn(4))))
                            : t.build(t.call(new Op.Linear(false, act), x, w));
                    Ort.assertMatches(g, t.inputs(), 1e-5, "linear " + java.util.Arrays.toString(shape) + " bias "
                            + bias + " " + act);
                }
            }
        }
    }

    @Test
    void maxPoolPadsWithNegativeInfinity() throws OrtException {
        // all inputs negative: a zero padding would win at the borders
        Tensor x = Tensor.rand(2, 3, 7, 6).sub(2.0);
        for (Conv2dGeometry g : new Conv2dGeometry[]{Conv2dGeometry.of(3, 2, 1, 1),
                new Conv2dGeometry(3, 2, 2, 1, 1, 0, 1, 2), Conv2dGeometry.of(2, 2, 0, 1)}) {
            TinyGraph t = new TinyGraph();
            Graph graph = t.build(t.call(new Op.MaxPool2d(g), t.input("x", x)));
            Ort.assertMatches(graph, List.of(x), 0, "max_pool " + g);
        }
    }
}
