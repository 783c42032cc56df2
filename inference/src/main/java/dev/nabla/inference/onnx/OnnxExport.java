package dev.nabla.inference.onnx;

import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Value;
import dev.nabla.inference.onnx.OnnxFields.Model;
import dev.nabla.inference.onnx.OnnxFields.OperatorSetId;
import dev.nabla.io.AtomicFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes an inference {@link Graph} as an ONNX model (IR version {@value #IR_VERSION}, default-domain opset
 * {@value #OPSET}) that ONNX Runtime and other ONNX tools load.
 *
 * <p>Graph inputs and outputs keep their Nabla names and types; the batch size is the symbolic dimension
 * {@code "N"}, so the model runs at any batch size (a dimension that is a multiple of the batch size is left
 * unnamed). Stored tensors become initializers under their names ({@code "0.weight"}). Each op becomes one ONNX
 * node or a few (see {@code OnnxOps}); ops without an ONNX equivalent (the training-only gradient ops, unfold and
 * fold, and {@code quantized_linear}, whose int8 arithmetic is a Nabla runtime choice) are refused with a
 * {@link GraphException} naming the op and node.
 *
 * <p>Everything is held in memory, and protobuf limits a message to 2 GiB, so larger models are refused (ONNX's
 * external-data files are not written).
 */
public final class OnnxExport {
    /** ONNX IR version 8 (ONNX 1.10 to 1.12), the IR of opset 17. */
    public static final int IR_VERSION = 8;
    /** Default-domain operator set: ReduceSum takes axes as an input, the other reductions as an attribute. */
    public static final int OPSET = 17;
    /** Stored bytes above which the model would not fit in one protobuf message (2 GiB, less room for the rest). */
    private static final long MAX_STORED_BYTES = Integer.MAX_VALUE - (64L << 20);

    private OnnxExport() {
    }

    /** The ONNX model ({@code ModelProto}) of {@code graph}, its graph named {@code graphName}. */
    public static byte[] toBytes(Graph graph, String graphName) {
        checkSize(graph);
        List<String> names = new ArrayList<>();
        for (Node n : graph.nodes()) {
            names.add(n.output().name());
        }
        OnnxGraphBuilder g = new OnnxGraphBuilder(names);
        for (Node node : graph.nodes()) {
            switch (node) {
                case Node.Input in -> g.input(in.output().name(), in.output().type());
                case Node.Constant c -> g.initializer(c.output().name(), c.value());
                case Node.Call call -> OnnxOps.emit(call, g);
            }
        }
        addOutputs(graph, g);
        ProtoWriter opset = new ProtoWriter()
                .string(OperatorSetId.DOMAIN, "")
                .int64(OperatorSetId.VERSION, OPSET);
        return new ProtoWriter()
                .int64(Model.IR_VERSION, IR_VERSION)
                .string(Model.PRODUCER_NAME, "nabla")
                .message(Model.GRAPH, g.build(graphName))
                .message(Model.OPSET_IMPORT, opset)
                .toByteArray();
    }

    /** Writes the ONNX model of {@code graph} to {@code file} atomically; the graph is named after the file. */
    public static void write(Graph graph, Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        byte[] bytes = toBytes(graph, name);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /**
     * Graph outputs are the values of the same names, except where ONNX needs a node to make an output: an output
     * that is a graph input or a stored tensor, or a value listed twice, comes out of an Identity under a new name.
     */
    private static void addOutputs(Graph graph, OnnxGraphBuilder g) {
        Set<Integer> seen = new HashSet<>();
        for (Value v : graph.outputs()) {
            boolean direct = graph.producer(v) instanceof Node.Call && seen.add(v.id());
            String name = v.name();
            if (!direct) {
                name = g.node("Identity", g.fresh(v.name() + ".output"), List.of(v.name()));
            }
            g.output(name, v.type());
        }
    }

    private static void checkSize(Graph graph) {
        long bytes = 0;
        for (Node.Constant c : graph.constants()) {
            bytes += (long) c.value().numel() * c.value().dtype().byteSize();
        }
        if (bytes > MAX_STORED_BYTES) {
            throw new GraphException("ONNX export: the graph stores " + bytes + " bytes of tensors, more than one "
                    + "ONNX file holds without external data (2 GiB)");
        }
    }
}
