package dev.nabla.inference.graph;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.inference.GraphException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-derives the type of every call from the ops themselves, for passes that change shapes (removing channels
 * changes every value between two layers): the graph runs on zero inputs at batch sizes 2 and 3, with the same
 * rules eager mode uses, and each dimension that differs in proportion to the batch size becomes symbolic, as in
 * the trace.
 */
public final class TypeInference {
    private static final int FIRST = 2;
    private static final int SECOND = 3;

    private TypeInference() {
    }

    /** {@code graph} with every call's output type recomputed. */
    public static Graph retype(Graph graph) {
        Map<Integer, int[]> first = shapes(graph, FIRST);
        Map<Integer, int[]> second = shapes(graph, SECOND);
        Map<Integer, TensorType> types = new HashMap<>();
        for (Node node : graph.nodes()) {
            if (node instanceof Node.Call call) {
                int[] a = first.get(call.output().id());
                int[] b = second.get(call.output().id());
                int[] shape = new int[a.length];
                for (int d = 0; d < a.length; d++) {
                    if (a[d] == b[d]) {
                        shape[d] = a[d];
                    } else if (a[d] % FIRST == 0 && b[d] % SECOND == 0 && a[d] / FIRST == b[d] / SECOND) {
                        shape[d] = -(a[d] / FIRST);
                    } else {
                        throw new GraphException("graph value " + call.output().name() + " has dimension " + d + " = "
                                + a[d] + " at batch size " + FIRST + " and " + b[d] + " at " + SECOND
                                + ", not a fixed multiple of the batch size");
                    }
                }
                types.put(call.output().id(), new TensorType(call.output().type().dtype(), shape));
            }
        }
        GraphEditor editor = graph.edit();
        for (Node.Call call : graph.calls()) {
            TensorType type = types.get(call.output().id());
            if (!type.equals(call.output().type())) {
                editor.replaceOp(call.output(), call.op(), type);
            }
        }
        return editor.build();
    }

    /** The shape of every call's result when the graph runs on zeros at {@code batch}. */
    private static Map<Integer, int[]> shapes(Graph graph, int batch) {
        Map<Integer, int[]> shapes = new HashMap<>();
        try (var off = GradMode.noGrad(); var scope = TensorScope.open()) {
            List<Tensor> inputs = new ArrayList<>();
            for (Value in : graph.inputs()) {
                inputs.add(Tensor.zeros(in.type().dtype(), in.type().concrete(batch)));
            }
            Interpreter.run(graph, inputs, (value, tensor) -> shapes.put(value.id(), tensor.shape()));
        }
        return shapes;
    }
}
