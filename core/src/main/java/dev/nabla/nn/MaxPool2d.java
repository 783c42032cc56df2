package dev.nabla.nn;

import dev.nabla.Tensor;

/** Max over square windows; the stride defaults to the kernel size. */
public class MaxPool2d extends Module {
    private final int kernelSize;
    private final int stride;
    private final int padding;

    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.maxPool2d(input, kernelSize, stride, padding);
    }

    @Override
    protected String extraRepr() {
        return "kernel=" + kernelSize + ", stride=" + stride + ", padding=" + padding;
    }
}
