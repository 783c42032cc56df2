package dev.nabla.inference.graph;

import dev.nabla.inference.GraphException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A computation as data: nodes in an order where every value is made before it is read, the graph's inputs
 * (made by {@link Node.Input} nodes) and its outputs. Graphs are immutable; passes build new ones with
 * {@link #edit()}. A graph is checked for consistency when it is built: every value is made once, read only
 * after it is made, and named uniquely.
 */
public final class Graph {
    private final List<Node> nodes;
    private final List<Value> inputs;
    private final List<Value> outputs;
    private final Map<Integer, Node> producers = new HashMap<>();
    private final Map<Integer, List<Node.Call>> users = new HashMap<>();
    /** Ids of the output values: the interpreter asks for every value it could free, so this must not scan. */
    private final Set<Integer> outputIds = new HashSet<>();

    public Graph(List<Node> nodes, List<Value> outputs) {
        this.nodes = List.copyOf(nodes);
        this.outputs = List.copyOf(outputs);
        List<Value> in = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node node : this.nodes) {
            if (node instanceof Node.Call call) {
                for (Value v : call.inputs()) {
                    requireDefined(v, "read by " + call.op().name() + " -> " + call.output().name());
                    users.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(call);
                }
            }
            Value out = node.output();
            if (producers.putIfAbsent(out.id(), node) != null) {
                throw new GraphException("graph: value id " + out.id() + " (" + out.name() + ") is made twice");
            }
            if (!names.add(out.name())) {
                throw new GraphException("graph: two values are named '" + out.name() + "'");
            }
            if (node instanceof Node.Input input) {
                in.add(input.output());
            }
        }
        for (Value v : this.outputs) {
            requireDefined(v, "a graph output");
            outputIds.add(v.id());
        }
        this.inputs = List.copyOf(in);
    }

    private void requireDefined(Value v, String where) {
        Node made = producers.get(v.id());
        if (made == null || !made.output().equals(v)) {
            throw new GraphException("graph: value " + v.name() + " (" + where + ") is not made by an earlier node");
        }
    }

    /** Every node, each after the nodes that make its inputs. */
    public List<Node> nodes() {
        return nodes;
    }

    public List<Value> inputs() {
        return inputs;
    }

    public List<Value> outputs() {
        return outputs;
    }

    /** The op calls, in order. */
    public List<Node.Call> calls() {
        List<Node.Call> calls = new ArrayList<>();
        for (Node n : nodes) {
            if (n instanceof Node.Call c) {
                calls.add(c);
            }
        }
        return calls;
    }

    /** The stored tensors, in order. */
    public List<Node.Constant> constants() {
        List<Node.Constant> constants = new ArrayList<>();
        for (Node n : nodes) {
            if (n instanceof Node.Constant c) {
                constants.add(c);
            }
        }
        return constants;
    }

    /** The node that makes {@code value}. */
    public Node producer(Value value) {
        Node n = producers.get(value.id());
        if (n == null) {
            throw new GraphException("graph: no node makes " + value.name());
        }
        return n;
    }

    /** The calls that read {@code value}, in node order (a call reading it twice appears twice). */
    public List<Node.Call> users(Value value) {
        return Collections.unmodifiableList(users.getOrDefault(value.id(), List.of()));
    }

    /** How many places read {@code value}: its calls' operands plus the graph outputs. */
    public int useCount(Value value) {
        int n = users.getOrDefault(value.id(), List.of()).size();
        for (Value out : outputs) {
            if (out.id() == value.id()) {
                n++;
            }
        }
        return n;
    }

    public boolean isOutput(Value value) {
        return outputIds.contains(value.id());
    }

    /** The stored tensor behind {@code value}, or null if another kind of node makes it. */
    public Node.Constant constant(Value value) {
        return producers.get(value.id()) instanceof Node.Constant c ? c : null;
    }

    /** The largest value id, so that editors can make new ones. */
    int maxId() {
        int max = -1;
        for (Node n : nodes) {
            max = Math.max(max, n.output().id());
        }
        return max;
    }

    /** Stored tensors by value name, in node order. */
    public Map<String, Node.Constant> constantsByName() {
        Map<String, Node.Constant> out = new LinkedHashMap<>();
        for (Node.Constant c : constants()) {
            out.put(c.output().name(), c);
        }
        return out;
    }

    /** A copy to change; see {@link GraphEditor}. */
    public GraphEditor edit() {
        return new GraphEditor(this);
    }

    /** The readable text form; see {@link GraphText}. */
    @Override
    public String toString() {
        return GraphText.format(this);
    }
}
