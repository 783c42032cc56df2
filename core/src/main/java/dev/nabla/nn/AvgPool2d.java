package dev.nabla.nn;

import dev.nabla.Tensor;

/**
 * Mean over 2-D windows, as {@code torch.nn.AvgPool2d}: kernel size, stride and padding are ints (the same for height
 * and width) or {@link Size2d} pairs; the stride defaults to the kernel size, and padding must be at most half the
 * kernel size. {@code ceilMode} (default false) rounds the output size up; {@code countIncludePad} (default true)
 * counts the zero padding in each window's divisor, else only the cells inside the input (see
 * {@link Functional#avgPool2d(Tensor, Size2d, Size2d, Size2d, boolean, boolean)}). As in PyTorch, the printed form
 * shows the kernel size, stride and padding only.
 */
public class AvgPool2d extends Module {
    private final Size2d kernelSize;
    private final Size2d stride;
    private final Size2d padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

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
        this(kernelSize, stride, padding, false, true);
    }

    /** PyTorch's {@code AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad)}. */
    public AvgPool2d(int kernelSize, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this(Size2d.of(kernelSize), Size2d.of(stride), Size2d.of(padding), ceilMode, countIncludePad);
    }

    public AvgPool2d(Size2d kernelSize, Size2d stride, Size2d padding, boolean ceilMode, boolean countIncludePad) {
        WindowOptions.pool("AvgPool2d", kernelSize, stride, padding, Size2d.of(1)); // fail here, not at forward
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
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

    public boolean ceilMode() {
        return ceilMode;
    }

    public boolean countIncludePad() {
        return countIncludePad;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + WindowOptions.pooling(kernelSize) + ", stride=" + WindowOptions.pooling(stride)
                + ", padding=" + WindowOptions.pooling(padding);
    }
}
