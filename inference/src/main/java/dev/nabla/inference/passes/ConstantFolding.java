package dev.nabla.inference.passes;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Ops;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.SymbolicShapes;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes every op whose inputs are all stored tensors once, now, and stores the result instead: a batch norm's
 * {@code rsqrt(running_var + eps)} and the reshapes of its statistics become constants. Ops that would store more
 * elements than their inputs hold (an expand to a large shape) are left to run, so the model does not grow, and so
 * is dequantizing int8 weights.
 */
public final class ConstantFolding implements Pass {
    @Override
    public String name() {
        return "constant folding";
    }

    @Override
    public boolean isExact() {
        return true;
    }

    @Override
    public PassResult run(Graph graph) {
        GraphEditor editor = graph.edit();
        Map<Integer, Tensor> known = new HashMap<>();
        for (Node.Constant c : graph.constants()) {
            known.put(c.output().id(), c.value());
        }
        Map<Scope, Integer> foldedPerScope = new LinkedHashMap<>();
        try (var off = GradMode.noGrad()) {
            for (Node.Call call : graph.calls()) {
                Tensor[] args = new Tensor[call.inputs().size()];
                long inputElements = 0;
                boolean allKnown = true;
                for (int i = 0; i < args.length && allKnown; i++) {
                    args[i] = known.get(call.input(i).id());
                    allKnown = args[i] != null;
                    inputElements += allKnown ? args[i].numel() : 0;
                }
                // dequantize stays: the int8 weights are what makes the file small (the predictor expands them once)
                if (!allKnown || call.op() instanceof Op.Dequantize || call.output().type().isBatched()
                        || call.output().type().numel(1) > Math.max(inputElements, 1)) {
                    continue;
                }
                Tensor value = TensorScope.escape(Ops.run(SymbolicShapes.concrete(call.op(), args), args).contiguous());
                known.put(call.output().id(), value);
                Value folded = editor.constant(constantName(call), value, Node.Role.CONSTANT, call.scope());
                known.put(folded.id(), value);
                editor.replaceAllUses(call.output(), folded);
                editor.remove(call.output());
                foldedPerScope.merge(call.scope(), 1, Integer::sum);
            }
        }
        if (foldedPerScope.isEmpty()) {
            return PassResult.unchanged(graph);
        }
        List<String> changes = new ArrayList<>();
        foldedPerScope.forEach((scope, n) -> changes.add("computed " + n + " op" + (n == 1 ? "" : "s") + " on stored "
                + "tensors ahead of time in " + (scope.equals(Scope.NONE) ? "the graph" : scope)));
        return new PassResult(new DeadCodeElimination().run(editor.build()).graph(), changes);
    }

    private static String constantName(Node.Call call) {
        String path = call.scope().path();
        return (path.isEmpty() ? "" : path + ".") + call.op().name();
    }
}
