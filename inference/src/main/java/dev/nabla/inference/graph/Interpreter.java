package dev.nabla.inference.graph;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Ops;
import dev.nabla.inference.GraphException;
import dev.nabla.ops.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph node by node through {@link Ops#run}, the dispatcher eager mode uses, so every call runs the
 * same kernels as the traced model did. Each intermediate tensor is closed after its last reader, so its
 * memory goes back to the backend's pool at once. Runs without recording gradients.
 */
public final class Interpreter {
    private Interpreter() {
    }

    /** The outputs of a graph with one input and one output. */
    public static Tensor run(Graph graph, Tensor input) {
        List<Tensor> out = run(graph, List.of(input), false);
        if (out.size() != 1) {
            throw new GraphException("graph has " + out.size() + " outputs; use run(graph, inputs, check)");
        }
        return out.get(0);
    }

    /**
     * The graph's outputs for {@code inputs}, which must match the graph's input types at one batch size.
     * With {@code checkTypes}, every value computed is also compared with its declared type at that batch size
     * (the file reader checks a loaded graph this way).
     */
    public static List<Tensor> run(Graph graph, List<Tensor> inputs, boolean checkTypes) {
        return run(graph, inputs, checkTypes ? new TypeCheck(batchSize(graph, inputs)) : null);
    }

    /** Sees every graph input, then every call's result as it is computed (before it may be released). */
    @FunctionalInterface
    public interface Observer {
        void computed(Value value, Tensor result);
    }

    /** Compares each result with its declared type at one batch size. */
    private record TypeCheck(int batch) implements Observer {
        @Override
        public void computed(Value value, Tensor result) {
            checkType(value, result, batch);
        }
    }

    /**
     * {@link #run(Graph, List, boolean)} that shows every input and every call's result to {@code observer} (or to
     * nobody when it is null): statistics collectors and the type inference read values this way.
     */
    public static List<Tensor> run(Graph graph, List<Tensor> inputs, Observer observer) {
        batchSize(graph, inputs);
        Map<Integer, Integer> lastUse = lastUses(graph);
        Map<Integer, Tensor> values = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            values.put(graph.inputs().get(i).id(), inputs.get(i));
        }
        List<Node> nodes = graph.nodes();
        try (var off = GradMode.noGrad()) {
            for (int position = 0; position < nodes.size(); position++) {
                Node node = nodes.get(position);
                switch (node) {
                    case Node.Input in -> {
                        if (observer != null) {
                            observer.computed(in.output(), values.get(in.output().id()));
                        }
                    }
                    case Node.Constant c -> values.put(c.output().id(), c.value());
                    case Node.Call call -> {
                        Tensor[] args = new Tensor[call.inputs().size()];
                        for (int i = 0; i < args.length; i++) {
                            args[i] = values.get(call.input(i).id());
                        }
                        Tensor out;
                        try {
                            out = Ops.run(SymbolicShapes.concrete(call.op(), args), args);
                        } catch (RuntimeException e) {
                            throw new GraphException("graph node " + call.output().name() + " = "
                                    + GraphText.describe(call) + " (in " + call.scope() + "): " + e.getMessage(), e);
                        }
                        if (observer != null) {
                            observer.computed(call.output(), out);
                        }
                        values.put(call.output().id(), out);
                        for (Value v : call.inputs()) {
                            release(graph, values, lastUse, v, position);
                        }
                    }
                }
            }
        }
        List<Tensor> outputs = new ArrayList<>();
        for (Value v : graph.outputs()) {
            outputs.add(values.get(v.id()));
        }
        return outputs;
    }

    /**
     * Runs the graph for training: stored tensors are taken from {@code stored} where it has them (by value id, e.g.
     * trainable copies of the weights), gradients are recorded as grad mode says, and no result is freed early,
     * because autograd keeps what it needs for backward.
     */
    public static Tensor runRecorded(Graph graph, Tensor input, Map<Integer, Tensor> stored) {
        batchSize(graph, List.of(input));
        Map<Integer, Tensor> values = new HashMap<>();
        values.put(graph.inputs().get(0).id(), input);
        for (Node node : graph.nodes()) {
            switch (node) {
                case Node.Input in -> {
                }
                case Node.Constant c -> values.put(c.output().id(), stored.getOrDefault(c.output().id(), c.value()));
                case Node.Call call -> {
                    Tensor[] args = new Tensor[call.inputs().size()];
                    for (int i = 0; i < args.length; i++) {
                        args[i] = values.get(call.input(i).id());
                    }
                    values.put(call.output().id(), Ops.run(SymbolicShapes.concrete(call.op(), args), args));
                }
            }
        }
        return values.get(graph.outputs().get(0).id());
    }

    /** Closes an intermediate result once the call at {@code position} was its last reader. */
    private static void release(Graph graph, Map<Integer, Tensor> values, Map<Integer, Integer> lastUse, Value v,
                                int position) {
        if (lastUse.get(v.id()) == position && graph.producer(v) instanceof Node.Call && !graph.isOutput(v)) {
            Tensor t = values.remove(v.id());
            if (t != null) {
                t.close();
            }
        }
    }

    /** Position of the last call reading each value. */
    private static Map<Integer, Integer> lastUses(Graph graph) {
        Map<Integer, Integer> last = new HashMap<>();
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) instanceof Node.Call call) {
                for (Value v : call.inputs()) {
                    last.put(v.id(), i);
                }
            }
        }
        return last;
    }

    /** The batch size the inputs agree on (1 when no input dimension follows it); refuses mismatches. */
    public static int batchSize(Graph graph, List<Tensor> inputs) {
        if (inputs.size() != graph.inputs().size()) {
            throw new GraphException("graph expects " + graph.inputs().size() + " input(s), found " + inputs.size());
        }
        int batch = -1;
        for (int i = 0; i < inputs.size(); i++) {
            Value expected = graph.inputs().get(i);
            Tensor t = inputs.get(i);
            TensorType type = expected.type();
            boolean fits = t.dtype() == type.dtype() && t.rank() == type.rank();
            for (int d = 0; fits && d < type.rank(); d++) {
                int s = type.dim(d);
                if (s >= 0) {
                    fits = t.size(d) == s;
                } else if (t.size(d) % -s != 0) {
                    fits = false;
                } else if (batch < 0) {
                    batch = t.size(d) / -s;
                } else {
                    fits = t.size(d) == -s * batch;
                }
            }
            if (!fits) {
                throw new GraphException("graph input '" + expected.name() + "' expects " + type + ", found "
                        + t.dtype() + " " + Shapes.str(t.shape()) + (batch > 0 ? " at batch size " + batch : ""));
            }
        }
        return Math.max(batch, 1);
    }

    private static void checkType(Value v, Tensor t, int batch) {
        if (t.dtype() != v.type().dtype() || !Arrays.equals(t.shape(), v.type().concrete(batch))) {
            throw new GraphException("graph value " + v.name() + " is declared " + v.type() + " but computes "
                    + t.dtype() + " " + Shapes.str(t.shape()) + " at batch size " + batch);
        }
    }
}
