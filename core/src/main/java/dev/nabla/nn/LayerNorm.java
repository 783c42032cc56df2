package dev.nabla.nn;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;

import java.util.Arrays;

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
        int[] s = input.shape();
        int k = normalizedShape.length;
        if (s.length < k || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
            throw new ShapeException("LayerNorm: input " + Shapes.str(s) + " does not end in "
                    + Shapes.str(normalizedShape));
        }
        return Functional.layerNorm(input, k, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() {
        return Shapes.str(normalizedShape) + ", eps=" + eps;
    }
}
