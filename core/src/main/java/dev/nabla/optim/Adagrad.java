package dev.nabla.optim;

import dev.nabla.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Adagrad as PyTorch defines it (learning-rate decay, initial accumulator, eps 1e-10). */
public final class Adagrad extends Optimizer {
    public Adagrad(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, 1e-10);
    }

    public Adagrad(List<Tensor> params, double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
                   double eps) {
        super(params, Map.of("lr", lr, "lr_decay", lrDecay, "weight_decay", weightDecay,
                "initial_accumulator_value", initialAccumulatorValue, "eps", eps));
    }

    @Override
    protected void checkOptions(Map<String, Double> options) {
        super.checkOptions(options);
        requireAtLeast(options, "lr_decay", 0);
        requireAtLeast(options, "weight_decay", 0);
        requireAtLeast(options, "initial_accumulator_value", 0);
        requireAtLeast(options, "eps", 0);
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("sum");
    }

    @Override
    protected Set<String> requiredStateNames(Map<String, Double> options) {
        return stateNames();
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, long step, Map<String, Tensor> state) {
        double weightDecay = group.get("weight_decay");
        Tensor g = weightDecay != 0 ? grad.add(param, weightDecay) : grad;
        Tensor sum = state.get("sum");
        if (sum == null) {
            sum = putState(state, "sum", Tensor.fullLike(param, group.get("initial_accumulator_value")));
        }
        double clr = group.lr() / (1 + (step - 1) * group.get("lr_decay"));
        sum.addInPlace(g.mul(g));
        param.addInPlace(g.div(sum.sqrt().add(group.get("eps"))), -clr);
    }
}
