package dev.nabla.nn;

import dev.nabla.Tensor;

/** Negative log-likelihood of log-probabilities at class indices, as {@code torch.nn.NLLLoss}. */
public final class NLLLoss implements Loss {
    private final Tensor classWeights;
    private final int ignoreIndex;
    private final Reduction reduction;

    public NLLLoss() {
        this(null, -100, Reduction.MEAN);
    }

    public NLLLoss(Tensor classWeights, int ignoreIndex, Reduction reduction) {
        this.classWeights = classWeights;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor logProbs, Tensor target) {
        return Functional.nllLoss(logProbs, target, classWeights, ignoreIndex, reduction);
    }
}
