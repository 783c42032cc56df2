package dev.nabla.inference.graph;

import dev.nabla.Tensor;
import dev.nabla.inference.GraphException;
import dev.nabla.ops.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A working copy of a {@link Graph} that a pass changes: add calls and constants, rewire the readers of a
 * value, drop nodes. Order does not matter while editing: {@link #build()} sorts the nodes so that each comes
 * after what it reads, keeping the original order wherever it can, and checks the result.
 */
public final class GraphEditor {
    /** Nodes by the id of the value they make, in their current order. */
    private final LinkedHashMap<Integer, Node> nodes = new LinkedHashMap<>();
    private final List<Value> outputs;
    private final Set<String> names = new HashSet<>();
    private int nextId;

    GraphEditor(Graph graph) {
        for (Node n : graph.nodes()) {
            nodes.put(n.output().id(), n);
            names.add(n.output().name());
        }
        outputs = new ArrayList<>(graph.outputs());
        nextId = graph.maxId() + 1;
    }

    /** A graph with no nodes yet (the tracer and the file reader build graphs this way). */
    public static GraphEditor empty() {
        return new GraphEditor(new Graph(List.of(), List.of()));
    }

    /** A name not used yet: {@code hint}, else {@code hint.1}, {@code hint.2}, .... */
    public String uniqueName(String hint) {
        String name = hint;
        for (int i = 1; names.contains(name); i++) {
            name = hint + "." + i;
        }
        return name;
    }

    private Value newValue(String name, TensorType type) {
        String unique = uniqueName(name);
        names.add(unique);
        return new Value(nextId++, unique, type);
    }

    /** Adds a graph input. */
    public Value input(String name, TensorType type) {
        Value v = newValue(name, type);
        nodes.put(v.id(), new Node.Input(v));
        return v;
    }

    /** Adds a stored tensor (the graph takes it over); its type is read from the tensor. */
    public Value constant(String name, Tensor value, Node.Role role, Scope scope) {
        Value v = newValue(name, new TensorType(value.dtype(), value.shape()));
        nodes.put(v.id(), new Node.Constant(v, value, role, scope));
        return v;
    }

    /** Adds {@code op(inputs...)} with a result of {@code type}; the result is named {@code %id}. */
    public Value call(Op op, TensorType type, Scope scope, Value... inputs) {
        Value v = newValue("%" + nextId, type);
        nodes.put(v.id(), new Node.Call(v, op, List.of(inputs), scope));
        return v;
    }

    /** Adds a call with a chosen result name (made unique). */
    public Value call(String name, Op op, TensorType type, Scope scope, Value... inputs) {
        Value v = newValue(name, type);
        nodes.put(v.id(), new Node.Call(v, op, List.of(inputs), scope));
        return v;
    }

    /** Replaces the tensor stored for {@code value}, keeping its name and role; returns the value's new form. */
    public Value replaceConstant(Value value, Tensor newValue) {
        if (!(nodes.get(value.id()) instanceof Node.Constant c)) {
            throw new GraphException("graph edit: " + value.name() + " is not a stored tensor");
        }
        Value updated = new Value(value.id(), value.name(), new TensorType(newValue.dtype(), newValue.shape()));
        nodes.put(value.id(), new Node.Constant(updated, newValue, c.role(), c.scope()));
        rewire(value, updated);
        return updated;
    }

    /** Changes the op of the call that makes {@code value} (same inputs), e.g. to add a fused activation. */
    public Value replaceOp(Value value, Op op, TensorType type) {
        if (!(nodes.get(value.id()) instanceof Node.Call c)) {
            throw new GraphException("graph edit: " + value.name() + " is not made by a call");
        }
        Value updated = new Value(value.id(), value.name(), type);
        nodes.put(value.id(), new Node.Call(updated, op, c.inputs(), c.scope()));
        rewire(value, updated);
        return updated;
    }

    /** Changes the inputs of the call that makes {@code value}. */
    public void replaceInputs(Value value, Value... inputs) {
        if (!(nodes.get(value.id()) instanceof Node.Call c)) {
            throw new GraphException("graph edit: " + value.name() + " is not made by a call");
        }
        nodes.put(value.id(), new Node.Call(c.output(), c.op(), List.of(inputs), c.scope()));
    }

    /** Makes every reader of {@code old} (calls and graph outputs) read {@code replacement} instead. */
    public void replaceAllUses(Value old, Value replacement) {
        rewire(old, replacement);
    }

    private void rewire(Value old, Value replacement) {
        for (var e : nodes.entrySet()) {
            if (e.getValue() instanceof Node.Call c && c.inputs().stream().anyMatch(v -> v.id() == old.id())) {
                List<Value> in = new ArrayList<>(c.inputs());
                in.replaceAll(v -> v.id() == old.id() ? replacement : v);
                e.setValue(new Node.Call(c.output(), c.op(), in, c.scope()));
            }
        }
        outputs.replaceAll(v -> v.id() == old.id() ? replacement : v);
    }

    /** Drops the node that makes {@code value}; nothing may read it any more when the graph is built. */
    public void remove(Value value) {
        if (nodes.remove(value.id()) == null) {
            throw new GraphException("graph edit: no node makes " + value.name());
        }
        names.remove(value.name());
    }

    /** The node that currently makes {@code value}, or null. */
    public Node node(Value value) {
        return nodes.get(value.id());
    }

    public void setOutputs(List<Value> newOutputs) {
        outputs.clear();
        outputs.addAll(newOutputs);
    }

    /**
     * The edited graph: nodes ordered so that each follows what it reads (otherwise in their current order),
     * checked by {@link Graph}'s constructor.
     */
    public Graph build() {
        List<Node> list = new ArrayList<>(nodes.values());
        Map<Integer, Integer> position = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            position.put(list.get(i).output().id(), i);
        }
        int[] waiting = new int[list.size()];
        Map<Integer, List<Integer>> readers = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof Node.Call c) {
                for (Value v : c.inputs()) {
                    Integer p = position.get(v.id());
                    if (p == null) {
                        throw new GraphException("graph edit: " + c.output().name() + " = " + c.op().name()
                                + " reads " + v.name() + ", which no node makes");
                    }
                    waiting[i]++;
                    readers.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
                }
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < list.size(); i++) {
            if (waiting[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> sorted = new ArrayList<>(list.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            sorted.add(list.get(i));
            for (int r : readers.getOrDefault(i, List.of())) {
                if (--waiting[r] == 0) {
                    ready.add(r);
                }
            }
        }
        if (sorted.size() != list.size()) {
            throw new GraphException("graph edit: the nodes form a cycle");
        }
        return new Graph(storedBeforeFirstUse(sorted), outputs);
    }

    /** Inputs first, then each stored tensor just before the first call that reads it (unread ones last). */
    private static List<Node> storedBeforeFirstUse(List<Node> sorted) {
        Map<Integer, Node> stored = new LinkedHashMap<>();
        List<Node> out = new ArrayList<>(sorted.size());
        for (Node n : sorted) {
            if (n instanceof Node.Constant) {
                stored.put(n.output().id(), n);
            } else if (n instanceof Node.Input) {
                out.add(n);
            }
        }
        for (Node n : sorted) {
            if (n instanceof Node.Call call) {
                for (Value v : call.inputs()) {
                    Node c = stored.remove(v.id());
                    if (c != null) {
                        out.add(c);
                    }
                }
                out.add(call);
            }
        }
        out.addAll(stored.values());
        return out;
    }
}
