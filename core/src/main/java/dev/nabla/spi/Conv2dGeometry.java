package dev.nabla.spi;

import dev.nabla.engine.Windows;

/**
 * Kernel size, stride, zero padding and dilation of a 2-D sliding window, each as (height, width).
 */
public record Conv2dGeometry(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                             int dilationH, int dilationW) {

    public Conv2dGeometry {
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0
                || padH < 0 || padW < 0) {
            // Not "+ this": the fields are not assigned yet in a compact constructor, so it would print zeros.
            throw new IllegalArgumentException("window geometry needs positive kernel, stride and dilation and "
                    + "non-negative padding, found kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x"
                    + strideW + ", padding " + padH + "x" + padW + ", dilation " + dilationH + "x" + dilationW);
        }
    }

    public static Conv2dGeometry of(int kernel, int stride, int padding, int dilation) {
        return new Conv2dGeometry(kernel, kernel, stride, stride, padding, padding, dilation, dilation);
    }

    /**
     * Number of window positions along the height of an input of height {@code h}; 0 or less when the padded input
     * is smaller than the (dilated) kernel. Floor division: truncation would count one window for an input of
     * height 1 under a 2x2 kernel.
     */
    public int outHeight(int h) {
        return Math.floorDiv(h + 2 * padH - dilationH * (kernelH - 1) - 1, strideH) + 1;
    }

    public int outWidth(int w) {
        return Math.floorDiv(w + 2 * padW - dilationW * (kernelW - 1) - 1, strideW) + 1;
    }

    /**
     * {@link #outHeight(int)}, or with {@code ceilMode} PyTorch's pooling size: the division rounds up, but the last
     * window must start inside the input or its leading padding (else it is dropped). Windows that then reach past
     * the padded input are the caller's to clip.
     */
    public int outHeight(int h, boolean ceilMode) {
        return outSize(h, kernelH, strideH, padH, dilationH, ceilMode);
    }

    public int outWidth(int w, boolean ceilMode) {
        return outSize(w, kernelW, strideW, padW, dilationW, ceilMode);
    }

    private static int outSize(int in, int kernel, int stride, int pad, int dilation, boolean ceilMode) {
        int span = in + 2 * pad - dilation * (kernel - 1) - 1;
        if (!ceilMode) {
            return Math.floorDiv(span, stride) + 1;
        }
        int out = -Math.floorDiv(-span, stride) + 1;
        return (out - 1) * stride >= in + pad ? out - 1 : out;
    }

    public int kernelArea() {
        return kernelH * kernelW;
    }
}
