package dev.nabla.inference.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graphviz DOT export: calls as boxes (op, attributes, result type), inputs and outputs as ellipses, stored
 * tensors as small grey boxes, and one cluster per module scope so that layers show as groups. Render with
 * {@code dot -Tsvg graph.dot -o graph.svg}.
 */
public final class GraphDot {
    private GraphDot() {
    }

    public static String format(Graph graph, String title) {
        StringBuilder sb = new StringBuilder("digraph ").append(quote(title)).append(" {\n");
        sb.append("  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        Map<Scope, List<Node>> byScope = new LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            byScope.computeIfAbsent(node.scope(), s -> new ArrayList<>()).add(node);
        }
        int cluster = 0;
        for (var e : byScope.entrySet()) {
            boolean clustered = !e.getKey().equals(Scope.NONE) && !e.getKey().path().isEmpty();
            String indent = clustered ? "    " : "  ";
            if (clustered) {
                sb.append("  subgraph cluster_").append(cluster++).append(" {\n    label=")
                        .append(quote(e.getKey().toString())).append(";\n    style=rounded; color=\"#999999\";\n");
            }
            for (Node node : e.getValue()) {
                sb.append(indent).append(id(node.output())).append(" [").append(style(node)).append("];\n");
            }
            if (clustered) {
                sb.append("  }\n");
            }
        }
        for (Node node : graph.nodes()) {
            if (node instanceof Node.Call call) {
                for (Value in : call.inputs()) {
                    sb.append("  ").append(id(in)).append(" -> ").append(id(call.output())).append(";\n");
                }
            }
        }
        for (int i = 0; i < graph.outputs().size(); i++) {
            Value out = graph.outputs().get(i);
            sb.append("  output_").append(i).append(" [shape=ellipse, label=").append(quote("output " + out.type()))
                    .append("];\n  ").append(id(out)).append(" -> output_").append(i).append(";\n");
        }
        return sb.append("}\n").toString();
    }

    private static String style(Node node) {
        return switch (node) {
            case Node.Input in -> "shape=ellipse, label=" + quote(in.output().toString());
            case Node.Constant c -> "shape=box, style=filled, fillcolor=\"#eeeeee\", fontsize=8, label="
                    + quote(c.output().toString());
            case Node.Call call -> {
                Map<String, Object> attributes = OpCodec.attributes(call.op());
                String label = call.op().name() + (attributes.isEmpty() ? "" : "\n" + GraphText.attributesText(attributes))
                        + "\n" + call.output().type();
                yield "shape=box, style=\"rounded,filled\", fillcolor=\"#dde8f7\", label=" + quote(label);
            }
        };
    }

    private static String id(Value v) {
        return "v" + v.id();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
