package dev.nabla.nn;

import dev.nabla.Tensor;

/**
 * Max over 2-D windows, as {@code torch.nn.MaxPool2d}: kernel size, stride, padding and dilation are ints (the same
 * for height and width) or {@link Size2d} pairs; the stride defaults to the kernel size. Padding (negative infinity)
 * must be at most half the kernel size. With {@code ceilMode} the output size rounds up, as PyTorch's
 * {@code ceil_mode=True}: a last window that runs past the padded input takes the max of the cells it covers.
 */
public class MaxPool2d extends Module {
    private final Size2d kernelSize;
    private final Size2d stride;
    private final Size2d padding;
    private final Size2d dilation;
    private final boolean ceilMode;

    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this(Size2d.of(kernelSize), Size2d.of(stride), Size2d.of(padding));
    }

    public MaxPool2d(Size2d kernelSize) {
        this(kernelSize, kernelSize, Size2d.of(0));
    }

    public MaxPool2d(Size2d kernelSize, Size2d stride, Size2d padding) {
        this(kernelSize, stride, padding, Size2d.of(1));
    }

    public MaxPool2d(Size2d kernelSize, Size2d stride, Size2d padding, Size2d dilation) {
        this(kernelSize, stride, padding, dilation, false);
    }

    /** PyTorch's {@code MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode=ceilMode)}. */
    public MaxPool2d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
        this(Size2d.of(kernelSize), Size2d.of(stride), Size2d.of(padding), Size2d.of(dilation), ceilMode);
    }

    public MaxPool2d(Size2d kernelSize, Size2d stride, Size2d padding, Size2d dilation, boolean ceilMode) {
        WindowOptions.pool("MaxPool2d", kernelSize, stride, padding, dilation); // fail here, not at the first forward
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
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

    public Size2d dilation() {
        return dilation;
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + WindowOptions.pooling(kernelSize) + ", stride=" + WindowOptions.pooling(stride)
                + ", padding=" + WindowOptions.pooling(padding) + ", dilation=" + WindowOptions.pooling(dilation)
                + ", ceil_mode=" + (ceilMode ? "True" : "False");
    }
}
