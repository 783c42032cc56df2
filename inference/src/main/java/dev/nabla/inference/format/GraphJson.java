package dev.nabla.inference.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import dev.nabla.io.SafeTensorsContainer;
import dev.nabla.io.JsonInput;
import dev.nabla.DType;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.OpCodec;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.io.FileFormatException;
import dev.nabla.ops.Op;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A graph as JSON, the {@code graph} string of a model file:
 * <pre>
 * {"inputs": ["input"], "outputs": ["%15"], "nodes": [
 *   {"kind": "input", "name": "input", "type": {"dtype": "f32", "shape": [-1, 1, 8, 8]}},
 *   {"kind": "constant", "name": "0.weight", "type": {"dtype": "f32", "shape": [8, 1, 3, 3]},
 *    "scope": {"path": "0", "type": "Conv2d"}, "role": "parameter"},
 *   {"kind": "call", "name": "%3", "type": {"dtype": "f32", "shape": [-1, 8, 8, 8]},
 *    "scope": {"path": "0", "type": "Conv2d"}, "op": "conv2d",
 *    "attributes": {"kernel": [3, 3], "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "groups": 1,
 *                   "bias": true, "activation": "none"},
 *    "inputs": ["input", "0.weight", "0.bias"]},
 *   ...]}
 * </pre>
 * Nodes are in graph order (each after the nodes it reads). Types use the short dtype names (f32, f64, i64,
 * i32, i8, bool) and {@code -k} for k times the batch size. Roles are parameter, buffer or constant. Op names and
 * attributes are those of {@link OpCodec}; JSON has no NaN or infinities, so a non-finite attribute value is
 * the string "NaN", "Infinity" or "-Infinity". The writer is deterministic: the same graph gives the same text.
 *
 * <p>Reading checks each node's form (known keys, each of the right kind, op and attributes accepted by
 * {@link OpCodec#decode}); how the nodes fit together is {@link ModelReader}'s part.
 */
final class GraphJson {
    private static final String PART = "graph";

    private GraphJson() {
    }

    // ------------------------------------------------------------------ writing

    static String write(Graph graph) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JsonInput.factory().createGenerator(text)) {
            g.writeStartObject();
            g.writeArrayFieldStart("inputs");
            for (Value v : graph.inputs()) {
                g.writeString(v.name());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("outputs");
            for (Value v : graph.outputs()) {
                g.writeString(v.name());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("nodes");
            for (Node node : graph.nodes()) {
                writeNode(g, node);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("model file: could not write the graph: " + e.getMessage(), e);
        }
        return text.toString();
    }

    private static void writeNode(JsonGenerator g, Node node) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", switch (node) {
            case Node.Input in -> "input";
            case Node.Constant c -> "constant";
            case Node.Call call -> "call";
        });
        g.writeStringField("name", node.output().name());
        TensorType type = node.output().type();
        g.writeObjectFieldStart("type");
        g.writeStringField("dtype", TensorType.dtypeName(type.dtype()));
        g.writeArrayFieldStart("shape");
        for (int s : type.shape()) {
            g.writeNumber(s);
        }
        g.writeEndArray();
        g.writeEndObject();
        if (!(node instanceof Node.Input)) {
            g.writeObjectFieldStart("scope");
            g.writeStringField("path", node.scope().path());
            g.writeStringField("type", node.scope().type());
            g.writeEndObject();
        }
        switch (node) {
            case Node.Input in -> {
            }
            case Node.Constant c -> g.writeStringField("role", c.role().name().toLowerCase(Locale.ROOT));
            case Node.Call call -> {
                g.writeStringField("op", call.op().name());
                g.writeObjectFieldStart("attributes");
                for (var a : OpCodec.attributes(call.op()).entrySet()) {
                    g.writeFieldName(a.getKey());
                    writeAttribute(g, a.getValue());
                }
                g.writeEndObject();
                g.writeArrayFieldStart("inputs");
                for (Value v : call.inputs()) {
                    g.writeString(v.name());
                }
                g.writeEndArray();
            }
        }
        g.writeEndObject();
    }

    private static void writeAttribute(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case Long l -> g.writeNumber(l);
            case Double d when d.isNaN() -> g.writeString("NaN");
            case Double d when d.isInfinite() -> g.writeString(d > 0 ? "Infinity" : "-Infinity");
            case Double d -> g.writeNumber(d);
            case Boolean b -> g.writeBoolean(b);
            case String s -> g.writeString(s);
            case List<?> list -> {
                g.writeStartArray();
                for (Object o : list) {
                    g.writeNumber((Long) o);
                }
                g.writeEndArray();
            }
            default -> throw new IllegalArgumentException("model file: attribute value " + value + " of type "
                    + value.getClass().getSimpleName() + " has no JSON form");
        }
    }

    // ------------------------------------------------------------------ reading

    /** The graph described by {@code text}, each node's form checked. */
    static GraphSpec read(Path file, String text) {
        List<String> inputs = null;
        List<String> outputs = null;
        List<GraphSpec.NodeSpec> nodes = null;
        try (JsonInput in = JsonInput.of(file, PART, text)) {
            in.expect(JsonToken.START_OBJECT, "the graph object '{'");
            for (String key = in.nextKey("a graph key"); key != null; key = in.nextKey("a graph key")) {
                switch (key) {
                    case "inputs" -> inputs = strings(in, "graph inputs");
                    case "outputs" -> outputs = strings(in, "graph outputs");
                    case "nodes" -> nodes = nodes(file, in);
                    default -> throw in.error("unknown key '" + JsonInput.clip(key)
                            + "'; expected inputs, outputs and nodes", null);
                }
            }
            in.end();
            if (inputs == null || outputs == null || nodes == null) {
                throw in.error("needs inputs, outputs and nodes; found no "
                        + (inputs == null ? "inputs" : outputs == null ? "outputs" : "nodes"), null);
            }
        }
        return new GraphSpec(List.copyOf(inputs), List.copyOf(outputs), List.copyOf(nodes));
    }

    private static List<String> strings(JsonInput in, String what) {
        in.expect(JsonToken.START_ARRAY, what + " (a list of names)");
        List<String> names = new ArrayList<>();
        for (JsonToken t = in.next(); t != JsonToken.END_ARRAY; t = in.next()) {
            if (t != JsonToken.VALUE_STRING) {
                throw in.mismatch(what + " entries (names)");
            }
            names.add(in.text());
        }
        return names;
    }

    private static List<GraphSpec.NodeSpec> nodes(Path file, JsonInput in) {
        in.expect(JsonToken.START_ARRAY, "graph nodes (a list)");
        List<GraphSpec.NodeSpec> nodes = new ArrayList<>();
        for (JsonToken t = in.next(); t != JsonToken.END_ARRAY; t = in.next()) {
            if (t != JsonToken.START_OBJECT) {
                throw in.mismatch("node " + nodes.size() + " (an object)");
            }
            nodes.add(node(file, in, nodes.size()));
        }
        return nodes;
    }

    /** The keys of one node object as read, before checking which belong to its kind. */
    private static final class Fields {
        String kind;
        String name;
        TensorType type;
        Scope scope;
        String role;
        String op;
        Map<String, Object> attributes;
        List<String> inputs;
    }

    private static GraphSpec.NodeSpec node(Path file, JsonInput in, int index) {
        String what = "node " + index;
        Fields f = new Fields();
        for (String key = in.nextKey(what + " key"); key != null; key = in.nextKey(what + " key")) {
            switch (key) {
                case "kind" -> f.kind = in.string(what + " kind");
                case "name" -> f.name = in.string(what + " name");
                case "type" -> f.type = type(in, what + " type");
                case "scope" -> f.scope = scope(in, what + " scope");
                case "role" -> f.role = in.string(what + " role");
                case "op" -> f.op = in.string(what + " op");
                case "attributes" -> f.attributes = attributes(in, what + " attributes");
                case "inputs" -> f.inputs = strings(in, what + " inputs");
                default -> throw in.error(what + " has an unknown key '" + JsonInput.clip(key) + "'", null);
            }
        }
        if (f.kind == null || f.name == null || f.type == null) {
            throw in.error(what + " needs kind, name and type; found no "
                    + (f.kind == null ? "kind" : f.name == null ? "name" : "type"), null);
        }
        if (f.name.isEmpty()) {
            throw in.error(what + " has an empty name", null);
        }
        String label = "node " + index + " ('" + JsonInput.clip(f.name) + "')";
        return switch (f.kind) {
            case "input" -> {
                only(in, label, "an input", f.scope == null && f.role == null && f.op == null
                        && f.attributes == null && f.inputs == null, "scope, role, op, attributes or inputs");
                yield new GraphSpec.NodeSpec(index, GraphSpec.Kind.INPUT, f.name, f.type, Scope.NONE, null, null,
                        List.of());
            }
            case "constant" -> {
                only(in, label, "a constant", f.op == null && f.attributes == null && f.inputs == null,
                        "op, attributes or inputs");
                require(in, label, "scope", f.scope);
                require(in, label, "role", f.role);
                yield new GraphSpec.NodeSpec(index, GraphSpec.Kind.CONSTANT, f.name, f.type, f.scope,
                        role(in, label, f.role), null, List.of());
            }
            case "call" -> {
                only(in, label, "a call", f.role == null, "a role");
                require(in, label, "scope", f.scope);
                require(in, label, "op", f.op);
                require(in, label, "attributes", f.attributes);
                require(in, label, "inputs", f.inputs);
                Op op;
                try {
                    op = OpCodec.decode(f.op, f.attributes, label);
                } catch (GraphException e) {
                    throw new FileFormatException(file, PART + ": " + e.getMessage(), e);
                }
                yield new GraphSpec.NodeSpec(index, GraphSpec.Kind.CALL, f.name, f.type, f.scope, null, op,
                        List.copyOf(f.inputs));
            }
            default -> throw in.error(label + " has kind '" + JsonInput.clip(f.kind)
                    + "'; expected input, constant or call", null);
        };
    }

    private static void only(JsonInput in, String label, String kind, boolean ok, String forbidden) {
        if (!ok) {
            throw in.error(label + " is " + kind + " and cannot have " + forbidden, null);
        }
    }

    private static void require(JsonInput in, String label, String key, Object value) {
        if (value == null) {
            throw in.error(label + " needs '" + key + "'", null);
        }
    }

    private static Node.Role role(JsonInput in, String label, String text) {
        return switch (text) {
            case "parameter" -> Node.Role.PARAMETER;
            case "buffer" -> Node.Role.BUFFER;
            case "constant" -> Node.Role.CONSTANT;
            default -> throw in.error(label + " has role '" + JsonInput.clip(text)
                    + "'; expected parameter, buffer or constant", null);
        };
    }

    private static TensorType type(JsonInput in, String what) {
        in.expect(JsonToken.START_OBJECT, what + " {dtype, shape}");
        DType dtype = null;
        long[] shape = null;
        for (String key = in.nextKey(what + " key"); key != null; key = in.nextKey(what + " key")) {
            switch (key) {
                case "dtype" -> dtype = dtype(in, in.string(what + " dtype"), what);
                case "shape" -> shape = SafeTensorsContainer.longs(in, what + " shape", -Integer.MAX_VALUE, Integer.MAX_VALUE,
                        SafeTensorsContainer.MAX_RANK);
                default -> throw in.error(what + " has an unknown key '" + JsonInput.clip(key)
                        + "'; expected dtype and shape", null);
            }
        }
        if (dtype == null || shape == null) {
            throw in.error(what + " needs dtype and shape", null);
        }
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = (int) shape[i];
        }
        return new TensorType(dtype, dims);
    }

    private static DType dtype(JsonInput in, String name, String what) {
        for (DType t : DType.values()) {
            if (TensorType.dtypeName(t).equals(name)) {
                return t;
            }
        }
        throw in.error(what + " has dtype '" + JsonInput.clip(name) + "'; expected f32, f64, bf16, f16, i64, i32, i8 or bool", null);
    }

    private static Scope scope(JsonInput in, String what) {
        in.expect(JsonToken.START_OBJECT, what + " {path, type}");
        String path = null;
        String type = null;
        for (String key = in.nextKey(what + " key"); key != null; key = in.nextKey(what + " key")) {
            switch (key) {
                case "path" -> path = in.string(what + " path");
                case "type" -> type = in.string(what + " type");
                default -> throw in.error(what + " has an unknown key '" + JsonInput.clip(key)
                        + "'; expected path and type", null);
            }
        }
        if (path == null || type == null) {
            throw in.error(what + " needs path and type", null);
        }
        return new Scope(path, type);
    }

    /** Attribute values as {@link OpCodec} takes them: Long, Double, Boolean, String or a list of Long. */
    private static Map<String, Object> attributes(JsonInput in, String what) {
        in.expect(JsonToken.START_OBJECT, what + " (an object)");
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (String key = in.nextKey(what + " key"); key != null; key = in.nextKey(what + " key")) {
            String name = what + " '" + JsonInput.clip(key) + "'";
            JsonToken t = in.next();
            Object value = switch (t) {
                case VALUE_NUMBER_INT -> in.integerAt(t, name, Long.MIN_VALUE, Long.MAX_VALUE);
                case VALUE_NUMBER_FLOAT -> in.realAt(name);
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_STRING -> switch (in.text()) {
                    case "NaN" -> Double.NaN;
                    case "Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> in.text();
                };
                case START_ARRAY -> integerList(in, name);
                default -> throw in.mismatch(name + " (a number, boolean, string or list of integers)");
            };
            attributes.put(key, value);
        }
        return attributes;
    }

    private static List<Long> integerList(JsonInput in, String what) {
        List<Long> values = new ArrayList<>();
        for (JsonToken t = in.next(); t != JsonToken.END_ARRAY; t = in.next()) {
            if (values.size() == SafeTensorsContainer.MAX_RANK) {
                throw in.error(what + " has more than " + SafeTensorsContainer.MAX_RANK + " entries", null);
            }
            values.add(in.integerAt(t, what + " entries", Long.MIN_VALUE, Long.MAX_VALUE));
        }
        return values;
    }
}
