package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.spi.Conv2dGeometry;

/** 2-D convolution over [N, C, H, W] inputs with square kernels; PyTorch's default initialization. */
public class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final Conv2dGeometry geometry;
    private final int groups;

    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
                  boolean bias) {
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in (" + inChannels + ") and out (" + outChannels
                    + ") channels must both be divisible by groups (" + groups + ")");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.geometry = Conv2dGeometry.of(kernelSize, stride, padding, dilation);
        this.groups = groups;
        registerParameter("weight", Tensor.zeros(outChannels, inChannels / groups, kernelSize, kernelSize));
        registerParameter("bias", bias ? Tensor.zeros(outChannels) : null);
        Init.layerDefault(weight(), bias());
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    public Conv2dGeometry geometry() {
        return geometry;
    }

    public int groups() {
        return groups;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.conv2d(input, weight(), bias(), geometry, groups);
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel=" + geometry.kernelH() + ", stride=" + geometry.strideH()
                + ", padding=" + geometry.padH() + (geometry.dilationH() != 1 ? ", dilation=" + geometry.dilationH() : "")
                + (groups != 1 ? ", groups=" + groups : "") + (bias() == null ? ", bias=false" : "");
    }
}
