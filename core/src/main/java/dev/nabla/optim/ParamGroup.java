package dev.nabla.optim;

import dev.nabla.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share hyper-parameters, as a PyTorch {@code param_group}. Options are numbers
 * by name ({@code "lr"}, {@code "weight_decay"}, {@code "momentum"}, ...); schedulers change them
 * between steps.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Double> options;

    public ParamGroup(List<Tensor> params, Map<String, Double> options) {
        this.params = List.copyOf(params);
        this.options = new LinkedHashMap<>(options);
    }

    public List<Tensor> params() {
        return params;
    }

    public double get(String option) {
        Double value = options.get(option);
        if (value == null) {
            throw new IllegalArgumentException("parameter group has no option '" + option + "' (has " + options.keySet() + ")");
        }
        return value;
    }

    public void set(String option, double value) {
        options.put(option, value);
    }

    public double lr() {
        return get("lr");
    }

    public void setLr(double lr) {
        set("lr", lr);
    }

    /** A copy of the options, for state dicts. */
    public Map<String, Double> options() {
        return new LinkedHashMap<>(options);
    }
}
