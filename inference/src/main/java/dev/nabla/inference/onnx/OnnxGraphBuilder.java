package dev.nabla.inference.onnx;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.onnx.OnnxFields.GraphMsg;
import dev.nabla.inference.onnx.OnnxFields.NodeMsg;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the parts of an ONNX {@code GraphProto} in the order they are made: nodes, initializers, inputs and
 * outputs. Every name it makes for a helper value (a shape operand, an intermediate of a composed op) is new: it
 * starts from all the names the Nabla graph uses, so a helper never takes the name of a value made later.
 */
final class OnnxGraphBuilder {
    private final Set<String> names;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();

    OnnxGraphBuilder(Collection<String> graphNames) {
        names = new HashSet<>(graphNames);
    }

    /** A name no value has: {@code hint}, else {@code hint.1}, {@code hint.2}, .... */
    String fresh(String hint) {
        String name = hint;
        for (int i = 1; names.contains(name); i++) {
            name = hint + "." + i;
        }
        names.add(name);
        return name;
    }

    /** Adds {@code output = opType(inputs...)}; the node is named after its output. */
    String node(String opType, String output, List<String> nodeInputs, OnnxAttribute... attributes) {
        ProtoWriter n = new ProtoWriter();
        for (String in : nodeInputs) {
            n.string(NodeMsg.INPUT, in);
        }
        n.string(NodeMsg.OUTPUT, output).string(NodeMsg.NAME, output).string(NodeMsg.OP_TYPE, opType);
        for (OnnxAttribute a : attributes) {
            n.message(NodeMsg.ATTRIBUTE, a.encode());
        }
        nodes.add(n);
        return output;
    }

    /** Adds a node whose output is a new helper value named after {@code hint}; returns that name. */
    String helper(String opType, String hint, List<String> nodeInputs, OnnxAttribute... attributes) {
        return node(opType, fresh(hint), nodeInputs, attributes);
    }

    /** A stored tensor under the Nabla value's own name. */
    void initializer(String name, Tensor value) {
        initializers.add(OnnxTensors.tensor(name, value));
    }

    /** A new 1-D INT64 initializer (the shape, axes and pads operands ONNX takes as tensors); returns its name. */
    String int64s(String hint, long... values) {
        String name = fresh(hint);
        initializers.add(OnnxTensors.int64s(name, values));
        return name;
    }

    /** A new 0-d initializer of {@code dtype}; returns its name. */
    String scalar(String hint, DType dtype, double value) {
        String name = fresh(hint);
        initializers.add(OnnxTensors.scalar(name, dtype, value));
        return name;
    }

    void input(String name, TensorType type) {
        inputs.add(OnnxTensors.valueInfo(name, type));
    }

    void output(String name, TensorType type) {
        outputs.add(OnnxTensors.valueInfo(name, type));
    }

    /** The {@code GraphProto}. */
    ProtoWriter build(String graphName) {
        ProtoWriter g = new ProtoWriter();
        for (ProtoWriter n : nodes) {
            g.message(GraphMsg.NODE, n);
        }
        g.string(GraphMsg.NAME, graphName);
        for (ProtoWriter t : initializers) {
            g.message(GraphMsg.INITIALIZER, t);
        }
        for (ProtoWriter in : inputs) {
            g.message(GraphMsg.INPUT, in);
        }
        for (ProtoWriter out : outputs) {
            g.message(GraphMsg.OUTPUT, out);
        }
        return g;
    }
}
