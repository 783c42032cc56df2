package dev.nabla.engine;

import dev.nabla.Node;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.spi.UnaryOp;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward pass's one peephole: a max pooling of a ReLU's output that nothing else reads (conv, ReLU, pool)
 * gets the gradient with respect to the ReLU's input from one fused pass over the unpooled tensor
 * ({@link FusedOps#maxPool2dReluBackward}) instead of a max-pool backward and a ReLU backward, bit for bit the same;
 * the ReLU's node then passes that gradient on unchanged. One instance per backward pass without createGraph.
 */
public final class ReluPoolBackward {
    /**
     * How many nodes of the pass read each node's output; counted before any node releases its inputs, and only
     * when the pass has a max pooling at all.
     */
    private final Map<Node, Integer> readers;
    /** ReLU nodes whose gradient a fused pass already computed. */
    private final Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());

    ReluPoolBackward(List<Node> order) {
        this.readers = order.stream().anyMatch(n -> n.op() instanceof Op.MaxPool2d) ? readers(order) : Map.of();
    }

    /** True if {@code node} is a ReLU whose input gradient this peephole computed: its rule is skipped. */
    boolean passesThrough(Node node) {
        return !done.isEmpty() && done.contains(node);
    }

    /** The fused gradient for the ReLU's input if {@code node} is a pooling this applies to, else null. */
    Tensor gradient(Node node, Tensor g) {
        if (!(node.op() instanceof Op.MaxPool2d pool)) {
            return null;
        }
        Tensor reluOut = node.input(0);
        Node relu = reluOut.gradFn();
        if (relu == null || !(relu.op() instanceof Op.Unary u) || u.kind() != UnaryOp.RELU || Tensors.retainsGrad(reluOut)
                || readers.getOrDefault(relu, 0) != 1) {
            return null;
        }
        Tensor fused = FusedOps.maxPool2dReluBackward(g, reluOut, pool.geometry());
        if (fused != null) {
            done.add(relu);
        }
        return fused;
    }

    private static Map<Node, Integer> readers(List<Node> order) {
        Map<Node, Integer> counts = new IdentityHashMap<>();
        for (Node node : order) {
            for (int i = 0; i < Tensors.inputCount(node); i++) {
                Node producer = node.input(i).gradFn();
                if (producer != null) {
                    counts.merge(producer, 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
