package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;

/** Normalizes over the trailing {@code normalizedShape} dimensions, with an elementwise affine map. */
public class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;

    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) {
            registerParameter("weight", Tensor.ones(normalizedShape));
            registerParameter("bias", Tensor.zeros(normalizedShape));
        } else {
            registerParameter("weight", null);
            registerParameter("bias", null);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.layerNorm(input, normalizedShape, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() {
        return Shapes.str(normalizedShape) + ", eps=" + eps;
    }
}
