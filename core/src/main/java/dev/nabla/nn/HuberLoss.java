package dev.nabla.nn;

import dev.nabla.Tensor;

/** Squared error below {@code delta}, absolute error above it (default delta 1). */
public final class HuberLoss implements Loss {
    private final double delta;
    private final Reduction reduction;

    public HuberLoss() {
        this(1.0, Reduction.MEAN);
    }

    public HuberLoss(double delta, Reduction reduction) {
        if (delta <= 0) {
            throw new IllegalArgumentException("HuberLoss: delta must be positive, found " + delta);
        }
        this.delta = delta;
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor prediction, Tensor target) {
        return Functional.huberLoss(prediction, target, delta, reduction);
    }
}
