package dev.nabla.nn;

import dev.nabla.Tensor;

/** Binary cross entropy on logits (a sigmoid inside, computed stably), with optional weights. */
public final class BCEWithLogitsLoss implements Loss {
    private final Tensor weight;
    private final Tensor posWeight;
    private final Reduction reduction;

    public BCEWithLogitsLoss() {
        this(null, null, Reduction.MEAN);
    }

    /**
     * @param weight    per-element weight (broadcast), or null
     * @param posWeight weight of positive examples per class (broadcast), or null
     */
    public BCEWithLogitsLoss(Tensor weight, Tensor posWeight, Reduction reduction) {
        this.weight = weight;
        this.posWeight = posWeight;
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor logits, Tensor target) {
        return Functional.binaryCrossEntropyWithLogits(logits, target, weight, posWeight, reduction);
    }
}
