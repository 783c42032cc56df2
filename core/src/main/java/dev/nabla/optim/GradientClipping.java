package dev.nabla.optim;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. */
public final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * Scales all gradients together so that their combined {@code normType}-norm is at most
     * {@code maxNorm}; returns the norm before clipping. Reads that norm to the host once (see
     * {@link #clipGradNormTensor} for a form that never waits for the device).
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        try (Tensor total = clipGradNormTensor(params, maxNorm, normType)) {
            return total.item();
        }
    }

    /**
     * {@link #clipGradNorm(List, double, double)} computed on the gradients' device without reading anything
     * back, as PyTorch does: the total norm is a 0-d tensor and every gradient is multiplied by
     * {@code min(1, maxNorm / (total + 1e-6))}, so no step waits for the device. Returns the total norm (0 when no
     * parameter has a gradient).
     */
    public static Tensor clipGradNormTensor(List<Tensor> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0) || Double.isNaN(normType) || normType <= 0) {
            throw new IllegalArgumentException("clipGradNorm: expected maxNorm >= 0 and normType > 0, found maxNorm "
                    + maxNorm + " and normType " + normType);
        }
        List<Tensor> grads = params.stream().map(Tensor::grad).filter(Objects::nonNull).toList();
        try (var off = GradMode.noGrad()) {
            if (grads.isEmpty()) {
                return Tensor.full(params.isEmpty() ? Nabla.defaultDevice() : params.get(0).device(), DType.FLOAT64, 0);
            }
            Tensor total;
            try (var scope = TensorScope.open()) {
                List<Tensor> norms = grads.stream().map(g -> g.norm(normType).to(DType.FLOAT64)).toList();
                total = scope.keep(Tensor.stack(norms, 0).norm(normType));
                Tensor coefficient = total.add(1e-6).rdiv(maxNorm).clampMax(1);
                Map<DType, Tensor> byDType = new EnumMap<>(DType.class); // one cast per dtype, not per gradient
                for (Tensor g : grads) {
                    g.mulInPlace(byDType.computeIfAbsent(g.dtype(), coefficient::to));
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
