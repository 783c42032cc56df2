package dev.nabla.inference.training;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Ops;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Node;
import dev.nabla.nn.Module;
import dev.nabla.ops.Op;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A graph as a trainable module (torch.fx's GraphModule), so that a slimmed graph can be fine-tuned with the
 * ordinary {@code Trainer} and optimizers: its stored weights (role PARAMETER) become this module's parameters, as
 * copies, and {@link #forward} runs the graph with autograd. The graph keeps eval-mode semantics: batch norms are
 * folded or use their stored statistics, dropout is gone. {@link #toGraph()} gives the graph with the trained
 * weights; the original graph is never changed.
 */
public final class GraphModule extends Module {
    private final Graph graph;
    /** Value id of each trained stored tensor -> its parameter name here. */
    private final Map<Integer, String> names = new LinkedHashMap<>();

    public GraphModule(Graph graph) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new GraphException("a graph module needs one input and one output, found " + graph.inputs().size()
                    + " and " + graph.outputs().size());
        }
        this.graph = graph;
        try (var off = GradMode.noGrad()) {
            for (Node.Constant c : graph.constants()) {
                if (c.role() == Node.Role.PARAMETER && c.value().dtype().isFloatingPoint()) {
                    // parameter names may not contain '.': "features.0.weight" becomes "features_0_weight"
                    String name = c.output().name().replace('.', '_');
                    registerParameter(name, copy(c.value()));
                    names.put(c.output().id(), name);
                }
            }
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        Map<Integer, Tensor> stored = new HashMap<>();
        names.forEach((id, name) -> stored.put(id, parameter(name)));
        return Interpreter.runRecorded(graph, input, stored);
    }

    /** The graph with the current values of this module's parameters (copied), everything else as it was. */
    public Graph toGraph() {
        GraphEditor editor = graph.edit();
        try (var off = GradMode.noGrad()) {
            for (Node.Constant c : graph.constants()) {
                String name = names.get(c.output().id());
                if (name != null) {
                    editor.replaceConstant(c.output(), copy(parameter(name)));
                }
            }
        }
        return editor.build();
    }

    /** A copy in new memory (the contiguous op always copies). */
    private static Tensor copy(Tensor t) {
        return TensorScope.escape(Ops.run(new Op.Contiguous(), t.detach()));
    }

    @Override
    protected String extraRepr() {
        return graph.calls().size() + " ops";
    }
}
