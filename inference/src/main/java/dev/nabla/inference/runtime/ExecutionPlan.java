package dev.nabla.inference.runtime;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Ops;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphText;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.SymbolicShapes;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph compiled for one batch size: every value has a tensor fixed in advance, so a run only calls kernels.
 * Results of ops are slices of one arena per dtype, placed by {@link MemoryPlan} so that values whose lifetimes do
 * not overlap share memory; views (reshape, permute, expand, slice) are made once over those slices and stay valid
 * as the contents change; the caller's input is copied into its own slice. A run allocates no tensor memory:
 * every op writes into its slice through {@link Ops#runInto}; the few ops that cannot write into a given tensor
 * run normally and are copied into their slice.
 *
 * <p>Not thread-safe: {@link Predictor} gives each concurrent call its own plan.
 */
final class ExecutionPlan implements AutoCloseable {
    /** One op of a run. */
    private sealed interface Step permits Into, Copied {
        void run();
    }

    private record Into(Op op, Tensor out, Tensor[] in) implements Step {
        @Override
        public void run() {
            Ops.runInto(op, out, in);
        }
    }

    /** An op that cannot write into a given tensor: run it, copy the result into its slice, free the result. */
    private record Copied(Op op, Tensor out, Tensor[] in) implements Step {
        @Override
        public void run() {
            Tensor result = Ops.run(op, in);
            Ops.runInto(COPY, out, result);
            result.close();
        }
    }

    /** The op that copies values (into a given tensor, or into new memory). */
    private static final Op COPY = new Op.Contiguous();

    private final int batch;
    private final Tensor input;
    private final List<Step> steps;
    private final Tensor output;
    private final long arenaElements;
    /** Every tensor the plan made (arenas, slices, views, precomputed values): what {@link #close} frees. */
    private final List<Tensor> owned;

    private ExecutionPlan(int batch, Tensor input, List<Step> steps, Tensor output, long arenaElements,
                          List<Tensor> owned) {
        this.batch = batch;
        this.input = input;
        this.steps = steps;
        this.output = output;
        this.arenaElements = arenaElements;
        this.owned = owned;
    }

    /** Frees the plan's memory now rather than when the garbage collector finds it; the plan must not run again. */
    @Override
    public void close() {
        for (Tensor t : owned) {
            t.close();
        }
    }

    int batch() {
        return batch;
    }

    /** Elements of all arenas together (the plan's memory for intermediate results). */
    long arenaElements() {
        return arenaElements;
    }

    /** Runs the graph on {@code x} (of the plan's input shape) and returns a new tensor holding the output. */
    Tensor run(Tensor x) {
        try (var off = GradMode.noGrad()) {
            Ops.runInto(COPY, input, x);
            for (Step s : steps) {
                s.run();
            }
            return Ops.run(COPY, output);
        }
    }

    /** Compiles {@code graph} (one input, one output) for {@code batch}. */
    static ExecutionPlan compile(Graph graph, int batch) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new GraphException("a predictor runs graphs with one input and one output, found "
                    + graph.inputs().size() + " and " + graph.outputs().size());
        }
        try (var off = GradMode.noGrad(); var scope = TensorScope.open()) {
            Layout layout = layout(graph, batch);
            return build(graph, batch, layout);
        }
    }

    /**
     * What each value is and how long the memory under it must live, found by running the planning on separate
     * tensors (so the view ops themselves say which results are views and which need a copy).
     */
    private record Layout(Map<Integer, Kind> kinds, Map<Integer, Integer> baseOf, List<MemoryPlan.Request> requests,
                          Map<Integer, DType> dtypes, Map<Integer, Tensor> precomputed) {
    }

    private enum Kind { INPUT, CONSTANT, VIEW, INTO, COPIED }

    private static Layout layout(Graph graph, int batch) {
        Map<Integer, Tensor> probe = new HashMap<>();
        Map<Integer, Kind> kinds = new HashMap<>();
        Map<Integer, Integer> baseOf = new HashMap<>();       // value -> the value whose buffer it lives in
        Map<Integer, int[]> span = new HashMap<>();           // buffer value -> {first step, last step}
        List<Node> nodes = graph.nodes();
        for (int position = 0; position < nodes.size(); position++) {
            Node node = nodes.get(position);
            int id = node.output().id();
            switch (node) {
                case Node.Input in -> {
                    probe.put(id, Tensor.zeros(in.output().type().dtype(), in.output().type().concrete(batch)));
                    kinds.put(id, Kind.INPUT);
                    baseOf.put(id, id);
                    span.put(id, new int[]{-1, -1});
                }
                case Node.Constant c -> {
                    probe.put(id, c.value());
                    kinds.put(id, Kind.CONSTANT);
                }
                case Node.Call call -> {
                    Tensor[] args = args(call, probe);
                    Op op = SymbolicShapes.concrete(call.op(), args);
                    for (Value v : call.inputs()) {
                        Integer base = baseOf.get(v.id());
                        if (base != null) {
                            span.get(base)[1] = position;
                        }
                    }
                    if (allStored(call, kinds)) {
                        // computed from stored tensors alone (dequantized weights): once, now
                        probe.put(id, TensorScope.escape(run(call, op, args)));
                        kinds.put(id, Kind.CONSTANT);
                    } else if (isView(op, args)) {
                        probe.put(id, view(call, op, args));
                        kinds.put(id, Kind.VIEW);
                        Integer base = baseOf.get(call.input(0).id());
                        if (base != null) {
                            baseOf.put(id, base);
                        }
                    } else {
                        probe.put(id, Tensor.zeros(call.output().type().dtype(), call.output().type().concrete(batch)));
                        kinds.put(id, Ops.writesInto(op) ? Kind.INTO : Kind.COPIED);
                        baseOf.put(id, id);
                        span.put(id, new int[]{position, position});
                    }
                }
            }
        }
        for (Value out : graph.outputs()) {
            Integer base = baseOf.get(out.id());
            if (base != null) {
                span.get(base)[1] = nodes.size();
            }
        }
        List<MemoryPlan.Request> requests = new ArrayList<>();
        Map<Integer, DType> dtypes = new HashMap<>();
        for (var e : span.entrySet()) {
            Tensor t = probe.get(e.getKey());
            requests.add(new MemoryPlan.Request(e.getKey(), t.numel(), e.getValue()[0], e.getValue()[1]));
            dtypes.put(e.getKey(), t.dtype());
        }
        Map<Integer, Tensor> precomputed = new HashMap<>();
        for (Node.Call call : graph.calls()) {
            if (kinds.get(call.output().id()) == Kind.CONSTANT) {
                precomputed.put(call.output().id(), probe.get(call.output().id()));
            }
        }
        return new Layout(kinds, baseOf, requests, dtypes, precomputed);
    }

    private static boolean allStored(Node.Call call, Map<Integer, Kind> kinds) {
        for (Value v : call.inputs()) {
            if (kinds.get(v.id()) != Kind.CONSTANT) {
                return false;
            }
        }
        return true;
    }

    /** Ops whose result here is a view of their input (see {@link #view}): no kernel runs, nothing is written. */
    private static boolean isView(Op op, Tensor[] args) {
        return switch (op) {
            case Op.Permute p -> true;
            case Op.Expand e -> true;
            case Op.Slice s -> true;
            case Op.Reshape r -> args[0].isContiguous();
            case Op.Contiguous c -> args[0].isContiguous();
            default -> false;
        };
    }

    private static ExecutionPlan build(Graph graph, int batch, Layout layout) {
        // one arena per dtype, each placed on its own
        Map<DType, List<MemoryPlan.Request>> byType = new EnumMap<>(DType.class);
        for (MemoryPlan.Request r : layout.requests()) {
            byType.computeIfAbsent(layout.dtypes().get(r.id()), t -> new ArrayList<>()).add(r);
        }
        int ids = graph.nodes().stream().mapToInt(n -> n.output().id()).max().orElse(0) + 1;
        Map<Integer, Tensor> tensors = new HashMap<>();
        List<Tensor> owned = new ArrayList<>(layout.precomputed().values());
        long total = 0;
        for (var e : byType.entrySet()) {
            MemoryPlan.Placement p = MemoryPlan.place(e.getValue(), ids);
            if (p.arenaSize() > Integer.MAX_VALUE) {
                throw new GraphException("batch size " + batch + " needs " + p.arenaSize() + " " + e.getKey()
                        + " elements of working memory, more than one buffer holds");
            }
            Tensor arena = own(owned, Tensor.zeros(e.getKey(), (int) Math.max(1, p.arenaSize())));
            total += p.arenaSize();
            for (MemoryPlan.Request r : e.getValue()) {
                tensors.put(r.id(), own(owned, arena.narrow(0, (int) p.offsets()[r.id()], (int) r.size())));
            }
        }
        List<Step> steps = new ArrayList<>();
        Tensor input = null;
        for (Node node : graph.nodes()) {
            int id = node.output().id();
            switch (node) {
                case Node.Input in -> {
                    Tensor slot = tensors.get(id).reshape(in.output().type().concrete(batch));
                    tensors.put(id, own(owned, slot));
                    input = slot;
                }
                case Node.Constant c -> tensors.put(id, c.value());
                case Node.Call call -> {
                    Tensor[] args = args(call, tensors);
                    Op op = SymbolicShapes.concrete(call.op(), args);
                    switch (layout.kinds().get(id)) {
                        case CONSTANT -> tensors.put(id, layout.precomputed().get(id));
                        case VIEW -> tensors.put(id, own(owned, view(call, op, args)));
                        case INTO, COPIED -> {
                            Tensor out = own(owned, tensors.get(id).reshape(call.output().type().concrete(batch)));
                            tensors.put(id, out);
                            steps.add(layout.kinds().get(id) == Kind.INTO ? new Into(op, out, args)
                                    : new Copied(op, out, args));
                        }
                        default -> throw new IllegalStateException(node.toString());
                    }
                }
            }
        }
        return new ExecutionPlan(batch, input, List.copyOf(steps), tensors.get(graph.outputs().get(0).id()), total,
                owned);
    }

    /** {@code t}, out of the compile's scope and into the plan's keeping. */
    private static Tensor own(List<Tensor> owned, Tensor t) {
        owned.add(TensorScope.escape(t));
        return t;
    }

    private static Tensor[] args(Node.Call call, Map<Integer, Tensor> tensors) {
        Tensor[] args = new Tensor[call.inputs().size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = tensors.get(call.input(i).id());
        }
        return args;
    }

    /**
     * The result of a view op, made once when the plan is built. A contiguous copy of a tensor that is already
     * contiguous is the tensor itself: the op, which always copies, would copy it once, here, from a plan that has
     * not run yet.
     */
    private static Tensor view(Node.Call call, Op op, Tensor[] args) {
        return op instanceof Op.Contiguous ? args[0].view(args[0].shape()) : run(call, op, args);
    }

    private static Tensor run(Node.Call call, Op op, Tensor[] args) {
        try {
            return Ops.run(op, args);
        } catch (RuntimeException e) {
            throw new GraphException("graph node " + call.output().name() + " = " + GraphText.describe(call) + ": "
                    + e.getMessage(), e);
        }
    }
}
