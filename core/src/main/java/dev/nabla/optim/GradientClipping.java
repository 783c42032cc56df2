package dev.nabla.optim;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;

import java.util.List;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. */
public final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * Scales all gradients together so that their combined {@code normType}-norm is at most
     * {@code maxNorm}; returns the norm before clipping.
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        try (var off = GradMode.noGrad()) {
            double total = 0;
            for (Tensor p : params) {
                if (p.grad() == null) {
                    continue;
                }
                double n = p.grad().norm(normType).item();
                total = Double.isInfinite(normType) ? Math.max(total, n) : total + Math.pow(n, normType);
            }
            if (!Double.isInfinite(normType)) {
                total = Math.pow(total, 1 / normType);
            }
            double coefficient = maxNorm / (total + 1e-6);
            if (coefficient < 1) {
                for (Tensor p : params) {
                    if (p.grad() != null) {
                        p.grad().mulInPlace(coefficient);
                    }
                }
            }
            return total;
        }
    }

    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /** Clamps every gradient element into {@code [-clipValue, clipValue]}. */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        try (var off = GradMode.noGrad()) {
            for (Tensor p : params) {
                if (p.grad() != null) {
                    p.grad().copyFrom(p.grad().clamp(-clipValue, clipValue));
                }
            }
        }
    }
}
