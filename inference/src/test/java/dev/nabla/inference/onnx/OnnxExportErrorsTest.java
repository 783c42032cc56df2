package dev.nabla.inference.onnx;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;
import dev.nabla.spi.Conv2dGeometry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ops ONNX cannot express are refused with the op and node named. */
class OnnxExportErrorsTest {

    @Test
    void foldIsRefusedNamingTheOpAndNode() {
        Conv2dGeometry g = Conv2dGeometry.of(2, 2, 0, 1);
        TinyGraph t = new TinyGraph();
        Value x = t.input("x", Tensor.randn(1, 8, 4));
        Graph graph = t.build(t.call(new Op.Fold(g, 4, 4), x));
        String node = graph.outputs().get(0).name();
        GraphException e = assertThrows(GraphException.class, () -> OnnxExport.toBytes(graph, "g"));
        assertEquals("ONNX export: op 'fold' (node " + node + ") has no ONNX equivalent", e.getMessage());
    }

    @Test
    void unfoldAndTheGradientOpsAreRefused() {
        Conv2dGeometry g = Conv2dGeometry.of(2, 2, 0, 1);
        Op[] ops = {new Op.Unfold(g), new Op.Conv2dBackwardData(g, 1, 4, 4), new Op.Conv2dBackwardFilter(g, 1, 3),
                new Op.MaxPool2dBackward(g)};
        for (Op op : ops) {
            GraphEditor editor = GraphEditor.empty();
            Value a = editor.input("a", new TensorType(DType.FLOAT32, new int[]{1, 3, 4, 4}));
            Value b = editor.input("b", new TensorType(DType.FLOAT32, new int[]{1, 3, 2, 2}));
            Value out = editor.call(op, new TensorType(DType.FLOAT32, new int[]{1, 3, 4, 4}), Scope.NONE,
                    op instanceof Op.Unfold ? new Value[]{a} : new Value[]{a, b});
            editor.setOutputs(List.of(out));
            Graph graph = editor.build();
            GraphException e = assertThrows(GraphException.class, () -> OnnxExport.toBytes(graph, "g"));
            assertEquals("ONNX export: op '" + op.name() + "' (node " + out.name() + ") has no ONNX equivalent",
                    e.getMessage());
        }
    }

    @Test
    void attributesNablaCouldNotRunEitherAreRefusedNamingTheNode() {
        // a reshape with 0 and -1 (ONNX's allowzero forbids it) and an expand keeping a size the input lacks
        Op[] ops = {new Op.Reshape(new int[]{0, -1}), new Op.Expand(new int[]{-1, 3, 4})};
        String[] problems = {"the target shape has both 0 and -1", "entry 0 of the target shape is -1"};
        for (int i = 0; i < ops.length; i++) {
            GraphEditor editor = GraphEditor.empty();
            Value x = editor.input("x", new TensorType(DType.FLOAT32, new int[]{3, 4}));
            Value out = editor.call(ops[i], new TensorType(DType.FLOAT32, new int[]{3, 4}), Scope.NONE, x);
            editor.setOutputs(List.of(out));
            Graph graph = editor.build();
            GraphException e = assertThrows(GraphException.class, () -> OnnxExport.toBytes(graph, "g"));
            String expected = "ONNX export: op '" + ops[i].name() + "' (node " + out.name() + "): " + problems[i];
            assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        }
    }
}
