package dev.nabla.inference.graph;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The readable text form of a graph: one line per node, {@code name: type = op(operands) {attributes}}, with a
 * comment line wherever the module scope changes, e.g.
 * <pre>
 * graph(input: f32[N,1,28,28]) {
 *   # 0 (Conv2d)
 *   0.weight: f32[32,1,3,3] = parameter
 *   0.bias: f32[32] = parameter
 *   %3: f32[N,32,28,28] = conv2d(input, 0.weight, 0.bias) {kernel=[3, 3], stride=[1, 1], ..., bias=true}
 *   # 1 (ReLU)
 *   %4: f32[N,32,28,28] = relu(%3)
 *   ...
 *   return %15
 * }
 * </pre>
 * Scalar constants show their value; other stored tensors show their role.
 */
public final class GraphText {
    private GraphText() {
    }

    public static String format(Graph graph) {
        StringBuilder sb = new StringBuilder("graph(");
        StringJoiner params = new StringJoiner(", ");
        for (Value in : graph.inputs()) {
            params.add(in.toString());
        }
        sb.append(params).append(") {\n");
        Scope current = Scope.NONE;
        for (Node node : graph.nodes()) {
            if (node instanceof Node.Input) {
                continue;
            }
            if (!node.scope().equals(current)) {
                current = node.scope();
                sb.append("  # ").append(current.equals(Scope.NONE) ? "(no module)" : current).append('\n');
            }
            sb.append("  ").append(node.output()).append(" = ").append(describe(node)).append('\n');
        }
        StringJoiner outs = new StringJoiner(", ");
        for (Value out : graph.outputs()) {
            outs.add(out.name());
        }
        return sb.append("  return ").append(outs).append("\n}\n").toString();
    }

    /** The right-hand side of a node's line: {@code parameter}, {@code constant 1.0E-5}, {@code relu(%3)}. */
    public static String describe(Node node) {
        return switch (node) {
            case Node.Input in -> "input";
            case Node.Constant c -> c.role() == Node.Role.CONSTANT && c.value().numel() == 1
                    ? "constant " + scalarText(c) : c.role().name().toLowerCase(Locale.ROOT);
            case Node.Call call -> {
                StringJoiner args = new StringJoiner(", ", call.op().name() + "(", ")");
                for (Value v : call.inputs()) {
                    args.add(v.name());
                }
                Map<String, Object> attributes = OpCodec.attributes(call.op());
                yield attributes.isEmpty() ? args.toString() : args + " " + attributesText(attributes);
            }
        };
    }

    private static String scalarText(Node.Constant c) {
        return switch (c.value().dtype()) {
            case FLOAT32 -> Float.toString(c.value().toFloatArray()[0]);
            case FLOAT64 -> Double.toString(c.value().toDoubleArray()[0]);
            case BFLOAT16, FLOAT16 -> Float.toString(c.value().toFloatArray()[0]);
            case BOOL -> Boolean.toString(c.value().toBooleanArray()[0]);
            default -> Long.toString(c.value().toLongArray()[0]);
        };
    }

    /** {@code {kernel=[3, 3], groups=1}}. */
    public static String attributesText(Map<String, Object> attributes) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        attributes.forEach((k, v) -> j.add(k + "=" + (v instanceof List<?> l ? l.toString() : String.valueOf(v))));
        return j.toString();
    }
}
