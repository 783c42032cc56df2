package dev.nabla.optim;

import dev.nabla.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** RMSprop as PyTorch defines it (alpha 0.99, eps 1e-8, optional momentum, centered variant). */
public final class RMSprop extends Optimizer {
    public RMSprop(List<Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    public RMSprop(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum,
                   boolean centered) {
        super(params, Map.of("lr", lr, "alpha", alpha, "eps", eps, "weight_decay", weightDecay, "momentum", momentum,
                "centered", centered ? 1.0 : 0.0));
    }

    @Override
    protected void checkOptions(Map<String, Double> options) {
        super.checkOptions(options);
        requireAtLeast(options, "alpha", 0);
        requireAtLeast(options, "eps", 0);
        requireAtLeast(options, "momentum", 0);
        requireAtLeast(options, "weight_decay", 0);
        requireFlag(options, "centered");
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("square_avg", "grad_avg", "momentum_buffer");
    }

    @Override
    protected Set<String> requiredStateNames(Map<String, Double> options) {
        // grad_avg and momentum_buffer appear only after a step with centering or momentum, which may be switched on later
        return Set.of("square_avg");
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, long step, Map<String, Tensor> state) {
        double alpha = group.get("alpha");
        double weightDecay = group.get("weight_decay");
        double momentum = group.get("momentum");
        Tensor g = weightDecay != 0 ? grad.add(param, weightDecay) : grad;
        Tensor squareAvg = stateTensor(state, "square_avg", param);
        squareAvg.mulInPlace(alpha).addInPlace(g.mul(g), 1 - alpha);
        Tensor avg;
        if (group.get("centered") != 0) {
            Tensor gradAvg = stateTensor(state, "grad_avg", param);
            gradAvg.mulInPlace(alpha).addInPlace(g, 1 - alpha);
            avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt().add(group.get("eps"));
        } else {
            avg = squareAvg.sqrt().add(group.get("eps"));
        }
        if (momentum > 0) {
            Tensor buf = stateTensor(state, "momentum_buffer", param);
            buf.mulInPlace(momentum).addInPlace(g.div(avg));
            param.addInPlace(buf, -group.lr());
        } else {
            param.addInPlace(g.div(avg), -group.lr());
        }
    }
}
