package dev.nabla.nn;

import dev.nabla.Tensor;

/** Mean absolute error. */
public final class L1Loss implements Loss {
    private final Reduction reduction;

    public L1Loss() {
        this(Reduction.MEAN);
    }

    public L1Loss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor prediction, Tensor target) {
        return Functional.l1Loss(prediction, target, reduction);
    }
}
