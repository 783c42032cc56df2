package dev.nabla.ops;

import dev.nabla.Node;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.FusedOps;
import dev.nabla.engine.Normalization;

/**
 * The gradient rule of {@link Op.BatchNorm}. With {@code xhat = (x - mean) * invstd} and {@code M} values per channel:
 * {@code dweight = sum(g * xhat)}, {@code dbias = sum(g)}, and {@code dx = weight * invstd * g} in eval mode or, in
 * training mode where mean and var are x's own statistics,
 * {@code dx = weight * invstd * (g - sum(g) / M - xhat * sum(g * xhat) / M)}. When nothing is recorded the backend
 * computes all three in two passes; under {@code createGraph} the rule is written with ordinary ops (recomputing the
 * statistics from x so that their dependence on x is recorded), so it is itself differentiable.
 */
final class BatchNormGradients {
    private BatchNormGradients() {
    }

    static Tensor[] of(Op.BatchNorm op, Node node, Tensor g) {
        Tensor x = node.input(0), mean = node.input(1), var = node.input(2), weight = node.input(3);
        Tensor bias = node.input(4);
        boolean statisticsGradients = !op.training() && (mean.requiresGrad() || var.requiresGrad());
        if (!GradMode.isEnabled() && !statisticsGradients) {
            Tensor[] fused = FusedOps.batchNormBackward(g, x, mean, var, weight, op.eps(), op.training(),
                    x.requiresGrad());
            if (fused != null) {
                return new Tensor[]{fused[0], null, null, weight.requiresGrad() ? fused[1] : null,
                        bias.requiresGrad() ? fused[2] : null};
            }
        }
        return composed(op, x, mean, var, weight, bias, g);
    }

    private static Tensor[] composed(Op.BatchNorm op, Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias,
                                     Tensor g) {
        int[] dims = Normalization.reducedDims(x.rank());
        int[] shape = Normalization.channelShape(x.rank(), x.size(1));
        Tensor m = op.training() ? x.mean(dims, true) : mean.reshape(shape);
        Tensor v = op.training() ? x.var(dims, 0, true) : var.reshape(shape);
        Tensor invstd = v.add(op.eps()).rsqrt();
        Tensor xhat = x.sub(m).mul(invstd);
        Tensor sumG = g.sum(dims, false);
        Tensor sumGXhat = g.mul(xhat).sum(dims, false);
        Tensor scale = weight.reshape(shape).mul(invstd);
        Tensor gx = null;
        if (x.requiresGrad()) {
            if (op.training()) {
                double count = (double) x.numel() / x.size(1);
                gx = g.sub(sumG.reshape(shape).div(count)).sub(xhat.mul(sumGXhat.reshape(shape).div(count))).mul(scale);
            } else {
                gx = g.mul(scale);
            }
        }
        Tensor invstdC = invstd.reshape(x.size(1));
        // eval mode: d/dmean = -sum(g) * weight * invstd, d/dvar = -sum(g * xhat) * weight * invstd^2 / 2
        Tensor gMean = op.training() || !mean.requiresGrad() ? null : sumG.mul(weight).mul(invstdC).neg();
        Tensor gVar = op.training() || !var.requiresGrad() ? null
                : sumGXhat.mul(weight).mul(invstdC.mul(invstdC)).mul(-0.5);
        return new Tensor[]{gx, gMean, gVar, weight.requiresGrad() ? sumGXhat : null,
                bias.requiresGrad() ? sumG : null};
    }
}
