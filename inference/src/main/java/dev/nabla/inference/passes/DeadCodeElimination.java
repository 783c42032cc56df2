package dev.nabla.inference.passes;

import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Value;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Removes every node whose value no output depends on (graph inputs always stay). */
public final class DeadCodeElimination implements Pass {
    @Override
    public String name() {
        return "dead code";
    }

    @Override
    public boolean isExact() {
        return true;
    }

    @Override
    public PassResult run(Graph graph) {
        Set<Integer> live = new HashSet<>();
        Deque<Value> work = new ArrayDeque<>(graph.outputs());
        while (!work.isEmpty()) {
            Value v = work.pop();
            if (live.add(v.id()) && graph.producer(v) instanceof Node.Call call) {
                work.addAll(call.inputs());
            }
        }
        GraphEditor editor = graph.edit();
        int calls = 0;
        int stored = 0;
        for (Node node : graph.nodes()) {
            if (!(node instanceof Node.Input) && !live.contains(node.output().id())) {
                editor.remove(node.output());
                if (node instanceof Node.Call) {
                    calls++;
                } else {
                    stored++;
                }
            }
        }
        if (calls + stored == 0) {
            return PassResult.unchanged(graph);
        }
        return new PassResult(editor.build(), List.of("removed " + calls + " unused op" + (calls == 1 ? "" : "s")
                + " and " + stored + " unused stored tensor" + (stored == 1 ? "" : "s")));
    }
}
