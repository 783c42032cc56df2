package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.spi.Conv2dGeometry;

/**
 * 2-D convolution over [N, C, H, W] inputs; PyTorch's default initialization. Kernel size, stride, padding and
 * dilation are ints (the same for height and width) or {@link Size2d} pairs, as {@code torch.nn.Conv2d}.
 */
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
        this(inChannels, outChannels, Size2d.of(kernelSize), Size2d.of(stride), Size2d.of(padding), Size2d.of(dilation),
                groups, bias);
    }

    public Conv2d(int inChannels, int outChannels, Size2d kernelSize) {
        this(inChannels, outChannels, kernelSize, Size2d.of(1), Size2d.of(0));
    }

    public Conv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d stride, Size2d padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, Size2d.of(1), 1, true);
    }

    public Conv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d stride, Size2d padding, Size2d dilation,
                  int groups, boolean bias) {
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in (" + inChannels + ") and out (" + outChannels
                    + ") channels must both be divisible by groups (" + groups + ")");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.geometry = WindowOptions.geometry("Conv2d", kernelSize, stride, padding, dilation);
        this.groups = groups;
        registerParameter("weight", Tensor.zeros(outChannels, inChannels / groups, kernelSize.height(),
                kernelSize.width()));
        registerParameter("bias", bias ? Tensor.zeros(outChannels) : null);
        Init.layerDefault(weight(), bias());
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    /** The backend's view of kernel, stride, padding and dilation together (for tools that lower the layer). */
    public Conv2dGeometry geometry() {
        return geometry;
    }

    public Size2d kernelSize() {
        return Size2d.of(geometry.kernelH(), geometry.kernelW());
    }

    public Size2d stride() {
        return Size2d.of(geometry.strideH(), geometry.strideW());
    }

    public Size2d padding() {
        return Size2d.of(geometry.padH(), geometry.padW());
    }

    public Size2d dilation() {
        return Size2d.of(geometry.dilationH(), geometry.dilationW());
    }

    public int groups() {
        return groups;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.conv2d(input, weight(), bias(), geometry, groups);
    }

    /** As PyTorch prints it: {@code 3, 8, kernel_size=(3, 5), stride=(1, 1)}, padding and dilation when not default. */
    @Override
    protected String extraRepr() {
        Size2d padding = padding(), dilation = dilation();
        return inChannels + ", " + outChannels + ", kernel_size=" + kernelSize() + ", stride=" + stride()
                + (padding.equals(Size2d.of(0)) ? "" : ", padding=" + padding)
                + (dilation.equals(Size2d.of(1)) ? "" : ", dilation=" + dilation)
                + (groups != 1 ? ", groups=" + groups : "") + (bias() == null ? ", bias=false" : "");
    }
}
