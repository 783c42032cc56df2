package dev.nabla.optim;

import dev.nabla.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay (PyTorch's formulas). */
public final class SGD extends Optimizer {

    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(params, Map.of("lr", lr, "momentum", momentum, "dampening", dampening, "weight_decay", weightDecay,
                "nesterov", nesterov ? 1.0 : 0.0));
    }

    @Override
    protected void checkOptions(Map<String, Double> options) {
        super.checkOptions(options);
        requireAtLeast(options, "momentum", 0);
        requireAtLeast(options, "weight_decay", 0);
        requireFlag(options, "nesterov");
        if (options.get("nesterov") != 0 && (options.get("momentum") <= 0 || options.get("dampening") != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0 and dampening = 0");
        }
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("momentum_buffer"); // only after a step with momentum; momentum may change between steps
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, long step, Map<String, Tensor> state) {
        double weightDecay = group.get("weight_decay");
        double momentum = group.get("momentum");
        Tensor d = weightDecay != 0 ? grad.add(param, weightDecay) : grad;
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            if (buf == null) {
                buf = putState(state, "momentum_buffer", Tensor.zerosLike(param).copyFrom(d));
            } else {
                buf.mulInPlace(momentum).addInPlace(d, 1 - group.get("dampening"));
            }
            d = group.get("nesterov") != 0 ? d.add(buf, momentum) : buf;
        }
        param.addInPlace(d, -group.lr());
    }
}
