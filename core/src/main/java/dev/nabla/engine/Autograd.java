package dev.nabla.engine;

import dev.nabla.AutogradException;
import dev.nabla.Node;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
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
public final class Autograd {
    private Autograd() {
    }

    public static void backward(Tensor root, Tensor gradient, boolean retainGraph, boolean createGraph) {
        Tensors.checkOpen(root);
        if (!root.requiresGrad()) {
            throw new AutogradException("backward: the tensor " + Shapes.str(root.layout().shape())
                    + " does not require grad (no input of its computation had requiresGrad(true), or it ran under noGrad)");
        }
        run(List.of(root), List.of(seedGradient(root, gradient)), retainGraph, createGraph, null);
    }

    /**
     * Backpropagates from several roots at once, each with its checked seed gradient (of its shape and
     * dtype), through one traversal of their joint graph, so that a node they share runs its rule once, with
     * the sum of what reaches it. With {@code capture} null, gradients reaching leaves add into their
     * {@code .grad}; otherwise only {@code capture}'s tensors receive them, and no {@code .grad} is touched.
     */
    public static void run(List<Tensor> roots, List<Tensor> seeds, boolean retainGraph, boolean createGraph,
                    CapturedGradients capture) {
        try (var mode = GradMode.set(createGraph)) {
            Map<Node, Tensor> grads = new IdentityHashMap<>();
            // the caller's gradients: never closed here, never adopted as a leaf's grad
            Set<Tensor> callers = Collections.newSetFromMap(new IdentityHashMap<>());
            callers.addAll(seeds);
            // rule results handed to more than one input: never adopted as a leaf's grad, never closed early
            Set<Tensor> handedTwice = Collections.newSetFromMap(new IdentityHashMap<>());
            List<Node> rootNodes = new ArrayList<>();
            for (int i = 0; i < roots.size(); i++) {
                Tensor root = roots.get(i);
                if (root.gradFn() == null) {
                    reachLeaf(root, seeds.get(i), createGraph, false, capture);
                } else {
                    grads.merge(root.gradFn(), seeds.get(i), Tensor::add);
                    rootNodes.add(root.gradFn());
                }
            }
            if (rootNodes.isEmpty()) {
                return;
            }
            List<Node> order = reverseTopologicalOrder(rootNodes);
            Set<Node> leadToCaptured = capture == null ? null : capture.nodesLeadingToInputs(order);
            // The peephole assumes the ReLU's output gradient is wanted by nobody: not a root, not captured.
            ReluPoolBackward peephole = createGraph || capture != null || roots.size() != 1 ? null
                    : new ReluPoolBackward(order);
            for (Node node : order) {
                Tensor g = grads.remove(node);
                if (g == null) {
                    continue;
                }
                Tensors.checkVersions(node);
                Tensor output = node.output();
                if (capture != null) {
                    capture.offerIntermediate(node, g);
                    if (!leadToCaptured.contains(node)) {
                        continue; // nothing below this node is asked for
                    }
                } else if (Tensors.retainsGrad(output)) {
                    accumulateLeaf(output, g, createGraph, false);
                }
                Tensor[] inputGrads;
                if (peephole != null && peephole.passesThrough(node)) {
                    inputGrads = new Tensor[]{g};
                } else {
                    Tensor fused = peephole == null ? null : peephole.gradient(node, g);
                    inputGrads = fused != null ? new Tensor[]{fused} : runRule(node, g);
                }
                int n = Tensors.inputCount(node);
                if (inputGrads.length != n) {
                    throw new IllegalStateException("gradient rule of '" + node.op().name() + "' returned "
                            + inputGrads.length + " gradients for " + n + " inputs");
                }
                if (!createGraph && !callers.contains(g) && !handedTwice.contains(g) && !occursIn(inputGrads, g)) {
                    // the rule has consumed g and nothing else refers to it: freeing it now lets a view of it
                    // (a transposed weight gradient, say) be its memory's only tensor, kept without a copy
                    g.close();
                }
                for (int i = 0; i < n; i++) {
                    Tensor input = node.input(i);
                    Tensor raw = inputGrads[i];
                    if (raw == null || !input.requiresGrad()) {
                        continue;
                    }
                    if (occursElsewhere(inputGrads, i)) {
                        handedTwice.add(raw);
                    }
                    Tensor gi = reduceToShape(raw, input.layout().shape()).to(input.dtype());
                    // Only this input sees gi if it is new (a reduction, a conversion), or if the rule gave
                    // it to this input alone and it is not the caller's gradient.
                    boolean onlyHere = gi != raw || (!callers.contains(raw) && !handedTwice.contains(raw));
                    if (AnomalyMode.isEnabled()) {
                        Dispatcher.checkFinite(node.op(), node.inputs().toArray(Tensor[]::new), gi, "backward");
                    }
                    if (input.gradFn() != null) {
                        grads.merge(input.gradFn(), gi, Tensor::add);
                    } else {
                        reachLeaf(input, gi, createGraph, onlyHere, capture);
                    }
                }
                if (!retainGraph) {
                    Tensors.release(node);
                }
            }
        }
    }

