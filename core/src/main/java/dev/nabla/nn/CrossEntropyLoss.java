package dev.nabla.nn;

import dev.nabla.Tensor;

/**
 * Cross entropy of logits against class indices (or class probabilities), as
 * {@code torch.nn.CrossEntropyLoss}: optional class weights, an ignored target index (default
 * -100), label smoothing and a reduction (default mean over the non-ignored, weighted targets).
 */
public final class CrossEntropyLoss implements Loss {
    private final Tensor classWeights;
    private final int ignoreIndex;
    private final Reduction reduction;
    private final double labelSmoothing;

    public CrossEntropyLoss() {
        this(null, -100, Reduction.MEAN, 0.0);
    }

    public CrossEntropyLoss(Tensor classWeights, int ignoreIndex, Reduction reduction, double labelSmoothing) {
        if (labelSmoothing < 0 || labelSmoothing > 1) {
            throw new IllegalArgumentException("CrossEntropyLoss: labelSmoothing must be in [0, 1], found " + labelSmoothing);
        }
        this.classWeights = classWeights;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
        this.labelSmoothing = labelSmoothing;
    }

    /** Same settings with label smoothing {@code epsilon}. */
    public CrossEntropyLoss withLabelSmoothing(double epsilon) {
        return new CrossEntropyLoss(classWeights, ignoreIndex, reduction, epsilon);
    }

    @Override
    public Tensor forward(Tensor logits, Tensor target) {
        return Functional.crossEntropy(logits, target, classWeights, ignoreIndex, reduction, labelSmoothing);
    }
}
