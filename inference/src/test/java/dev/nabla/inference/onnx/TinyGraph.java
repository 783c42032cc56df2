package dev.nabla.inference.onnx;

import dev.nabla.Tensor;
import dev.nabla.engine.Ops;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small graph of fixed shapes built call by call: each call runs eagerly on the example tensors to find its
 * output type, so a test states only ops and inputs.
 */
final class TinyGraph {
    private final GraphEditor editor = GraphEditor.empty();
    private final Map<Integer, Tensor> examples = new HashMap<>();
    private final List<Tensor> inputs = new ArrayList<>();

    Value input(String name, Tensor example) {
        Value v = editor.input(name, new TensorType(example.dtype(), example.shape()));
        examples.put(v.id(), example);
        inputs.add(example);
        return v;
    }

    Value constant(String name, Tensor value) {
        Value v = editor.constant(name, value, Node.Role.CONSTANT, Scope.NONE);
        examples.put(v.id(), value);
        return v;
    }

    Value call(Op op, Value... operands) {
        Tensor[] args = Arrays.stream(operands).map(v -> examples.get(v.id())).toArray(Tensor[]::new);
        Tensor out = Ops.run(op, args);
        Value v = editor.call(op, new TensorType(out.dtype(), out.shape()), Scope.NONE, operands);
        examples.put(v.id(), out);
        return v;
    }

    Graph build(Value... outputs) {
        editor.setOutputs(List.of(outputs));
        return editor.build();
    }

    /** The example tensors of the inputs, in order. */
    List<Tensor> inputs() {
        return List.copyOf(inputs);
    }
}
