package dev.nabla.inference.runtime;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Ops;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.SymbolicShapes;
import dev.nabla.inference.graph.Value;
import dev.nabla.inference.passes.DeadCodeElimination;

import java.util.HashMap;
import java.util.Map;

/**
 * What a predictor computes once when it loads a model: every op that reads only stored tensors (int8 weights being
 * dequantized, above all) runs now and its result is stored, so that no prediction repeats it. Unlike the
 * constant-folding pass, this may make the graph in memory larger than the file: that is the point of int8 storage
 * with float arithmetic. Stored tensors nothing reads any more are dropped.
 */
final class StoredComputations {
    private StoredComputations() {
    }

    static Graph precompute(Graph graph) {
        GraphEditor editor = graph.edit();
        Map<Integer, Tensor> known = new HashMap<>();
        for (Node.Constant c : graph.constants()) {
            known.put(c.output().id(), c.value());
        }
        boolean changed = false;
        try (var off = GradMode.noGrad()) {
            for (Node.Call call : graph.calls()) {
                Tensor[] args = new Tensor[call.inputs().size()];
                boolean stored = true;
                for (int i = 0; i < args.length && stored; i++) {
                    args[i] = known.get(call.input(i).id());
                    stored = args[i] != null;
                }
                if (!stored || call.output().type().isBatched()) {
                    continue;
                }
                Tensor value = TensorScope.escape(Ops.run(SymbolicShapes.concrete(call.op(), args), args).contiguous());
                editor.remove(call.output()); // first, so the stored result can take its name
                Value v = editor.constant(call.output().name(), value, Node.Role.CONSTANT, call.scope());
                editor.replaceAllUses(call.output(), v);
                known.put(call.output().id(), value);
                changed = true;
            }
        }
        // the int8 weights a convolution's dequantization read are no longer needed in memory
        return changed ? new DeadCodeElimination().run(editor.build()).graph() : graph;
    }
}
