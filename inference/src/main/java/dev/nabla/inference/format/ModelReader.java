package dev.nabla.inference.format;

import dev.nabla.io.SafeTensorsContainer;
import dev.nabla.io.JsonInput;
import dev.nabla.Tensor;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.io.FileFormatException;
import dev.nabla.ops.Shapes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Takes a model out of the container, checking in an order where each step may rely on the ones before: the
 * container's form, the format name and version (a newer file may differ in anything after them), the tensor
 * entries, both checksums, the graph's nodes, how they fit together and with the entries, the dry run's budget;
 * only then are tensors created and the graph built and run. See {@link ModelFile} for what each step refuses.
 */
final class ModelReader {
    private static final Pattern CRC = Pattern.compile("[0-9a-f]{8}");
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,9}");

    private ModelReader() {
    }

    static LoadedModel read(Path file, byte[] bytes) {
        SafeTensorsContainer.Content content = SafeTensorsContainer.read(file, bytes);
        Map<String, String> metadata = content.metadata();
        checkFormat(file, metadata);
        // Files written before the header checksum existed have none; they load as before.
        SafeTensorsContainer.verifyHeaderCrc(file, bytes, content, false);
        List<SafeTensorsContainer.Entry> entries = SafeTensorsContainer.check(file, content);

        SafeTensorsContainer.verifyDataCrc(file, bytes, content, true);
        String graphText = required(file, metadata, ModelFile.KEY_GRAPH);
        CRC32C graphCrc = new CRC32C();
        graphCrc.update(graphText.getBytes(StandardCharsets.UTF_8));
        checkCrc(file, metadata, ModelFile.KEY_GRAPH_CRC, graphCrc.getValue(), "graph checksum mismatch: the graph "
                + "description is corrupt");

        GraphSpec spec = GraphJson.read(file, graphText);
        Map<String, GraphSpec.NodeSpec> byName = link(file, spec);
        Map<String, SafeTensorsContainer.Entry> tensors = matchTensors(file, spec, entries);
        DryRun.checkBudget(file, spec, byName);

        Graph graph = build(file, spec, tensors, bytes, content.dataStart());
        DryRun.run(file, graph);

        Map<String, String> user = new LinkedHashMap<>(metadata);
        user.keySet().removeAll(ModelFile.RESERVED_KEYS);
        return new LoadedModel(graph, user);
    }

    private static String required(Path file, Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new FileFormatException(file, "__metadata__ has no '" + key + "'; the file is corrupt or was not "
                    + "written as a Nabla model");
        }
        return value;
    }

    /** Format and version first: a newer version may change anything else, so it gets the clearer message. */
    private static void checkFormat(Path file, Map<String, String> metadata) {
        String format = metadata.get(ModelFile.KEY_FORMAT);
        if (!ModelFile.FORMAT.equals(format)) {
            throw new FileFormatException(file, format == null
                    ? "not a Nabla model file: a safetensors file without '" + ModelFile.KEY_FORMAT + "' metadata "
                    + "(expected \"" + ModelFile.FORMAT + "\"); read plain weights with dev.nabla.io.SafeTensors"
                    : "not a Nabla model file: format is \"" + JsonInput.clip(format) + "\", expected \""
                    + ModelFile.FORMAT + "\"");
        }
        String version = required(file, metadata, ModelFile.KEY_VERSION);
        if (!VERSION.matcher(version).matches()) {
            throw new FileFormatException(file, "format_version is \"" + JsonInput.clip(version)
                    + "\"; expected a version number (this reader reads version " + ModelFile.VERSION + ")");
        }
        int v = Integer.parseInt(version);
        if (v > ModelFile.VERSION) {
            throw new FileFormatException(file, "format version " + v + " is newer than this reader, which reads "
                    + "version " + ModelFile.VERSION + "; load it with a newer Nabla");
        }
        if (v != ModelFile.VERSION) {
            throw new FileFormatException(file, "format version " + v + " is not supported; this reader reads "
                    + "version " + ModelFile.VERSION);
        }
    }

    private static void checkCrc(Path file, Map<String, String> metadata, String key, long actual, String mismatch) {
        String stated = required(file, metadata, key);
        if (!CRC.matcher(stated).matches()) {
            throw new FileFormatException(file, key + " is \"" + JsonInput.clip(stated)
                    + "\"; expected 8 lowercase hex digits");
        }
        String computed = SafeTensorsContainer.hex(actual);
        if (!computed.equals(stated)) {
            throw new FileFormatException(file, mismatch + " (" + key + " is " + stated + ", the file gives "
                    + computed + ")");
        }
    }

    /**
     * Checks how the nodes fit together: unique names, every call reading only values made by earlier nodes,
     * the inputs list naming the input nodes in order, every output made by some node, batch dimensions only
     * where an input has one. Returns nodes by name.
     */
    private static Map<String, GraphSpec.NodeSpec> link(Path file, GraphSpec spec) {
        Map<String, GraphSpec.NodeSpec> byName = new HashMap<>();
        List<String> inputNodes = new ArrayList<>();
        for (GraphSpec.NodeSpec node : spec.nodes()) {
            for (String input : node.inputs()) {
                if (!byName.containsKey(input)) {
                    boolean later = spec.nodes().stream().anyMatch(n -> n.name().equals(input));
                    throw new FileFormatException(file, "graph: " + node.label() + " reads '" + JsonInput.clip(input)
                            + "' before it is made" + (later ? "; nodes must come after the values they read"
                            : ", and no node makes it"));
                }
            }
            GraphSpec.NodeSpec previous = byName.putIfAbsent(node.name(), node);
            if (previous != null) {
                throw new FileFormatException(file, "graph: " + node.label() + " has the name of node "
                        + previous.index() + "; names must be unique");
            }
            if (node.kind() == GraphSpec.Kind.INPUT) {
                inputNodes.add(node.name());
            }
        }
        if (!inputNodes.equals(spec.inputs())) {
            throw new FileFormatException(file, "graph: inputs " + clip(spec.inputs()) + " do not match the input "
                    + "nodes " + clip(inputNodes));
        }
        for (String output : spec.outputs()) {
            if (!byName.containsKey(output)) {
                throw new FileFormatException(file, "graph: output '" + JsonInput.clip(output) + "' is made by no node");
            }
        }
        // The inputs fix the batch size; without a batched input, a batched value could only ever be checked at
        // batch size 1, and its declared type would be unproven.
        boolean batchedInput = spec.nodes().stream().anyMatch(n -> n.kind() == GraphSpec.Kind.INPUT
                && n.type().isBatched());
        for (GraphSpec.NodeSpec node : spec.nodes()) {
            if (!batchedInput && node.type().isBatched()) {
                throw new FileFormatException(file, "graph: " + node.label() + " is declared " + node.type()
                        + ", with a batch dimension, but no graph input has one");
            }
        }
        return byName;
    }

    private static String clip(List<String> names) {
        return JsonInput.clip(names.toString());
    }

    /**
     * Pairs every constant node with the tensor entry of its name, of its declared dtype and shape, at the offset
     * of the canonical layout; refuses entries no constant claims.
     */
    private static Map<String, SafeTensorsContainer.Entry> matchTensors(Path file, GraphSpec spec, List<SafeTensorsContainer.Entry> entries) {
        Map<String, SafeTensorsContainer.Entry> byName = new HashMap<>();
        for (SafeTensorsContainer.Entry e : entries) {
            byName.put(e.name(), e); // names are unique: the JSON reader refuses duplicate keys
        }
        List<GraphSpec.NodeSpec> constants = new ArrayList<>();
        Map<String, SafeTensorsContainer.Entry> matched = new LinkedHashMap<>();
        for (GraphSpec.NodeSpec node : spec.nodes()) {
            if (node.kind() != GraphSpec.Kind.CONSTANT) {
                continue;
            }
            SafeTensorsContainer.Entry entry = byName.get(node.name());
            if (entry == null) {
                throw new FileFormatException(file, "graph: constant " + node.label() + " has no tensor entry in "
                        + "the header");
            }
            TensorType stored = new TensorType(entry.dtype(), entry.shape());
            if (!stored.equals(node.type())) {
                throw new FileFormatException(file, "graph: constant " + node.label() + " is declared "
                        + node.type() + " but its tensor entry is " + TensorBytes.code(entry.dtype()) + " "
                        + Shapes.str(entry.shape()));
            }
            constants.add(node);
            matched.put(node.name(), entry);
        }
        for (SafeTensorsContainer.Entry e : entries) {
            if (!matched.containsKey(e.name())) {
                throw new FileFormatException(file, "tensor '" + JsonInput.clip(e.name()) + "' is not a constant "
                        + "of the graph");
            }
        }
        // The canonical layout; its total is the data section, already covered exactly by the entries.
        constants.sort(Comparator.comparingInt((GraphSpec.NodeSpec n) -> n.type().dtype().byteSize()).reversed());
        long offset = 0;
        for (GraphSpec.NodeSpec node : constants) {
            SafeTensorsContainer.Entry e = matched.get(node.name());
            if (e.begin() != offset) {
                throw new FileFormatException(file, "tensor '" + JsonInput.clip(e.name()) + "' starts at data byte "
                        + e.begin() + " but the layout (constants in graph order, 8-byte dtypes first, then 4-byte, "
                        + "then 1-byte) puts it at " + offset);
            }
            offset = e.end();
        }
        return matched;
    }

    /** Creates the constants and builds the graph; everything it could refuse was checked before. */
    private static Graph build(Path file, GraphSpec spec, Map<String, SafeTensorsContainer.Entry> tensors, byte[] bytes,
                               int dataStart) {
        GraphEditor editor = GraphEditor.empty();
        Map<String, Value> values = new HashMap<>();
        try {
            for (GraphSpec.NodeSpec node : spec.nodes()) {
                Value v = switch (node.kind()) {
                    case INPUT -> editor.input(node.name(), node.type());
                    case CONSTANT -> {
                        SafeTensorsContainer.Entry e = tensors.get(node.name());
                        Tensor t = TensorBytes.decode(file, e.name(), bytes, Math.toIntExact(dataStart + e.begin()),
                                e.dtype(), e.shape(), e.numel());
                        yield editor.constant(node.name(), t, node.role(), node.scope());
                    }
                    case CALL -> {
                        Value[] inputs = new Value[node.inputs().size()];
                        for (int i = 0; i < inputs.length; i++) {
                            inputs[i] = values.get(node.inputs().get(i));
                        }
                        yield editor.call(node.name(), node.op(), node.type(), node.scope(), inputs);
                    }
                };
                values.put(node.name(), v);
            }
            List<Value> outputs = new ArrayList<>();
            for (String name : spec.outputs()) {
                outputs.add(values.get(name));
            }
            editor.setOutputs(outputs);
            Graph graph = editor.build();
            if (!Arrays.equals(names(graph), spec.nodes().stream().map(GraphSpec.NodeSpec::name).toArray())) {
                // the writer's order is canonical (inputs first, each constant just before its first reader): a file
                // in another order, even a valid one, was not written by ModelFile
                throw new FileFormatException(file, "graph: the nodes are not in the canonical order (inputs first, "
                        + "each constant just before its first reader)");
            }
            return graph;
        } catch (GraphException e) {
            throw new FileFormatException(file, "graph: " + e.getMessage(), e);
        }
    }

    private static Object[] names(Graph graph) {
        return graph.nodes().stream().map(n -> n.output().name()).toArray();
    }
}
