package dev.nabla.inference.capture;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.Tracing;
import dev.nabla.autograd.GradMode;
import dev.nabla.inference.TraceException;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Module;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.ops.Tracer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One traced forward pass, as raw steps over numbered tensors: the input, stored tensors (parameters, buffers,
 * constants made outside the ops) and op calls, each with the module scope it ran in. {@link GraphCapture}
 * records two passes at different batch sizes and merges them into a graph.
 */
final class Recorder implements Tracer {

    /** A raw step; {@code value} numbers the tensor it makes. */
    sealed interface Step permits InputStep, StoredStep, CallStep {
        int value();

        Scope scope();
    }

    record InputStep(int value) implements Step {
        @Override
        public Scope scope() {
            return Scope.NONE;
        }
    }

    /** {@code copy} is a detached copy of the tensor's values, or null when the recorder was told not to copy. */
    record StoredStep(int value, String name, Node.Role role, Scope scope, Tensor copy) implements Step {
    }

    record CallStep(int value, Op op, int[] inputs, Scope scope) implements Step {
    }

    private final Map<Tensor, Integer> numbers = new IdentityHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<Integer, CallStep> producers = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final Deque<Scope> scopes = new ArrayDeque<>();
    private final Map<Object, String> modulePaths = new IdentityHashMap<>();
    private final Map<Tensor, String> parameters = new IdentityHashMap<>();
    private final Map<Tensor, String> buffers = new IdentityHashMap<>();
    private final Map<String, Integer> constantsPerScope = new HashMap<>();
    private final boolean copyStored;
    private int output = -1;

    Recorder(Module model, boolean copyStored) {
        this.copyStored = copyStored;
        model.namedModules().forEach((path, m) -> modulePaths.put(m, path));
        model.namedParameters().forEach((name, t) -> parameters.put(t, name));
        model.namedBuffers().forEach((name, t) -> buffers.put(t, name));
        scopes.push(new Scope("", typeOf(model)));
    }

    /** Runs {@code model} on {@code input} under this recorder, without recording gradients. */
    void run(Module model, Tensor input) {
        int in = number(input);
        steps.add(new InputStep(in));
        Tensor out;
        try (var off = GradMode.noGrad(); var installed = Tracing.install(this)) {
            out = model.call(input);
        }
        output = valueOf(out);
    }

    List<Step> steps() {
        return steps;
    }

    Tensor tensor(int value) {
        return tensors.get(value);
    }

    int output() {
        return output;
    }

    // ------------------------------------------------------------------ Tracer

    @Override
    public void record(Op op, List<Tensor> inputs, Tensor result) {
        int[] in = new int[inputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = valueOf(inputs.get(i));
        }
        CallStep step = new CallStep(number(result), op, in, scopes.peek());
        producers.put(step.value(), step);
        steps.add(step);
    }

    @Override
    public void enterModule(Object module) {
        String path = modulePaths.get(module);
        Scope outer = scopes.peek();
        if (path == null) {
            // a module made during forward, not registered in the model: named after its class, inside the caller
            String type = typeOf((Module) module);
            path = outer.path().isEmpty() ? type : outer.path() + "." + type;
        }
        scopes.push(new Scope(path, typeOf((Module) module)));
    }

    @Override
    public void exitModule(Object module) {
        if (scopes.size() > 1) {
            scopes.pop();
        }
    }

    @Override
    public void beforeRead(Tensor tensor, String method) {
        Integer value = numbers.get(tensor);
        CallStep made = value == null ? null : producers.get(value);
        throw new TraceException("cannot trace " + where() + ": it reads the values of a tensor "
                + Shapes.str(tensor.shape()) + (made == null ? "" : " made by '" + made.op().name() + "'")
                + " into Java (" + method + "), so the graph would depend on values it cannot see; compute with "
                + "tensor ops instead, or do this outside the traced model");
    }

    @Override
    public void beforeRandom(String function) {
        throw new TraceException("cannot trace " + where() + ": it draws random numbers ('" + function
                + "'), which a graph of ops cannot capture; trace the model in eval mode (dropout is then the "
                + "identity)");
    }

    @Override
    public void beforeInPlace(Tensor target, String method) {
        throw new TraceException("cannot trace " + where() + ": '" + method + "' writes into a tensor "
                + Shapes.str(target.shape()) + " in place (batch norm in training mode updates its running "
                + "statistics this way); trace the model in eval mode");
    }

    private String where() {
        Scope s = scopes.peek();
        return s.path().isEmpty() ? "the model (" + s.type() + ")" : "module '" + s.path() + "' (" + s.type() + ")";
    }

    // ------------------------------------------------------------------ values

    private int number(Tensor t) {
        int n = tensors.size();
        tensors.add(t);
        numbers.put(t, n);
        return n;
    }

    /** The number of a known tensor, or of a new stored step for a tensor made outside the traced ops. */
    private int valueOf(Tensor t) {
        Integer known = numbers.get(t);
        if (known != null) {
            return known;
        }
        Scope scope = scopes.peek();
        String name;
        Node.Role role;
        if (parameters.containsKey(t)) {
            name = parameters.get(t);
            role = Node.Role.PARAMETER;
        } else if (buffers.containsKey(t)) {
            name = buffers.get(t);
            role = Node.Role.BUFFER;
        } else {
            int k = constantsPerScope.merge(scope.path(), 1, Integer::sum) - 1;
            name = (scope.path().isEmpty() ? "" : scope.path() + ".") + "const" + k;
            role = Node.Role.CONSTANT;
        }
        int n = number(t);
        steps.add(new StoredStep(n, name, role, scope, copyStored ? copyOf(t) : null));
        return n;
    }

    /** A contiguous copy that shares no memory with the model, made with this recorder switched off. */
    static Tensor copyOf(Tensor t) {
        try (var paused = Tracing.pause(); var off = GradMode.noGrad()) {
            int[] shape = t.shape();
            Tensor flat = switch (t.dtype()) {
                case FLOAT32 -> Tensor.of(t.toFloatArray());
                case FLOAT64 -> Tensor.of(t.toDoubleArray());
                case INT64 -> Tensor.of(t.toLongArray());
                case INT32 -> Tensor.of(t.toIntArray());
                case BOOL -> Tensor.of(t.toBooleanArray());
                case INT8 -> Tensor.of(t.toByteArray());
                case BFLOAT16, FLOAT16 -> Tensor.ofHalfBits(t.dtype(), t.halfBits(), t.numel());
            };
            return TensorScope.escape(flat.reshape(shape));
        }
    }

    private static String typeOf(Module m) {
        if (m instanceof Activation a) {
            return a.name();
        }
        String name = m.getClass().getSimpleName();
        return name.isEmpty() ? m.getClass().getName() : name; // anonymous classes have no simple name
    }
}
