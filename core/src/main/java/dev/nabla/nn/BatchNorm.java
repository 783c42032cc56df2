package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.ops.Shapes;

/**
 * Batch normalization over the channel dimension (dim 1), shared by {@link BatchNorm1d} and
 * {@link BatchNorm2d}: batch statistics in training (running statistics updated with
 * {@code momentum}), running statistics in eval mode.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final int expectedRank;

    protected BatchNorm(int numFeatures, double eps, double momentum, boolean affine, int... expectedRanks) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.expectedRank = expectedRanks[0];
        if (affine) {
            registerParameter("weight", Tensor.ones(numFeatures));
            registerParameter("bias", Tensor.zeros(numFeatures));
        } else {
            registerParameter("weight", null);
            registerParameter("bias", null);
        }
        registerBuffer("running_mean", Tensor.zeros(numFeatures));
        registerBuffer("running_var", Tensor.ones(numFeatures));
        registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }

    /** Whether an input of this rank is accepted. */
    protected abstract boolean acceptsRank(int rank);

    @Override
    public Tensor forward(Tensor input) {
        if (!acceptsRank(input.rank()) || input.size(1) != numFeatures) {
            throw new ShapeException(getClass().getSimpleName() + ": expected " + numFeatures
                    + " channels in dimension 1 of a rank-" + expectedRank + " input, found " + Shapes.str(input.shape()));
        }
        if (isTraining()) {
            try (var off = GradMode.noGrad()) {
                buffer("num_batches_tracked").addInPlace(Tensor.full(input.device(), DType.INT64, 1));
            }
        }
        return Functional.batchNorm(input, buffer("running_mean"), buffer("running_var"), parameter("weight"),
                parameter("bias"), isTraining(), momentum, eps);
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (parameter("weight") != null);
    }
}
