package dev.nabla.inference.format;

import dev.nabla.io.JsonInput;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.ops.Op;

import java.util.List;

/**
 * A graph as its file describes it, before any tensor exists: nodes refer to each other by name. {@link GraphJson}
 * reads it and checks each node's form; {@link ModelReader} checks how the nodes fit together and with the tensor
 * entries, then builds the {@link dev.nabla.inference.graph.Graph}.
 */
record GraphSpec(List<String> inputs, List<String> outputs, List<NodeSpec> nodes) {

    enum Kind { INPUT, CONSTANT, CALL }

    /**
     * One node: {@code role} only for constants; {@code op} and {@code inputs} only for calls; {@code scope} is
     * {@link Scope#NONE} for inputs. {@code index} is the node's position, for messages.
     */
    record NodeSpec(int index, Kind kind, String name, TensorType type, Scope scope, Node.Role role, Op op,
                    List<String> inputs) {

        /** "node 12 ('%12')", for messages. */
        String label() {
            return "node " + index + " ('" + JsonInput.clip(name) + "')";
        }
    }
}
