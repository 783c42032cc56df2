package dev.nabla.nn;

import dev.nabla.Tensor;

/** {@code y = x W^T + b} with W of shape [out, in]; PyTorch's default initialization. */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Tensor weight = registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
        // kaiming_uniform(a = sqrt(5)) gives the bound 1/sqrt(in), as in PyTorch.
        Init.kaimingUniform(weight, Math.sqrt(5), "leaky_relu");
        if (bias) {
            double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
            Init.uniform(registerParameter("bias", Tensor.zeros(outFeatures)), -bound, bound);
        } else {
            registerParameter("bias", null);
        }
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.linear(input, weight(), bias());
    }

    @Override
    protected String extraRepr() {
        return "in=" + inFeatures + ", out=" + outFeatures + ", bias=" + (bias() != null);
    }
}
