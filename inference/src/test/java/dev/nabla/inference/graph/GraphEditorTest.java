package dev.nabla.inference.graph;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.GraphException;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphEditorTest {
    private static final TensorType ROW = TensorType.batched(DType.FLOAT32, 3);

    /** relu(input * 2) */
    private static Graph small() {
        GraphEditor e = GraphEditor.empty();
        Value in = e.input("input", ROW);
        Value two = e.constant("two", Tensor.scalar(2), Node.Role.CONSTANT, Scope.NONE);
        Value product = e.call(new Op.Binary(BinaryOp.MUL), ROW, Scope.NONE, in, two);
        Value relu = e.call(new Op.Unary(UnaryOp.RELU), ROW, Scope.NONE, product);
        e.setOutputs(List.of(relu));
        return e.build();
    }

    @Test
    void nodesAddedOutOfOrderAreSortedAfterWhatTheyRead() {
        Graph g = small();
        GraphEditor e = g.edit();
        Value product = g.calls().get(0).output();
        // add a node at the end that the existing relu will read
        Value negated = e.call(new Op.Unary(UnaryOp.NEG), ROW, Scope.NONE, product);
        e.replaceInputs(g.outputs().get(0), negated);
        Graph edited = e.build();
        List<String> order = edited.nodes().stream().map(n -> n.output().name()).toList();
        assertTrue(order.indexOf(negated.name()) < order.indexOf(g.outputs().get(0).name()), order.toString());
        Tensor x = Tensor.of(new float[]{-1, 2, 3, 4, -5, 6}, 2, 3);
        assertArrayEquals(new float[]{2, 0, 0, 0, 10, 0}, Interpreter.run(edited, x).toFloatArray());
    }

    @Test
    void replacingUsesRewiresCallsAndOutputs() {
        Graph g = small();
        GraphEditor e = g.edit();
        Value relu = g.outputs().get(0);
        Value product = g.calls().get(0).output();
        e.replaceAllUses(relu, product);
        e.remove(relu);
        Graph edited = e.build();
        assertEquals(product, edited.outputs().get(0));
        assertEquals(1, edited.calls().size());
    }

    @Test
    void brokenEditsAreRefused() {
        Graph g = small();
        GraphEditor dangling = g.edit();
        dangling.remove(g.calls().get(0).output());
        GraphException e = assertThrows(GraphException.class, dangling::build);
        assertTrue(e.getMessage().contains("which no node makes"), e.getMessage());

        GraphEditor cycle = g.edit();
        Value product = g.calls().get(0).output();
        cycle.replaceInputs(product, g.outputs().get(0), g.outputs().get(0));
        assertTrue(assertThrows(GraphException.class, cycle::build).getMessage().contains("cycle"));
    }

    @Test
    void namesStayUnique() {
        GraphEditor e = small().edit();
        Value a = e.constant("two", Tensor.scalar(3), Node.Role.CONSTANT, Scope.NONE);
        Value b = e.constant("two", Tensor.scalar(4), Node.Role.CONSTANT, Scope.NONE);
        assertEquals("two.1", a.name());
        assertEquals("two.2", b.name());
    }
}
