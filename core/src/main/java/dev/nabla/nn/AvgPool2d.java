package dev.nabla.nn;

import dev.nabla.Tensor;

/**
 * Mean over 2-D windows, zero padding counted, as {@code torch.nn.AvgPool2d}: kernel size, stride and padding are
 * ints (the same for height and width) or {@link Size2d} pairs; the stride defaults to the kernel size.
 */
public class AvgPool2d extends Module {
    private final Size2d kernelSize;
    private final Size2d stride;
    private final Size2d padding;

    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this(Size2d.of(kernelSize), Size2d.of(stride), Size2d.of(padding));
    }

    public AvgPool2d(Size2d kernelSize) {
        this(kernelSize, kernelSize, Size2d.of(0));
    }

    public AvgPool2d(Size2d kernelSize, Size2d stride, Size2d padding) {
        WindowOptions.geometry("AvgPool2d", kernelSize, stride, padding, Size2d.of(1)); // fail here, not at forward
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
    }

    public Size2d kernelSize() {
        return kernelSize;
    }

    public Size2d stride() {
        return stride;
    }

    public Size2d padding() {
        return padding;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.avgPool2d(input, kernelSize, stride, padding);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + WindowOptions.pooling(kernelSize) + ", stride=" + WindowOptions.pooling(stride)
                + ", padding=" + WindowOptions.pooling(padding);
    }
}
