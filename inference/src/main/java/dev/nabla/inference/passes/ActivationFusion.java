package dev.nabla.inference.passes;

import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.ops.Op;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.UnaryOp;

import java.util.ArrayList;
import java.util.List;

/**
 * Fuses a ReLU into the convolution or linear layer before it when the ReLU is that layer's only reader: the layer
 * op then applies the ReLU as it writes each output block (see {@link Op.Conv2d} and {@link Op.Linear}), so the
 * activation costs no pass of its own. Bit for bit the same result: the epilogue computes {@code max(x, 0)} of
 * exactly the values the separate op would read.
 */
public final class ActivationFusion implements Pass {
    @Override
    public String name() {
        return "activation fusion";
    }

    @Override
    public boolean isExact() {
        return true;
    }

    @Override
    public PassResult run(Graph graph) {
        GraphEditor editor = graph.edit();
        List<String> changes = new ArrayList<>();
        for (Node.Call layer : graph.calls()) {
            Op fused = switch (layer.op()) {
                case Op.Conv2d c when c.activation() == FusedActivation.NONE ->
                        new Op.Conv2d(c.geometry(), c.groups(), c.bias(), FusedActivation.RELU);
                case Op.Linear l when l.activation() == FusedActivation.NONE -> new Op.Linear(l.bias(), FusedActivation.RELU);
                default -> null;
            };
            Node.Call relu = fused == null ? null : Patterns.onlyUser(graph, layer.output());
            if (relu == null || !(relu.op() instanceof Op.Unary u) || u.kind() != UnaryOp.RELU) {
                continue;
            }
            editor.replaceOp(layer.output(), fused, layer.output().type());
            editor.replaceAllUses(relu.output(), layer.output());
            editor.remove(relu.output());
            changes.add("fused " + Patterns.where(relu) + " into " + Patterns.where(layer));
        }
        return changes.isEmpty() ? PassResult.unchanged(graph) : new PassResult(editor.build(), changes);
    }
}
