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
        this.defaults = new LinkedHashMap<>(defaults);
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
        groups.add(new ParamGroup(params, options));
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

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                p.setGrad(null);
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

    /** Restores a {@link #stateDict()}; everything is checked before anything changes. */
    public void loadStateDict(Map<String, Tensor> dict) {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup g : groups) {
            all.addAll(g.params());
        }
        Map<Tensor, Map<String, Tensor>> newState = new IdentityHashMap<>();
        Map<Tensor, Long> newSteps = new IdentityHashMap<>();
        Map<Integer, Map<String, Double>> groupOptions = new HashMap<>();
        for (var e : dict.entrySet()) {
            String[] parts = e.getKey().split("\\.", 3);
            if (parts.length != 3 || !(parts[0].equals("state") || parts[0].equals("group"))) {
                throw new IllegalArgumentException("optimizer state dict: unexpected key '" + e.getKey() + "'");
            }
            int i = Integer.parseInt(parts[1]);
            if (parts[0].equals("group")) {
                if (i >= groups.size()) {
                    throw new IllegalArgumentException("optimizer state dict: group " + i + " does not exist (this optimizer has "
                            + groups.size() + ")");
                }
                groupOptions.computeIfAbsent(i, k -> new HashMap<>()).put(parts[2], e.getValue().item());
                continue;
            }
            if (i >= all.size()) {
                throw new IllegalArgumentException("optimizer state dict: parameter " + i + " does not exist (this optimizer has "
                        + all.size() + ")");
            }
            Tensor p = all.get(i);
            if (parts[2].equals("step")) {
                newSteps.put(p, e.getValue().itemLong());
            } else {
                Tensor value = e.getValue();
                if (!Arrays.equals(value.shape(), p.shape())) {
                    throw new ShapeException("optimizer state dict: state '" + parts[2] + "' of parameter " + i
                            + " has shape " + Shapes.str(value.shape()) + ", expected " + Shapes.str(p.shape()));
                }
                Tensor copy = TensorScope.escape(Tensor.zerosLike(p));
                try (var off = GradMode.noGrad()) {
                    copy.copyFrom(value.to(p.device()));
                }
                newState.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(parts[2], copy);
            }
        }
        state.clear();
        state.putAll(newState);
        steps.clear();
        steps.putAll(newSteps);
        groupOptions.forEach((gi, options) -> options.forEach(groups.get(gi)::set));
    }
}