    /** A gradient reaching a leaf: added into its {@code .grad}, or kept for the caller when it asked for it. */
    private static void reachLeaf(Tensor leaf, Tensor g, boolean createGraph, boolean onlyHere,
                                  CapturedGradients capture) {
        if (capture == null) {
            accumulateLeaf(leaf, g, createGraph, onlyHere);
        } else {
            capture.offerLeaf(leaf, g, onlyHere);
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
                        + Shapes.str(root.layout().shape()) + "; pass backward(gradient)");
            }
            return Tensor.onesLike(root);
        }
        if (!Arrays.equals(gradient.layout().shape(), root.layout().shape())) {
            throw new ShapeException("backward: gradient shape " + Shapes.str(gradient.layout().shape())
                    + " differs from tensor shape " + Shapes.str(root.layout().shape()));
        }
        return gradient.to(root.dtype());
    }

    /** Sums {@code g} over the axes along which an input of {@code shape} was broadcast. */
    static Tensor reduceToShape(Tensor g, int[] shape) {
        int[] gs = g.layout().shape();
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
     * Adds {@code g} into {@code t.grad()}. The stored gradient is always a contiguous tensor owned by
     * {@code t} alone, since rules may return views or share one tensor between inputs: {@code g} itself
     * when {@code onlyHere} and no other tensor shares its storage (the usual case for weight and bias
     * gradients: one copy per parameter and step saved), else a copy.
     */
    private static void accumulateLeaf(Tensor t, Tensor g, boolean createGraph, boolean onlyHere) {
        if (t.grad() == null) {
            Tensor owned = createGraph ? g.add(0.0)
                    : onlyHere && isPrivateAndWhole(g) ? g : InPlace.cloneDetached(g);
            TensorScope.escape(owned);
            Tensors.setGradField(t, owned);
        } else if (createGraph) {
            Tensor sum = t.grad().add(g);
            TensorScope.escape(sum);
            Tensors.setGradField(t, sum);
        } else {
            InPlace.accumulate(t.grad(), g);
        }
    }

    private static boolean isPrivateAndWhole(Tensor g) {
        return !Tensors.storage(g).isShared() && g.gradFn() == null && !g.requiresGrad() && g.layout().offset() == 0
                && g.layout().isContiguous();
    }

    /** Nodes reachable from {@code roots}, each before every node it depends on (iterative DFS). */
    private static List<Node> reverseTopologicalOrder(List<Node> roots) {
        List<Node> postOrder = new ArrayList<>();
        Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextChild = new ArrayDeque<>();
        // one depth-first search per root, sharing visited: the joint post-order is still topological
        for (Node root : roots) {
            if (visited.add(root)) {
                stack.push(root);
                nextChild.push(0);
                walk(stack, nextChild, visited, postOrder);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }

    private static void walk(ArrayDeque<Node> stack, ArrayDeque<Integer> nextChild, Set<Node> visited,
                             List<Node> postOrder) {
        while (!stack.isEmpty()) {
            Node node = stack.peek();
            int i = nextChild.pop();
            if (i < Tensors.inputCount(node)) {
                nextChild.push(i + 1);
                Node child = node.input(i).gradFn();
                if (child != null && visited.add(child)) {
                    stack.push(child);
                    nextChild.push(0);
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
    }
}
