package dev.nabla.nn;

import dev.nabla.Tensor;

/** Mean squared error. */
public final class MSELoss implements Loss {
    private final Reduction reduction;

    public MSELoss() {
        this(Reduction.MEAN);
    }

    public MSELoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor prediction, Tensor target) {
        return Functional.mseLoss(prediction, target, reduction);
    }
}
