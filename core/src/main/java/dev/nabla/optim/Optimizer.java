package dev.nabla.optim;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.ops.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Base of the optimizers: parameter groups with defaults, per-parameter state tensors, and state
 * dicts keyed like PyTorch's ({@code "state.<index>.<name>"} with parameters numbered across groups
 * in order). Subclasses implement {@link #update} for one parameter; it runs without autograd.
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups = new ArrayList<>();
    private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();
    private final Map<Tensor, Long> steps = new IdentityHashMap<>();
    private final Map<String, Double> defaults;

    protected Optimizer(List<Tensor> params, Map<String, Double> defaults) {
        // Sorted, so that state dicts and checkpoints list options in the same order in every JVM (Map.of has none).
        this.defaults = new LinkedHashMap<>(new TreeMap<>(defaults));
        addParamGroup(params, Map.of());
    }

    /** Adds parameters with option overrides (e.g. a smaller learning rate for a pretrained backbone). */
    public void addParamGroup(List<Tensor> params, Map<String, Double> overrides) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": a parameter group needs at least one tensor");
        }
        for (ParamGroup g : groups) {
            for (Tensor p : params) {
                if (g.params().stream().anyMatch(q -> q == p)) {
                    throw new IllegalArgumentException(getClass().getSimpleName()
                            + ": a parameter appears in more than one group");
                }
            }
        }
        for (String key : overrides.keySet()) {
            if (!defaults.containsKey(key)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": unknown option '" + key
                        + "' (known: " + defaults.keySet() + ")");
            }
        }
        Map<String, Double> options = new LinkedHashMap<>(defaults);
        options.putAll(overrides);
        checkOptions(options);
        groups.add(new ParamGroup(params, options));
    }

    /**
     * Refuses option values this optimizer cannot use, with a message naming the option, the accepted range and
     * the value found. Here: every option finite and {@code lr >= 0} (as PyTorch); optimizers add their own ranges.
     */
    protected void checkOptions(Map<String, Double> options) {
        for (var e : options.entrySet()) {
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": option '" + e.getKey()
                        + "' must be a finite number, found " + e.getValue());
            }
        }
        requireAtLeast(options, "lr", 0);
    }

    /** Refuses {@code options.get(name) < min}. */
    protected final void requireAtLeast(Map<String, Double> options, String name, double min) {
        double value = options.get(name);
        if (!(value >= min)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be at least " + min
                    + ", found " + value);
        }
    }

    /** Refuses {@code options.get(name)} outside {@code [0, 1)} (betas, smoothing constants). */
    protected final void requireFraction(Map<String, Double> options, String name) {
        double value = options.get(name);
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be in [0, 1), found "
                    + value);
        }
    }

    /** Refuses a boolean option (stored as a number) other than 0 or 1. */
    protected final void requireFlag(Map<String, Double> options, String name) {
        double value = options.get(name);
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " is a flag (0 or 1), found "
                    + value);
        }
    }

    /**
     * The names of every state tensor this optimizer may keep for a parameter, so that a state dict naming another
     * is refused. Null means not declared: any names load.
     */
    protected Set<String> stateNames() {
        return null;
    }

    /**
     * The state tensors every updated parameter of a group with {@code options} has (a state dict missing one is
     * refused); state that depends on options a user may change between steps belongs only in {@link #stateNames()}.
     */
    protected Set<String> requiredStateNames(Map<String, Double> options) {
        return Set.of();
    }

    public List<ParamGroup> paramGroups() {
        return List.copyOf(groups);
    }

    /** Sets the learning rate of every group. */
    public void setLr(double lr) {
        for (ParamGroup g : groups) {
            g.setLr(lr);
        }
    }

    /**
     * Clears the gradient of every parameter (sets it to null, like PyTorch's {@code zero_grad()}). The old gradient
     * tensors stay valid for whoever still holds them; their memory returns to the backend when the garbage
     * collector finds them unreachable. See {@link #releaseGrads()} for a loop that holds none.
     */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                p.setGrad(null);
            }
        }
    }

    /**
     * Closes the gradient of every parameter and sets it to null: the memory goes back to the backend's pool at
     * once, to be reused by the next step, instead of when the garbage collector finds it. For a training loop that
     * keeps no gradient tensor past the step (the {@link dev.nabla.train.Trainer} calls it after each update); a
     * gradient read earlier through {@link Tensor#grad()} is closed too.
     */
    public void releaseGrads() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                Tensor grad = p.grad();
                p.setGrad(null);
                if (grad != null) {
                    grad.close();
                }
            }
        }
    }

    /** Applies one update to every parameter that has a gradient. */
    public void step() {
        try (var off = GradMode.noGrad()) {
            for (ParamGroup g : groups) {
                for (Tensor p : g.params()) {
                    if (p.grad() != null) {
                        long step = steps.merge(p, 1L, Long::sum);
                        update(p, p.grad(), g, step, state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
                    }
                }
            }
        }
    }

    /**
     * Updates {@code param} in place from {@code grad}.
     *
     * @param step  1 for the first update of this parameter
     * @param state this parameter's state tensors (momentum buffers, moments), created on first use
     */
    protected abstract void update(Tensor param, Tensor grad, ParamGroup group, long step, Map<String, Tensor> state);

    /** A zero tensor like {@code param} stored as state {@code name} on first use. */
    protected static Tensor stateTensor(Map<String, Tensor> state, String name, Tensor param) {
        return state.computeIfAbsent(name, k -> TensorScope.escape(Tensor.zerosLike(param)));
    }

    /** Stores {@code value} as state {@code name}; state outlives the training step's scope. */
    protected static Tensor putState(Map<String, Tensor> state, String name, Tensor value) {
        state.put(name, TensorScope.escape(value));
        return value;
    }

    // ---------------------------------------------------------------- state dict

    /**
     * Optimizer state as tensors: {@code "state.<i>.<name>"} for each state tensor of parameter i,
     * {@code "state.<i>.step"} (INT64), and {@code "group.<g>.<option>"} (FLOAT64) for every option.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int index = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            for (var option : g.options().entrySet()) {
                out.put("group." + gi + "." + option.getKey(), Tensor.of(new double[]{option.getValue()}).reshape());
            }
            for (Tensor p : g.params()) {
                Map<String, Tensor> s = state.get(p);
                if (s != null) {
                    for (var e : s.entrySet()) {
                        out.put("state." + index + "." + e.getKey(), e.getValue().detach());
                    }
                    out.put("state." + index + ".step", Tensor.of(new long[]{steps.getOrDefault(p, 0L)}).reshape());
                }
                index++;
            }
        }
        return out;
    }

    /**
     * Restores a {@link #stateDict()}. Everything is checked before anything changes: each key's form and index,
     * the option names, values and ranges of every group (all of them present), and for every parameter with state
     * its step count and exactly the state tensors this optimizer keeps, in the parameter's shape and dtype.
     * Refusals are {@link IllegalArgumentException}s (a {@link ShapeException} for shapes) naming the key.
     */
    public void loadStateDict(Map<String, Tensor> dict) {
        List<Tensor> all = new ArrayList<>();
        List<Integer> groupOf = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            for (Tensor p : groups.get(gi).params()) {
                all.add(p);
                groupOf.add(gi);
            }
        }
        Loaded loaded = read(dict, all);
        checkGroups(loaded);
        checkStates(loaded, groupOf);
        apply(loaded, all);
    }

    /** A state dict taken apart: options by group, state tensors and step counts by parameter index. */
    private record Loaded(List<Map<String, Double>> options, Map<Integer, Map<String, Tensor>> states,
                          Map<Integer, Long> steps) {
    }

    /** Sorts every key into its place, checking its form, index, option name, and each value's kind. */
    private Loaded read(Map<String, Tensor> dict, List<Tensor> all) {
        Loaded loaded = new Loaded(new ArrayList<>(), new TreeMap<>(), new TreeMap<>());
        for (int gi = 0; gi < groups.size(); gi++) {
            loaded.options().add(new LinkedHashMap<>());
        }
        for (var e : dict.entrySet()) {
            String key = e.getKey();
            String[] parts = key.split("\\.", 3);
            if (parts.length != 3 || !(parts[0].equals("state") || parts[0].equals("group"))) {
                throw bad(key, "expected 'group.<g>.<option>' or 'state.<i>.<name>'");
            }
            boolean group = parts[0].equals("group");
            int i = index(key, parts[1], group ? groups.size() : all.size(), group ? "group" : "parameter");
            Tensor value = e.getValue();
            if (group) {
                if (!defaults.containsKey(parts[2])) {
                    throw bad(key, "unknown option '" + parts[2] + "' (" + name() + " has " + defaults.keySet() + ")");
                }
                loaded.options().get(i).put(parts[2], number(key, value));
            } else if (parts[2].equals("step")) {
                loaded.steps().put(i, step(key, value));
            } else {
                Tensor p = all.get(i);
                if (!Arrays.equals(value.shape(), p.shape())) {
                    throw new ShapeException("optimizer state dict: '" + key + "' has shape " + Shapes.str(value.shape())
                            + ", expected " + Shapes.str(p.shape()) + " (the shape of parameter " + i + ")");
                }
                if (value.dtype() != p.dtype()) {
                    throw bad(key, "dtype " + value.dtype() + ", expected " + p.dtype() + " (the parameter's)");
                }
                loaded.states().computeIfAbsent(i, k -> new LinkedHashMap<>()).put(parts[2], value);
            }
        }
        return loaded;
    }

    /** Every option of every group present and in range. */
    private void checkGroups(Loaded loaded) {
        for (int gi = 0; gi < groups.size(); gi++) {
            Map<String, Double> options = loaded.options().get(gi);
            for (String option : defaults.keySet()) {
                if (!options.containsKey(option)) {
                    throw bad("group." + gi + "." + option, "missing: every option of every group is needed");
                }
            }
            try {
                checkOptions(options);
            } catch (IllegalArgumentException e) {
                throw bad("group." + gi, e.getMessage());
            }
        }
    }

    /** Every parameter with state has a step count, no state this optimizer does not keep, and all it needs. */
    private void checkStates(Loaded loaded, List<Integer> groupOf) {
        SortedSet<Integer> stepped = new TreeSet<>(loaded.steps().keySet());
        stepped.addAll(loaded.states().keySet());
        Set<String> allowed = stateNames();
        for (int i : stepped) {
            Map<String, Tensor> named = loaded.states().computeIfAbsent(i, k -> new LinkedHashMap<>());
            if (!loaded.steps().containsKey(i)) {
                throw bad("state." + i + ".step", "missing: parameter " + i + " has state "
                        + new TreeSet<>(named.keySet()) + " but no step count");
            }
            for (String n : named.keySet()) {
                if (allowed != null && !allowed.contains(n)) {
                    throw bad("state." + i + "." + n, "unknown state (" + name() + " keeps "
                            + new TreeSet<>(allowed) + ")");
                }
            }
            for (String n : requiredStateNames(loaded.options().get(groupOf.get(i)))) {
                if (!named.containsKey(n)) {
                    throw bad("state." + i + "." + n, "missing: parameter " + i + " has a step count, and " + name()
                            + " with these options keeps '" + n + "' for every updated parameter");
                }
            }
        }
    }

    /** Replaces state, step counts and options; the state tensors are copied onto the parameters' devices first. */
    private void apply(Loaded loaded, List<Tensor> all) {
        Map<Tensor, Map<String, Tensor>> newState = new IdentityHashMap<>();
        Map<Tensor, Long> newSteps = new IdentityHashMap<>();
        for (var e : loaded.states().entrySet()) {
            Tensor p = all.get(e.getKey());
            Map<String, Tensor> copies = new LinkedHashMap<>();
            for (var named : e.getValue().entrySet()) {
                Tensor copy = TensorScope.escape(Tensor.zerosLike(p));
                try (var off = GradMode.noGrad()) {
                    copy.copyFrom(named.getValue().to(p.device()));
                }
                copies.put(named.getKey(), copy);
            }
            newState.put(p, copies);
            newSteps.put(p, loaded.steps().get(e.getKey()));
        }
        state.clear();
        state.putAll(newState);
        steps.clear();
        steps.putAll(newSteps);
        for (int gi = 0; gi < groups.size(); gi++) {
            loaded.options().get(gi).forEach(groups.get(gi)::set);
        }
    }

    private String name() {
        return getClass().getSimpleName();
    }

    private IllegalArgumentException bad(String key, String problem) {
        return new IllegalArgumentException("optimizer state dict: '" + key + "': " + problem);
    }

    /** A canonical decimal index below {@code count}: no sign, no leading zeros, no overflow. */
    private int index(String key, String text, int count, String what) {
        if (!text.matches("0|[1-9][0-9]{0,9}")) {
            throw bad(key, "'" + text + "' is not a " + what + " index (expected 0 to " + (count - 1) + ")");
        }
        long i = Long.parseLong(text);
        if (i >= count) {
            throw bad(key, what + " " + i + " does not exist (this " + name() + " has " + count + " "
                    + (what.equals("group") ? "groups" : "parameters") + ")");
        }
        return (int) i;
    }

    private double number(String key, Tensor value) {
        if (value.numel() != 1 || !value.dtype().isFloatingPoint()) {
            throw bad(key, "expected one floating-point number, found " + value.dtype() + " " + Shapes.str(value.shape()));
        }
        return value.item();
    }

    private long step(String key, Tensor value) {
        if (value.numel() != 1 || value.dtype() != dev.nabla.DType.INT64) {
            throw bad(key, "expected one INT64 step count, found " + value.dtype() + " " + Shapes.str(value.shape()));
        }
        long step = value.itemLong();
        if (step < 1) {
            throw bad(key, "a step count is at least 1, found " + step);
        }
        return step;
    }
}
