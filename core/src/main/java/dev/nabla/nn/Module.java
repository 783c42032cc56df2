package dev.nabla.nn;

import dev.nabla.Device;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.Tracing;
import dev.nabla.autograd.GradMode;
import dev.nabla.ops.Shapes;
import dev.nabla.ops.Tracer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Base of every layer and model, with PyTorch's semantics: parameters, buffers and child modules
 * are registered in order under names; {@link #namedParameters()} and {@link #stateDict()} use
 * dotted paths ({@code "features.0.weight"}); {@link #train()} / {@link #eval()} switch the mode of
 * the whole tree.
 *
 * <p>Subclasses register their tensors in the constructor and read them back with
 * {@link #parameter(String)} / {@link #buffer(String)}, so that {@link #to(Device)} and
 * {@link #loadStateDict} can replace or fill them.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /**
     * Computes the module's output for one input tensor. Subclasses implement it; callers (containers
     * included) use {@link #call}, which also lets a tracer see the module as one scope.
     */
    public abstract Tensor forward(Tensor input);

    /**
     * Runs {@link #forward}, as PyTorch's {@code module(x)}: a tracer installed on this thread (the inference
     * compiler's) sees everything it computes as this module's scope, so a graph keeps layer boundaries and
     * names. Without a tracer it is exactly {@code forward(input)}.
     */
    public final Tensor call(Tensor input) {
        Tracer tracer = Tracing.current();
        if (tracer == null) {
            return forward(input);
        }
        tracer.enterModule(this);
        try {
            return forward(input);
        } finally {
            tracer.exitModule(this);
        }
    }

    // ---------------------------------------------------------------- registration

    /** Registers a trainable tensor (it is set to require gradients); {@code null} registers an absent one. */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        if (value != null) {
            TensorScope.escape(value).requiresGrad(true);
        }
        parameters.put(name, value);
        return value;
    }

    /** Registers a tensor that is saved in the state dict but not trained (e.g. running statistics). */
    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value == null ? null : TensorScope.escape(value));
        return value;
    }

    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, Objects.requireNonNull(module, "module"));
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member names must be non-empty and contain no '.', found '"
                    + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has a member named '" + name + "'");
        }
    }

    /** The parameter registered as {@code name} (null if registered as absent). */
    public Tensor parameter(String name) {
        if (!parameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        }
        return parameters.get(name);
    }

    public Tensor buffer(String name) {
        if (!buffers.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        }
        return buffers.get(name);
    }

    /** Replaces a buffer's tensor (e.g. after a device move); the name must already be registered. */
    protected void setBuffer(String name, Tensor value) {
        buffer(name);
        buffers.put(name, value == null ? null : TensorScope.escape(value));
    }

    // ---------------------------------------------------------------- traversal

    /** Direct children in registration order. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    public List<Module> children() {
        return List.copyOf(children.values());
    }

    /** This module and all descendants, depth first, with dotted names ("" for this one). */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        children.forEach((name, child) -> child.collectModules(prefix.isEmpty() ? name : prefix + "." + name, out));
    }

    /** Every parameter of the tree, with dotted names, in registration order (absent ones skipped). */
    public Map<String, Tensor> namedParameters() {
        return namedTensors(m -> m.parameters, t -> t);
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public Map<String, Tensor> namedBuffers() {
        return namedTensors(m -> m.buffers, t -> t);
    }

    /** The non-null tensors {@code members} picks from each module of the tree, under dotted names. */
    private Map<String, Tensor> namedTensors(Function<Module, Map<String, Tensor>> members, UnaryOperator<Tensor> view) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedModules().forEach((path, m) -> members.apply(m).forEach((name, t) -> {
            if (t != null) {
                out.put(path.isEmpty() ? name : path + "." + name, view.apply(t));
            }
        }));
        return out;
    }

    /** Total number of parameter elements. */
    public long numParameters() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.numel();
        }
        return n;
    }

    /** Calls {@code fn} on every module of the tree, children first (as PyTorch's {@code apply}). */
    public Module apply(Consumer<Module> fn) {
        for (Module child : children.values()) {
            child.apply(fn);
        }
        fn.accept(this);
        return this;
    }

    // ---------------------------------------------------------------- modes and devices

    public boolean isTraining() {
        return training;
    }

    /** Sets training mode for the whole tree. */
    public Module train(boolean mode) {
        training = mode;
        for (Module child : children.values()) {
            child.train(mode);
        }
        return this;
    }

    public Module train() {
        return train(true);
    }

    public Module eval() {
        return train(false);
    }

    /** Clears the gradients of every parameter. */
    public void zeroGrad() {
        for (Tensor p : parameters()) {
            p.setGrad(null);
        }
    }

    /** Moves every parameter and buffer of the tree to {@code device} (new leaf tensors there). */
    public Module to(Device device) {
        for (Module m : namedModules().values()) {
            m.parameters.replaceAll((name, p) -> p == null || p.device().equals(device) ? p
                    : TensorScope.escape(p.detach().to(device)).requiresGrad(true));
            m.buffers.replaceAll((name, b) -> b == null ? null : TensorScope.escape(b.to(device)));
        }
        return this;
    }

    /**
     * Converts every floating-point parameter and buffer of the tree to the floating type {@code dtype} (new leaf
     * tensors), as PyTorch's {@code module.to(dtype)} does: integer and boolean buffers keep their type. Use it to
     * store or run a model in BFLOAT16 or FLOAT16 (their arithmetic computes in FLOAT32 and rounds each op's result);
     * training in half precision is not tuned (no loss scaling or FLOAT32 master weights).
     */
    public Module to(dev.nabla.DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new dev.nabla.DTypeException("Module.to: expected a floating-point dtype, found " + dtype);
        }
        for (Module m : namedModules().values()) {
            m.parameters.replaceAll((name, p) -> p == null || p.dtype() == dtype || !p.dtype().isFloatingPoint() ? p
                    : TensorScope.escape(p.detach().to(dtype)).requiresGrad(true));
            m.buffers.replaceAll((name, b) -> b == null || b.dtype() == dtype || !b.dtype().isFloatingPoint() ? b
                    : TensorScope.escape(b.to(dtype)));
        }
        return this;
    }

    // ---------------------------------------------------------------- state dict

    /** Parameters and buffers by dotted name; the tensors are detached views of the live ones. */
    public Map<String, Tensor> stateDict() {
        return namedTensors(Module::ownState, t -> t);
    }

    /** This module's own parameters (detached) then buffers: PyTorch's state dict order within a module. */
    private Map<String, Tensor> ownState() {
        Map<String, Tensor> own = new LinkedHashMap<>();
        parameters.forEach((name, p) -> own.put(name, p == null ? null : p.detach()));
        own.putAll(buffers);
        return own;
    }

    /** Keys the model expected but the state dict lacked, and keys it had that the model does not know. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
        public boolean isComplete() {
            return missingKeys.isEmpty() && unexpectedKeys.isEmpty();
        }
    }

    /**
     * Checks {@code state} against this module without changing anything: every shape must match,
     * and with {@code strict} no key may be missing or unexpected.
     */
    public LoadResult checkStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (var entry : own.entrySet()) {
            Tensor given = state.get(entry.getKey());
            if (given == null) {
                missing.add(entry.getKey());
            } else if (!Arrays.equals(given.shape(), entry.getValue().shape())) {
                mismatched.add(entry.getKey() + ": expected shape " + Shapes.str(entry.getValue().shape())
                        + ", found " + Shapes.str(given.shape()));
            }
        }
        for (String key : state.keySet()) {
            if (!own.containsKey(key)) {
                unexpected.add(key);
            }
        }
        if (!mismatched.isEmpty()) {
            throw new ShapeException("loadStateDict: shape mismatch for " + String.join("; ", mismatched));
        }
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new IllegalArgumentException("loadStateDict: missing keys " + missing + ", unexpected keys " + unexpected);
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    /**
     * Copies values from {@code state} into this module's parameters and buffers. Every key and shape
     * is checked before anything is written, so a failed load changes nothing. With {@code strict},
     * missing or unexpected keys are an error; otherwise they are reported in the result.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        LoadResult result = checkStateDict(state, strict);
        Map<String, Tensor> own = stateDict();
        try (var off = GradMode.noGrad()) {
            for (var entry : own.entrySet()) {
                Tensor given = state.get(entry.getKey());
                if (given != null) {
                    entry.getValue().copyFrom(given.to(entry.getValue().device()));
                }
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- printing

    /** One-line description of this module's own settings, e.g. {@code in=784, out=256}. */
    protected String extraRepr() {
        return "";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        appendTree(sb, 0);
        return sb.toString();
    }

    private void appendTree(StringBuilder sb, int indent) {
        sb.append(getClass().getSimpleName()).append('(').append(extraRepr());
        if (children.isEmpty()) {
            sb.append(')');
        } else {
            sb.append('\n');
            children.forEach((name, child) -> {
                sb.append("  ".repeat(indent + 1)).append('(').append(name).append("): ");
                child.appendTree(sb, indent + 1);
                sb.append('\n');
            });
            sb.append("  ".repeat(indent)).append(')');
        }
        if (indent == 0) {
            sb.append("  [").append(String.format("%,d", numParameters())).append(" parameters]");
        }
    }
}
