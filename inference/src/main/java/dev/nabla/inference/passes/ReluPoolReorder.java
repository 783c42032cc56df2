package dev.nabla.inference.passes;

import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;
import dev.nabla.spi.UnaryOp;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a ReLU followed by a max pooling as the pooling first, then the ReLU, when the pooling is the ReLU's only
 * reader. ReLU is monotone, so each window's maximum is the same element either way, and the ReLU then works on the
 * pooled tensor (a quarter of the data for 2x2 windows). Bit for bit the same, NaN and -0.0 included: ReLU keeps
 * NaN, and both orders give +0.0 for a window whose maximum is not positive. Padding counts as negative infinity,
 * which never wins a window that holds an element, so padded poolings qualify too.
 *
 * <p>Run it after {@link ActivationFusion}: a ReLU fused into the layer before it costs nothing, so only ReLUs that
 * could not be fused are moved.
 */
public final class ReluPoolReorder implements Pass {
    @Override
    public String name() {
        return "relu/max-pool reorder";
    }

    @Override
    public boolean isExact() {
        return true;
    }

    @Override
    public PassResult run(Graph graph) {
        GraphEditor editor = graph.edit();
        List<String> changes = new ArrayList<>();
        for (Node.Call relu : graph.calls()) {
            if (!(relu.op() instanceof Op.Unary u) || u.kind() != UnaryOp.RELU) {
                continue;
            }
            Node.Call pool = Patterns.onlyUser(graph, relu.output());
            if (pool == null || !(pool.op() instanceof Op.MaxPool2d)) {
                continue;
            }
            Value x = ((Node.Call) editor.node(relu.output())).input(0); // as rewired by earlier moves
            // pool reads x directly; a new ReLU reads the pooled result and takes over the pool's readers
            editor.replaceInputs(pool.output(), x);
            Value pooledRelu = editor.call(relu.op(), pool.output().type(), relu.scope(), pool.output());
            editor.replaceAllUses(pool.output(), pooledRelu);
            editor.replaceInputs(pooledRelu, pool.output());
            editor.remove(relu.output());
            changes.add("moved " + Patterns.where(relu) + " after " + Patterns.where(pool));
        }
        return changes.isEmpty() ? PassResult.unchanged(graph) : new PassResult(editor.build(), changes);
    }
}
