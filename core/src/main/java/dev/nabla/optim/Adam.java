package dev.nabla.optim;

import dev.nabla.Tensor;
import dev.nabla.engine.FusedOps;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam (Kingma and Ba) with optional L2 weight decay added to the gradient, and its decoupled
 * variant used by {@link AdamW}.
 */
public class Adam extends Optimizer {
    private final boolean decoupledWeightDecay;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, false);
    }

    Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(params, Map.of("lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay));
        this.decoupledWeightDecay = decoupled;
    }

    @Override
    protected void checkOptions(Map<String, Double> options) {
        super.checkOptions(options);
        requireAtLeast(options, "eps", 0);
        requireFraction(options, "beta1");
        requireFraction(options, "beta2");
        requireAtLeast(options, "weight_decay", 0);
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("exp_avg", "exp_avg_sq");
    }

    @Override
    protected Set<String> requiredStateNames(Map<String, Double> options) {
        return stateNames();
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, long step, Map<String, Tensor> state) {
        double lr = group.lr();
        double beta1 = group.get("beta1");
        double beta2 = group.get("beta2");
        double weightDecay = group.get("weight_decay");
        Tensor m = stateTensor(state, "exp_avg", param);
        Tensor v = stateTensor(state, "exp_avg_sq", param);
        if (FusedOps.adamStep(param, grad, m, v, lr, beta1, beta2, group.get("eps"), weightDecay, decoupledWeightDecay,
                step)) {
            return;
        }
        Tensor g = grad;
        if (weightDecay != 0) {
            if (decoupledWeightDecay) {
                param.mulInPlace(1 - lr * weightDecay);
            } else {
                g = g.add(param, weightDecay);
            }
        }
        m.mulInPlace(beta1).addInPlace(g, 1 - beta1);
        v.mulInPlace(beta2).addInPlace(g.mul(g), 1 - beta2);
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        Tensor denominator = v.sqrt().div(Math.sqrt(biasCorrection2)).add(group.get("eps"));
        param.addInPlace(m.div(denominator), -lr / biasCorrection1);
    }
}
