package dev.nabla.engine;

import dev.nabla.Gradients;
import dev.nabla.Node;
import dev.nabla.Tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gradients a {@link Gradients#grad} pass hands back instead of adding them into {@code .grad}: one slot
 * per requested input, a leaf or an intermediate tensor (found by the node that produced it), null until
 * a gradient reaches it.
 */
public final class CapturedGradients {
    private final Map<Tensor, Integer> leaves = new IdentityHashMap<>();
    private final Map<Node, Integer> intermediates = new IdentityHashMap<>();
    private final Tensor[] found;
    /** The slot of each input: an input listed twice shares the slot of its first listing. */
    private final int[] slots;
    private final boolean createGraph;

    public CapturedGradients(List<Tensor> inputs, boolean createGraph) {
        this.found = new Tensor[inputs.size()];
        this.slots = new int[inputs.size()];
        this.createGraph = createGraph;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            Integer first = t.gradFn() == null ? leaves.putIfAbsent(t, i) : intermediates.putIfAbsent(t.gradFn(), i);
            slots[i] = first == null ? i : first;
        }
    }

    /** The nodes whose rules must run: those with a requested input somewhere below them. */
    Set<Node> nodesLeadingToInputs(List<Node> reverseTopologicalOrder) {
        Set<Node> leading = Collections.newSetFromMap(new IdentityHashMap<>());
        // dependencies first, so that every input's producer has been decided before its readers
        for (int k = reverseTopologicalOrder.size() - 1; k >= 0; k--) {
            Node node = reverseTopologicalOrder.get(k);
            for (Tensor input : node.inputs()) {
                Node producer = input.gradFn();
                boolean wanted = producer == null ? leaves.containsKey(input)
                        : intermediates.containsKey(producer) || leading.contains(producer);
                if (input.requiresGrad() && wanted) {
                    leading.add(node);
                    break;
                }
            }
        }
        return leading;
    }

    /** {@code g} is the whole gradient of {@code node}'s output; kept if that output was asked for. */
    void offerIntermediate(Node node, Tensor g) {
        Integer i = intermediates.get(node);
        if (i != null) {
            // g goes on into the node's rule (which may free it): keep a copy
            add(i, g, false);
        }
    }

    /** One contribution {@code g} to {@code leaf}'s gradient; {@code onlyHere}: nothing else refers to g. */
    void offerLeaf(Tensor leaf, Tensor g, boolean onlyHere) {
        Integer i = leaves.get(leaf);
        if (i != null) {
            add(i, g, onlyHere);
        }
    }

    private void add(int i, Tensor g, boolean onlyHere) {
        if (found[i] == null) {
            // adopt g only if no other tensor sees its memory: a later in-place change elsewhere must not reach it
            found[i] = onlyHere && !Tensors.storage(g).isShared() ? g : createGraph ? g.add(0.0) : InPlace.cloneDetached(g);
        } else {
            found[i] = found[i].add(g);
        }
    }

    /** The gradient of input {@code i}, or null if none reached it. */
    public Tensor get(int i) {
        return found[slots[i]];
    }
}
