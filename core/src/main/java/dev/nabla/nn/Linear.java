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
        registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
        registerParameter("bias", bias ? Tensor.zeros(outFeatures) : null);
        Init.layerDefault(weight(), bias());
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
