package dev.nabla.inference.passes;

import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.Value;

/** Small queries the passes share when they match patterns. */
final class Patterns {
    private Patterns() {
    }

    /** The one call that reads {@code v}, or null when it has other readers (or is a graph output). */
    static Node.Call onlyUser(Graph graph, Value v) {
        if (graph.useCount(v) != 1 || graph.isOutput(v)) {
            return null;
        }
        return graph.users(v).get(0);
    }

    /** The stored tensor behind {@code v}, or null if a call or input makes it. */
    static Tensor constant(Graph graph, Value v) {
        Node.Constant c = graph.constant(v);
        return c == null ? null : c.value();
    }

    /** The call that makes {@code v}, or null. */
    static Node.Call call(Graph graph, Value v) {
        return graph.producer(v) instanceof Node.Call c ? c : null;
    }

    /** How a report names where a node came from: {@code "1 (BatchNorm2d)"}, or the value's name outside modules. */
    static String where(Node node) {
        Scope s = node.scope();
        return s.equals(Scope.NONE) || s.path().isEmpty() && s.type().isEmpty() ? node.output().name() : s.toString();
    }
}
