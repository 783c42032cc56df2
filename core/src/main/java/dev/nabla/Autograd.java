package dev.nabla;

import dev.nabla.autograd.AnomalyMode;
import dev.nabla.autograd.GradMode;
import dev.nabla.ops.GradientRules;
import dev.nabla.ops.Shapes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation over the recorded {@link Node}s. Gradient rules may return
 * gradients of the broadcast shape; this engine, and no rule, reduces them to each input's shape.
 */
final class Autograd {
    private Autograd() {
    }

    static void backward(Tensor root, Tensor gradient, boolean retainGraph, boolean createGraph) {
        root.checkOpen();
        if (!root.requiresGrad) {
            throw new AutogradException("backward: the tensor " + Shapes.str(root.layout.shape())
                    + " does not require grad (no input of its computation had requiresGrad(true), or it ran under noGrad)");
        }
        Tensor seed = seedGradient(root, gradient);
        try (var mode = GradMode.set(createGraph)) {
            if (root.gradFn == null) {
                accumulateLeaf(root, seed, createGraph, false);
                return;
            }
            Map<Node, Tensor> grads = new IdentityHashMap<>();
            // rule results handed to more than one input: never adopted as a leaf's grad, never closed early
            Set<Tensor> handedTwice = Collections.newSetFromMap(new IdentityHashMap<>());
            grads.put(root.gradFn, seed);
            List<Node> order = reverseTopologicalOrder(root.gradFn);
            ReluPoolBackward peephole = createGraph ? null : new ReluPoolBackward(order);
            for (Node node : order) {
                Tensor g = grads.remove(node);
                if (g == null) {
                    continue;
                }
                node.checkVersions();
                Tensor output = node.output();
                if (output.retainsGrad) {
                    accumulateLeaf(output, g, createGraph, false);
                }
                Tensor[] inputGrads;
                if (peephole != null && peephole.passesThrough(node)) {
                    inputGrads = new Tensor[]{g};
                } else {
                    Tensor fused = peephole == null ? null : peephole.gradient(node, g);
                    inputGrads = fused != null ? new Tensor[]{fused} : runRule(node, g);
                }
                int n = node.inputCount();
                if (inputGrads.length != n) {
                    throw new IllegalStateException("gradient rule of '" + node.op().name() + "' returned "
                            + inputGrads.length + " gradients for " + n + " inputs");
                }
                if (!createGraph && g != seed && !handedTwice.contains(g) && !occursIn(inputGrads, g)) {
                    // the rule has consumed g and nothing else refers to it: freeing it now lets a view of it
                    // (a transposed weight gradient, say) be its memory's only tensor, kept without a copy
                    g.close();
                }
                for (int i = 0; i < n; i++) {
                    Tensor input = node.input(i);
                    Tensor raw = inputGrads[i];
                    if (raw == null || !input.requiresGrad) {
                        continue;
                    }
                    if (occursElsewhere(inputGrads, i)) {
                        handedTwice.add(raw);
                    }
                    Tensor gi = reduceToShape(raw, input.layout.shape()).to(input.dtype);
                    // Only this input sees gi if it is new (a reduction, a conversion), or if the rule gave
                    // it to this input alone and it is not the caller's gradient.
                    boolean onlyHere = gi != raw || (raw != seed && !handedTwice.contains(raw));
                    if (AnomalyMode.isEnabled()) {
                        Dispatcher.checkFinite(node.op(), node.inputs().toArray(Tensor[]::new), gi, "backward");
                    }
                    if (input.gradFn != null) {
                        grads.merge(input.gradFn, gi, Tensor::add);
                    } else {
                        accumulateLeaf(input, gi, createGraph, onlyHere);
                    }
                }
                if (!retainGraph) {
                    node.release();
                }
            }
        }
    }

    private static Tensor[] runRule(Node node, Tensor g) {
        boolean[] inBackward = Dispatcher.IN_BACKWARD.get();
        boolean previous = inBackward[0];
        inBackward[0] = true;
        try {
            return GradientRules.backward(node, g);
        } finally {
            inBackward[0] = previous;
        }
    }

    private static Tensor seedGradient(Tensor root, Tensor gradient) {
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new AutogradException("backward: a gradient can only be implied for a one-element tensor, found shape "
                        + Shapes.str(root.layout.shape()) + "; pass backward(gradient)");
            }
            return Tensor.onesLike(root);
        }
        if (!Arrays.equals(gradient.layout.shape(), root.layout.shape())) {
            throw new ShapeException("backward: gradient shape " + Shapes.str(gradient.layout.shape())
                    + " differs from tensor shape " + Shapes.str(root.layout.shape()));
        }
        return gradient.to(root.dtype);
    }

    /** Sums {@code g} over the axes along which an input of {@code shape} was broadcast. */
    static Tensor reduceToShape(Tensor g, int[] shape) {
        int[] gs = g.layout.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) {
                dims.add(i);
            }
        }
        if (dims.isEmpty()) {
            return g.reshape(shape);
        }
        Tensor summed = g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        Tensor reshaped = summed.reshape(shape);
        if (reshaped != summed && !GradMode.isEnabled()) {
            summed.close(); // the view keeps the memory; with no other tensor on it, it can become a leaf's grad
        }
        return reshaped;
    }

    private static boolean occursIn(Tensor[] grads, Tensor t) {
        for (Tensor x : grads) {
            if (x == t) {
                return true;
            }
        }
        return false;
    }

    private static boolean occursElsewhere(Tensor[] grads, int index) {
        for (int j = 0; j < grads.length; j++) {
            if (j != index && grads[j] == grads[index]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds {@code g} into {@code t.grad}. The stored gradient is always a contiguous tensor owned by
     * {@code t} alone, since rules may return views or share one tensor between inputs: {@code g} itself
     * when {@code onlyHere} and no other tensor shares its storage (the usual case for weight and bias
     * gradients: one copy per parameter and step saved), else a copy.
     */
    private static void accumulateLeaf(Tensor t, Tensor g, boolean createGraph, boolean onlyHere) {
        if (t.grad == null) {
            Tensor owned = createGraph ? g.add(0.0)
                    : onlyHere && isPrivateAndWhole(g) ? g : InPlace.cloneDetached(g);
            TensorScope.escape(owned);
            t.grad = owned;
        } else if (createGraph) {
            Tensor sum = t.grad.add(g);
            TensorScope.escape(sum);
            t.grad = sum;
        } else {
            InPlace.accumulate(t.grad, g);
        }
    }

    private static boolean isPrivateAndWhole(Tensor g) {
        return !g.storage.isShared() && g.gradFn == null && !g.requiresGrad && g.layout.offset() == 0
                && g.layout.isContiguous();
    }

    /** Nodes reachable from {@code root}, each before every node it depends on (iterative DFS). */
    private static List<Node> reverseTopologicalOrder(Node root) {
        List<Node> postOrder = new ArrayList<>();
        Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextChild = new ArrayDeque<>();
        stack.push(root);
        nextChild.push(0);
        visited.add(root);
        while (!stack.isEmpty()) {
            Node node = stack.peek();
            int i = nextChild.pop();
            if (i < node.inputCount()) {
                nextChild.push(i + 1);
                Node child = node.input(i).gradFn;
                if (child != null && visited.add(child)) {
                    stack.push(child);
                    nextChild.push(0);
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
