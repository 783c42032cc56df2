package dev.nabla.nn;

/** Batch normalization of [N, C, H, W] inputs. */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true);
    }

    public BatchNorm2d(int numFeatures, double eps, double momentum, boolean affine) {
        super(numFeatures, eps, momentum, affine, 4);
    }

    @Override
    protected boolean acceptsRank(int rank) {
        return rank == 4;
    }
}
